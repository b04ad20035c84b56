"""`flask settlements check`: does the money ledger agree with itself and with the documents?

Every entry must balance. A package that posts registers what some accounts must then hold, computed
from its own documents (orders: the money received, what is still held for undelivered goods, what is owed
back; the counters: what the tills took); the check adds the expectations up and names every account whose
balance differs. It also registers how to post what its older documents never posted (`flask settlements
backfill`, once after the upgrade that brought the ledger)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from .models import MoneyEntry, MoneyLine
from .services import balances

Expectation = Callable[[], dict[str, int]]
_EXPECTED: dict[str, Expectation] = {}


@dataclass(frozen=True)
class Backfill:
    documents: Callable[[], list[int]]  # the ids of every document that may have something to post
    post_missing: Callable[[int], None]  # post what one of them makes due and is not posted yet


BACKFILLS: dict[str, Backfill] = {}


def register_expectation(name: str, expectation: Expectation, backfill: Backfill | None = None) -> None:
    """`expectation()` answers {account: balance it accounts for}; registered once per name."""
    _EXPECTED[name] = expectation
    if backfill is not None:
        BACKFILLS[name] = backfill


def problems() -> list[str]:
    """Every unbalanced entry and every account the documents disagree with, read from one snapshot: on
    PostgreSQL the reads run in one REPEATABLE READ transaction, so a sale committed between two of them
    cannot make a difference that is not there (SQLite's transactions are serializable already)."""
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    try:
        return _problems()
    finally:
        db.session.rollback()


def _problems() -> list[str]:
    found = [f"entry {key}: its lines sum to {total}, not 0" for key, total in db.session.execute(
        select(MoneyEntry.once_key, func.sum(MoneyLine.amount_vnd)).join(MoneyLine.entry)
        .group_by(MoneyEntry.once_key).having(func.sum(MoneyLine.amount_vnd) != 0))]
    expected: dict[str, int] = {}
    for expectation in _EXPECTED.values():
        for account, amount in expectation().items():
            expected[account] = expected.get(account, 0) + amount
    actual = balances()
    found += [f"{account}: the ledger says {actual[account]}, the documents {amount}"
              for account, amount in sorted(expected.items()) if actual[account] != amount]
    return found
