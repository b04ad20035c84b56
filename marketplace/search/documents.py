"""What the search index holds for a product: only listable products, with the window of the
recognition in force, so that a recognition which ends is gone from results with no job run."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlalchemy.orm import Session, contains_eager

from .. import ocop
from ..certification.models import EvaluationRecord
from ..certification.services import listable_select
from ..products.models import Product


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
    ends = min(record.valid_until, record.superseded_on) if record.superseded_on else record.valid_until
    return SearchDocument(
        id=product.id,
        name=product.name,
        name_en=product.name_en or "",
        seller=seller.legal_name,
        place=" ".join(filter(None, (seller.province_name, ocop.short_province_name(seller.province_code),
                                     seller.ward_name, product.geographical_indication))),
        text=" ".join(filter(None, (product.description, product.description_en, record.story, record.story_en))),
        group_code=product.group_code,
        province_code=seller.province_code,
        stars=record.stars,
        price_vnd=product.price_vnd,
        decision_date=record.decision_date,
        valid_from=record.decision_date,
        valid_until=ends,
        groups=group_path(product.group_code),
    )


def documents(session: Session, product_ids: Iterable[int] | None = None,
              today: dt.date | None = None) -> Iterator[SearchDocument]:
    """Documents of the products listable today (all of them, or those among `product_ids`)."""
    query = listable_select(today=today).options(contains_eager(Product.seller)).order_by(Product.id)
    if product_ids is not None:
        query = query.where(Product.id.in_(list(product_ids)))
    for product, record in session.execute(query.execution_options(yield_per=500)):
        yield make_document(product, record)


def count_listable(session: Session, today: dt.date | None = None) -> int:
    return session.scalar(listable_select(func.count(Product.id), today=today))
