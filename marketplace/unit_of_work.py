"""Who commits: the request or the command, never a service.

A service changes the session (and flushes when it needs ids) but never commits or rolls back. The view
or CLI command that calls it runs the whole change as one unit of work:

    order = run(checkout.place_order, items, contact, "cod")

`run` commits when the work returns and rolls back when it raises (the exception goes on to the caller,
which tells the user). On PostgreSQL a deadlock or a serialization failure is retried once from the start;
a second one becomes `Busy` (answered 503 "try again", never 500). Side effects outside the database
(search index, files) happen after commit, through the session's after-commit hooks.

A document a person makes with a form (an order, a counter sale, a goods receipt, a transfer) is made
once per rendered form: the page carries a key (`forms.once_key`), the document stores it in its unique
`client_key` column (`models_base.SubmittedOnce`), and `run_once` answers the document made earlier with
that key instead of making another one (a double tap, a retry, or two taps at the same moment).
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import event, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from .extensions import db

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRYABLE = {"40P01", "40001"}  # PostgreSQL: deadlock detected, serialization failure


class Busy(RuntimeError):
    """The database kept refusing the transaction for contention; the client should try again."""


def _retryable(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in RETRYABLE


def run(work: Callable[..., T], *args, **kwargs) -> T:
    """Run `work(*args, **kwargs)` as one transaction: all of it is committed, or none of it."""
    for attempt in (1, 2):
        try:
            result = work(*args, **kwargs)
            db.session.commit()
            return result
        except DBAPIError as error:
            db.session.rollback()
            if not _retryable(error):
                raise
            if attempt == 2:
                raise Busy(str(error.orig)) from error
            log.info("retrying %s after %s", getattr(work, "__name__", work), error.orig)
        except BaseException:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


@contextmanager
def kept_after_commit() -> Iterator[None]:
    """Inside: what the work wrote stays loaded after its commit instead of being read again on first use,
    for an answer built inside that shows exactly what was just written (the API's new order: no reload of
    its parts, lines and boxes). On leaving, everything is expired as the commit would have done, so no
    later read in this session (the rest of the request, a test around it) sees a stale row."""
    session = db.session()
    was, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = was
        session.expire_all()


def made_with(model, key: str | None):
    """The `model` document a page (or an API client) with this key made already, if any."""
    return db.session.scalar(select(model).where(model.client_key == key)) if key else None


def run_once(model, key: str | None, work: Callable[..., T], *args, **kwargs) -> tuple[T, bool]:
    """Run `work(*args, client_key=key, **kwargs)` as one unit, once per key. Answers (the document, True)
    when made now, or (the `model` made earlier with this key, False): a repeated submission, also one
    running at this very moment. The repeat then fails (the database's unique key refuses it, or the first
    took what it needed, the last units say) and finds the first. Without a key (an old page, a client
    that sends none) it is simply `run`."""
    if (done := made_with(model, key)) is not None:
        return done, False
    try:
        return run(work, *args, client_key=key, **kwargs), True
    except Exception:
        if (done := made_with(model, key)) is None:
            raise
        return done, False


def rehearse(work: Callable[..., T], *args, **kwargs) -> T:
    """Run `work` and roll everything back: a dry run that answers what it would have done."""
    try:
        return work(*args, **kwargs)
    finally:
        db.session.rollback()


def lock(key: str) -> None:
    """Serialise the transactions that take the same key until they end (e.g. one phone number's orders).
    PostgreSQL: a transaction-scoped advisory lock. SQLite has one writer at a time already: the caller
    writes before it counts, so a concurrent writer waits for its commit."""
    if db.session.get_bind().dialect.name == "postgresql":
        number = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
        db.session.execute(text("SELECT pg_advisory_xact_lock(:n)"), {"n": number})


def on_whole_rollback(forget: Callable) -> None:
    """Call `forget(session)` when a whole transaction rolls back, not when a savepoint inside it does: what
    a hook noted for the commit (a page to refresh, products to reindex, emails to send) stays noted while
    the outer transaction may still commit."""
    if not event.contains(Session, "after_soft_rollback", _whole_rollback):
        event.listen(Session, "after_soft_rollback", _whole_rollback)
    if forget not in _FORGETTERS:
        _FORGETTERS.append(forget)


_FORGETTERS: list[Callable] = []


def _whole_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        for forget in _FORGETTERS:
            forget(session)
