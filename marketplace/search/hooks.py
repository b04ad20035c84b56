"""The after-commit hook that keeps the index in step (registered by the app factory).

Changes are collected at each flush and applied only after the transaction commits; a rollback
forgets them. The work is a background job (marketplace/jobs), so a slow or failing index never touches the request that
committed. The hook does nothing when no search backend is configured."""
from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from .. import jobs
from ..certification.models import EvaluationRecord
from ..products.models import Product, ProductImage
from ..sellers.models import Seller
from ..unit_of_work import on_whole_rollback
from .services import reindex_products

_KEY = "search_pending"


def _pending(session) -> dict:
    return session.info.setdefault(_KEY, {"products": set(), "sellers": set()})


def _collect(session, _flush_context) -> None:
    if not has_app_context() or current_app.extensions.get("search") is None:
        return
    pending = None
    for obj in (*session.new, *session.dirty, *session.deleted):
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        pending = pending or _pending(session)
        if isinstance(obj, Product):
            pending["products"].add(obj.id)
        elif isinstance(obj, (EvaluationRecord, ProductImage)):
            pending["products"].add(obj.product_id)
        elif isinstance(obj, Seller):
            pending["sellers"].add(obj.id)


def _apply(session) -> None:
    pending = session.info.pop(_KEY, None)
    if pending and has_app_context():
        jobs.enqueue(reindex_products, sorted(pending["products"] - {None}), sorted(pending["sellers"] - {None}))


def _forget(session, *_args) -> None:
    session.info.pop(_KEY, None)


def register() -> None:
    if not event.contains(Session, "after_flush", _collect):
        event.listen(Session, "after_flush", _collect)
        event.listen(Session, "after_commit", _apply)
        on_whole_rollback(_forget)
