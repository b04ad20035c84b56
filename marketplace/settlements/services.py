"""Posting to the money ledger and reading balances (see the package's note)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask_babel import force_locale
from sqlalchemy import func, select

from .. import ocop
from ..audit import audit
from ..extensions import db
from ..models_base import upsert
from ..outbox.services import queue_email
from ..sellers.models import Seller
from .models import ACCOUNTS, CommissionRate, MoneyEntry, MoneyLine


class Unbalanced(ValueError):
    """An entry whose lines do not sum to 0: a bug in the caller, never posted."""


@dataclass(frozen=True)
class Line:
    account: str
    amount_vnd: int  # a debit is positive, a credit negative
    seller_id: int | None = None
    rate_bp: int | None = None


def post(kind: str, once_key: str, lines: Iterable[Line], *, order_id: int | None = None,
         sales_point_id: int | None = None, reference: str | None = None, actor_id: int | None = None) -> MoneyEntry:
    """Post one balanced entry in the caller's unit of work; lines of 0 are left out (the entry still marks
    the event as posted). A second post of the same `once_key` fails on the database's unique key."""
    kept = [line for line in lines if line.amount_vnd]
    if sum(line.amount_vnd for line in kept) != 0:
        raise Unbalanced(f"{once_key}: {kept}")
    for line in kept:
        if line.account not in ACCOUNTS or (line.account == "producer" and line.seller_id is None):
            raise ValueError(f"{once_key}: {line}")
    entry = MoneyEntry(kind=kind, once_key=once_key, order_id=order_id, sales_point_id=sales_point_id,
                       reference=reference, actor_id=actor_id,
                       lines=[MoneyLine(account=line.account, seller_id=line.seller_id, amount_vnd=line.amount_vnd,
                                        rate_bp=line.rate_bp) for line in kept])
    db.session.add(entry)
    db.session.flush()
    return entry


def posted(order_id: int) -> dict[str, MoneyEntry]:
    """The entries posted for an order, by once_key."""
    return {entry.once_key: entry for entry in db.session.scalars(
        select(MoneyEntry).where(MoneyEntry.order_id == order_id))}


def set_commission(officer, group_top: str, rate_bp: int) -> None:
    """The operator's commission on a top group from now on (what was posted keeps its rate); audited."""
    before = rates_bp().get(group_top, 0)
    db.session.execute(upsert(CommissionRate).values(group_top=group_top, rate_bp=rate_bp).on_conflict_do_update(
        index_elements=["group_top"], set_={"rate_bp": rate_bp}))
    audit(officer, "settlements.commission", officer, {"group": group_top, "rate_bp": before},
          {"group": group_top, "rate_bp": rate_bp})


def rates_bp() -> dict[str, int]:
    """The commission per top group in basis points; a group not set is 0 %."""
    return {group: rate for group, rate in db.session.execute(select(CommissionRate.group_top, CommissionRate.rate_bp))}


def share(amount_vnd: int, rate_bp: int) -> int:
    """`rate_bp` basis points of an amount, in whole đồng, half rounded up (a commission, a point's margin)."""
    return (amount_vnd * rate_bp + 5000) // 10000


def commission(goods_by_group: dict[str, int], rates: dict[str, int]) -> list[tuple[int, int]]:
    """(amount, rate) per rate taken on goods of these (full) group codes."""
    by_rate: dict[int, int] = {}
    for group_code, goods in goods_by_group.items():
        rate = rates.get(ocop.top_group(group_code), 0)
        by_rate[rate] = by_rate.get(rate, 0) + goods
    return [(share(goods, rate), rate) for rate, goods in sorted(by_rate.items()) if rate]


def owed_to(seller_id: int) -> int:
    """What the shop owes the producer now (negative: what the producer owes the shop)."""
    return -int(db.session.scalar(select(func.coalesce(func.sum(MoneyLine.amount_vnd), 0))
                                  .where(MoneyLine.account == "producer", MoneyLine.seller_id == seller_id)))


def balances() -> dict[str, int]:
    """Each account's debits minus credits over the whole ledger (a liability's is negative)."""
    found = {account: total for account, total in db.session.execute(
        select(MoneyLine.account, func.sum(MoneyLine.amount_vnd)).group_by(MoneyLine.account))}
    return {account: int(found.get(account) or 0) for account in ACCOUNTS}


@dataclass
class Consigned:
    """What a point's sales brought one producer: the goods sold, the margin or commission taken on them, and
    what is owed to the producer for them (returns and voids netted)."""
    sales_vnd: int = 0
    charges_vnd: int = 0
    owed_vnd: int = 0


def at_point(sales_point_id: int, since: dt.datetime, until: dt.datetime) -> dict[int, Consigned]:
    """Per producer, the ledger's lines of the entries posted for goods that left this point between the two
    moments (counter sales, returns and voids, and online parts handed over or sent from it)."""
    found: dict[int, Consigned] = {}
    for account, seller_id, amount in db.session.execute(
            select(MoneyLine.account, MoneyLine.seller_id, MoneyLine.amount_vnd).join(MoneyLine.entry).where(
                MoneyEntry.sales_point_id == sales_point_id, MoneyEntry.created_at >= since,
                MoneyEntry.created_at < until, MoneyLine.seller_id.is_not(None))):
        row = found.setdefault(seller_id, Consigned())
        if account == "producer":
            row.owed_vnd -= amount
        else:
            row.charges_vnd -= amount
        row.sales_vnd = row.owed_vnd + row.charges_vnd
    return found


def tell(seller: Seller, message: Callable[[], tuple[str, list[str]]], url: str | None = None) -> None:
    """Email every address of the seller, in Vietnamese: `message()` answers the subject and paragraphs."""
    with force_locale("vi"):
        subject, paragraphs = message()
        for address in seller.email_addresses:
            queue_email(address, subject, "notice", name=seller.legal_name, paragraphs=paragraphs, url=url)
