"""`flask settlements check`: does the money ledger agree with itself and with the documents?

Every entry must balance. A package that posts registers what some accounts must then hold, computed
from its own documents (orders: the money received, what is still held for undelivered goods, what is owed
back); the check adds the expectations up and names every account whose balance differs."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from ..extensions import db
from .models import MoneyEntry, MoneyLine
from .services import balances

Expectation = Callable[[], dict[str, int]]
_EXPECTED: dict[str, Expectation] = {}


def register_expectation(name: str, expectation: Expectation) -> None:
    """`expectation()` answers {account: balance it accounts for}; registered once per name."""
    _EXPECTED[name] = expectation


def problems() -> list[str]:
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
