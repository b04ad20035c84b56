"""What the search index holds for a product: only listable products, with the window of the
recognition in force, so that a recognition which ends is gone from results with no job run."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlalchemy.orm import Session

from .. import ocop
from ..certification.models import EvaluationRecord
from ..certification.services import listable_select
from ..products.models import Product
from ..sellers.models import Seller


@dataclass
class SearchDocument:
    id: int
    name: str
    name_en: str
    seller: str
    place: str  # province and ward names, geographical indication
    text: str  # descriptions and stories, Vietnamese and English
    group_code: str
    province_code: int
    stars: int
    price_vnd: int
    decision_date: dt.date
    valid_from: dt.date
    valid_until: dt.date  # the first day it must no longer be found
    groups: list[str] = field(default_factory=list)  # "I", "I.5", "I.5.a"


def group_path(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts) + 1)]


def make_document(product: Product, record: EvaluationRecord) -> SearchDocument:
    seller = product.seller
    return _document(product.id, product.name, product.name_en, product.description, product.description_en,
                     product.geographical_indication, product.group_code, product.price_vnd, seller.legal_name,
                     seller.province_code, seller.ward_code, record.stars, record.decision_date,
                     record.valid_until, record.superseded_on, record.story, record.story_en)


def _document(product_id, name, name_en, description, description_en, geographical_indication, group_code,
              price_vnd, legal_name, province_code, ward_code, stars, decision_date, valid_until, superseded_on,
              story, story_en) -> SearchDocument:
    ends = min(valid_until, superseded_on) if superseded_on else valid_until
    ward = ocop.ward(ward_code) if ward_code else None
    return SearchDocument(
        id=product_id,
        name=name,
        name_en=name_en or "",
        seller=legal_name,
        place=" ".join(filter(None, (ocop.province_name(province_code), ocop.short_province_name(province_code),
                                     ward.name if ward else "", geographical_indication))),
        text=" ".join(filter(None, (description, description_en, story, story_en))),
        group_code=group_code,
        province_code=province_code,
        stars=stars,
        price_vnd=price_vnd,
        decision_date=decision_date,
        valid_from=decision_date,
        valid_until=ends,
        groups=group_path(group_code),
    )


# The columns a document is made of, in _document's order: rows, not ORM objects (a rebuild of 100,000
# products spent most of its reading time making Product, Seller and EvaluationRecord objects).
_COLUMNS = (Product.id, Product.name, Product.name_en, Product.description, Product.description_en,
            Product.geographical_indication, Product.group_code, Product.price_vnd, Seller.legal_name,
            Seller.province_code, Seller.ward_code, EvaluationRecord.stars, EvaluationRecord.decision_date,
            EvaluationRecord.valid_until, EvaluationRecord.superseded_on, EvaluationRecord.story,
            EvaluationRecord.story_en)


def documents(session: Session, product_ids: Iterable[int] | None = None,
              today: dt.date | None = None) -> Iterator[SearchDocument]:
    """Documents of the products listable today (all of them, or those among `product_ids`)."""
    query = listable_select(*_COLUMNS, today=today).order_by(Product.id)
    if product_ids is not None:
        query = query.where(Product.id.in_(list(product_ids)))
    for row in session.execute(query.execution_options(yield_per=2000)):
        yield _document(*row)


def count_listable(session: Session, today: dt.date | None = None) -> int:
    return session.scalar(listable_select(func.count(Product.id), today=today))
