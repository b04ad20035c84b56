"""Search for shoppers and the API, and keeping the index in step with the database.

The backend returns ids; the rows come back in one SQL query through the listing rule, so even a
stale index can never show a product that must not be shown."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from markupsafe import Markup
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import ocop, text
from ..catalog.services import Listing, listable_names, listings_by_ids, with_stock
from ..certification.models import EvaluationRecord
from ..extensions import db
from ..i18n import localized
from ..products.models import Product
from ..sellers.models import Seller
from .base import SearchBackend, SearchQuery
from .documents import count_listable, documents
from .models import SearchQueue

log = logging.getLogger(__name__)


def backend() -> SearchBackend | None:
    return current_app.extensions.get("search")


@dataclass
class Hit:
    listing: Listing
    name: Markup
    snippet: Markup | None


@dataclass
class SearchPage:
    query: SearchQuery
    hits: list[Hit]
    total: int
    facets: dict
    suggestion: str | None = None
    available: bool = True

    @property
    def page(self) -> int:
        return self.query.page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def _hit(listing: Listing, words: list[str]) -> Hit:
    product, record = listing.product, listing.record
    name = localized(product.name, product.name_en)
    snippet = None
    for candidate in (localized(product.description, product.description_en),
                      localized(record.story, record.story_en)):
        snippet = text.snippet(candidate, words)
        if snippet:
            break
    return Hit(listing, text.highlight(name, words), snippet)


def search(query: SearchQuery, today: dt.date | None = None) -> SearchPage:
    today = today or ocop.today()
    engine = backend()
    if engine is None:
        return SearchPage(query, [], 0, {"group": {}, "province": {}, "stars": {}}, available=False)
    result = engine.search(query, today)
    hits = [_hit(listing, query.words) for listing in with_stock(listings_by_ids(result.ids, today))]
    return SearchPage(query, hits, result.total, result.facets,
                      suggestion=" ".join(result.suggestion) if result.suggestion else None)


def suggest(q: str, limit: int = 8, today: dt.date | None = None) -> list[tuple[int, str, str | None]]:
    """(id, name, English name) of the listable products whose names match what is typed so far."""
    today = today or ocop.today()
    engine, words = backend(), text.query_words(q)
    if engine is None or not words:
        return []
    return listable_names(engine.suggest(words, today, limit), today)


# --- Keeping the index in step ------------------------------------------------------------------

def reindex_products(product_ids: Iterable[int], seller_ids: Iterable[int] = ()) -> None:
    """Index what is listable among these products (and the sellers' products); drop the rest.
    Never raises: a failure is logged and the products are queued for a later retry."""
    engine = backend()
    if engine is None:
        return
    product_ids, seller_ids = set(product_ids), set(seller_ids)
    try:
        with Session(db.engine) as session:
            if seller_ids:
                product_ids |= set(session.scalars(select(Product.id).where(Product.seller_id.in_(seller_ids))))
            docs = list(documents(session, product_ids))
        engine.index(docs)
        engine.remove(product_ids - {d.id for d in docs})
    except Exception as error:  # the database write stands; the index catches up later
        log.exception("search index update failed for products %s", sorted(product_ids))
        enqueue(product_ids, repr(error))
        return
    try:  # this runs after a commit: the committed write must never answer an error because of the index
        process_queue(limit=200)
    except Exception:
        log.exception("retrying the search queue failed; `flask search process-queue` tries again")


def enqueue(product_ids: Iterable[int], error: str) -> None:
    try:
        with Session(db.engine) as session:
            for product_id in product_ids:
                session.merge(SearchQueue(product_id=product_id, error=error[:2000]))
            session.commit()
    except Exception:
        log.exception("could not queue products %s for reindexing", sorted(product_ids))


def process_queue(limit: int | None = None) -> int:
    """Retry queued products; returns how many were indexed."""
    with Session(db.engine) as session:
        queued = session.scalars(select(SearchQueue.product_id).limit(limit)).all()
    if not queued:
        return 0
    engine = backend()
    with Session(db.engine) as session:
        docs = list(documents(session, queued))
    engine.index(docs)
    engine.remove(set(queued) - {d.id for d in docs})
    with Session(db.engine) as session:
        session.execute(delete(SearchQueue).where(SearchQueue.product_id.in_(queued)))
        session.commit()
    return len(queued)


def rebuild(progress=None) -> int:
    """Build a new index of every listable product and swap it in; then catch up with what
    changed while it was being built. Returns the number of products indexed."""
    engine = backend()
    started = ocop._now()
    with Session(db.engine) as session:
        total = count_listable(session)
        engine.rebuild(documents(session), progress)
    with Session(db.engine) as session:
        changed = set(session.scalars(select(Product.id).where(Product.updated_at >= started)))
        changed |= set(session.scalars(select(Product.id).join(Seller).where(Seller.updated_at >= started)))
        changed |= set(session.scalars(select(EvaluationRecord.product_id)
                                       .where(EvaluationRecord.updated_at >= started)))
    if changed:
        reindex_products(changed)
    return total
