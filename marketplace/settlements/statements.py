"""Producers' statements: the office closes a period, each producer's lines of it become a statement.

`close(province, until)` claims the province's period (`SettlementPeriod`, one guarded UPDATE: a second close
of the same date, at the same moment or later, is refused) and then, per seller of the province with lines
posted before `until` (Vietnam midnight) and in no statement yet, writes a statement: the balance carried
in (the previous statement's), the lines (each claimed once: `statement_id IS NULL`), the balance carried out.
A statement is never changed afterwards; a line posted later, even one whose transaction began before the
close, stays open and goes into the next statement. What is owed is negative in the ledger (a credit of the
producer's account); here it is shown positive: owed to the producer.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from .. import ocop
from ..audit import audit
from ..extensions import db
from ..i18n import date, vnd
from ..models_base import upsert
from ..sellers.models import Seller
from ..urls import public_url
from .models import MoneyEntry, MoneyLine, SettlementPeriod, Statement
from .services import tell

EPOCH = dt.date(2026, 1, 1)  # where SETTLEMENT_PERIOD_DAYS periods are counted from
NEVER = dt.date.min  # the closed_until of a province never closed
MONEY_SENT = {"payout", "payout_cancelled"}  # on a statement: money paid out (or back), not sales


class StatementError(ValueError):
    """Why a close was refused: `code` (future, closed_already)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def midnight(day: dt.date) -> dt.datetime:
    """The first moment of a Vietnamese calendar day."""
    return dt.datetime.combine(day, dt.time(), ocop.VN_TZ)


def last_whole_period_end(today: dt.date | None = None) -> dt.date:
    """The last day of the last whole period: the end of last month, or with SETTLEMENT_PERIOD_DAYS = n, of
    the last n-day period counted from EPOCH."""
    today = today or ocop.today()
    days = current_app.config.get("SETTLEMENT_PERIOD_DAYS")
    if not days:
        return today.replace(day=1) - dt.timedelta(days=1)
    return EPOCH + dt.timedelta(days=(today - EPOCH).days // int(days) * int(days) - 1)


def next_close(province_code: int) -> dt.date:
    """The day a close would end on, as the office's form suggests it: the last whole period's end, or
    yesterday when that is closed already."""
    suggested = last_whole_period_end()
    done = closed_through(province_code)
    return suggested if done is None or suggested > done else ocop.today() - dt.timedelta(days=1)


def closed_through(province_code: int) -> dt.date | None:
    """The last day of the province's last closed period (None: none closed)."""
    until = db.session.scalar(select(SettlementPeriod.closed_until)
                              .where(SettlementPeriod.province_code == province_code))
    return until - dt.timedelta(days=1) if until and until > NEVER else None


def close(province_code: int, through: dt.date, actor=None) -> list[Statement]:
    """Close the province's open period through the day `through` (a day that has ended): one statement per
    producer with lines in it, in the caller's unit of work. Raises StatementError: future (the day has not
    ended), closed_already (this day or a later one was closed before, or by someone else at this moment)."""
    if through >= ocop.today():
        raise StatementError("future")
    until = through + dt.timedelta(days=1)
    db.session.execute(upsert(SettlementPeriod).values(province_code=province_code, closed_until=NEVER)
                       .on_conflict_do_nothing(index_elements=["province_code"]))
    claimed = db.session.execute(update(SettlementPeriod).where(
        SettlementPeriod.province_code == province_code, SettlementPeriod.closed_until < until)
        .values(closed_until=until)).rowcount == 1
    if not claimed:
        raise StatementError("closed_already")
    before = midnight(until)
    in_period = (select(MoneyLine.id).join(MoneyLine.entry).join(Seller, Seller.id == MoneyLine.seller_id)
                 .where(MoneyLine.account == "producer", MoneyLine.statement_id.is_(None),
                        MoneyEntry.created_at < before, Seller.province_code == province_code))
    seller_ids = db.session.scalars(select(MoneyLine.seller_id).where(MoneyLine.id.in_(in_period))
                                    .distinct().order_by(MoneyLine.seller_id)).all()
    statements = [_close_one(seller_id, until, before, actor) for seller_id in seller_ids]
    if actor is not None and statements:
        audit(actor, "settlements.close", statements[0].seller, None,
              {"province": province_code, "through": through.isoformat(), "statements": len(statements)})
    return statements


def _close_one(seller_id: int, until: dt.date, before: dt.datetime, actor) -> Statement:
    previous = latest(seller_id)
    statement = Statement(seller_id=seller_id, period_start=previous.period_end if previous else None,
                          period_end=until, opening_vnd=previous.closing_vnd if previous else 0,
                          movement_vnd=0, closing_vnd=0, closed_by_id=actor.id if actor else None)
    db.session.add(statement)
    db.session.flush()
    db.session.execute(update(MoneyLine).where(
        MoneyLine.account == "producer", MoneyLine.seller_id == seller_id, MoneyLine.statement_id.is_(None),
        MoneyLine.entry_id.in_(select(MoneyEntry.id).where(MoneyEntry.created_at < before)))
        .values(statement_id=statement.id).execution_options(synchronize_session=False))
    statement.movement_vnd = -int(db.session.scalar(select(func.coalesce(func.sum(MoneyLine.amount_vnd), 0))
                                                    .where(MoneyLine.statement_id == statement.id)))
    statement.closing_vnd = statement.opening_vnd + statement.movement_vnd
    _tell_closed(statement)
    return statement


def _tell_closed(statement: Statement) -> None:
    def message():
        owed = statement.closing_vnd
        return (_("Statement %(number)s is closed", number=statement.number),
                [_("Through %(day)s the shop owes you %(amount)s; it is paid to your verified bank account.",
                   day=date(statement.last_day), amount=vnd(owed)) if owed >= 0 else
                 _("Through %(day)s you owe the shop %(amount)s; it is carried to your next statement.",
                   day=date(statement.last_day), amount=vnd(-owed))])
    tell(statement.seller, message, public_url("settlements.statement", statement_id=statement.id))



def latest(seller_id: int) -> Statement | None:
    return db.session.scalar(select(Statement).where(Statement.seller_id == seller_id)
                             .order_by(Statement.period_end.desc()).limit(1))


def statements_of(seller_id: int) -> list[Statement]:
    return db.session.scalars(select(Statement).where(Statement.seller_id == seller_id)
                              .order_by(Statement.period_end.desc())).all()


@dataclass
class Standing:
    seller: Seller
    owed_vnd: int
    last: Statement | None


def standings(province_code: int) -> list[Standing]:
    """Every producer of the province that has money in the ledger: owed now and its last statement, the
    largest debt first (three queries, whatever the number of producers)."""
    owed = dict(db.session.execute(
        select(MoneyLine.seller_id, -func.sum(MoneyLine.amount_vnd)).join(Seller, Seller.id == MoneyLine.seller_id)
        .where(MoneyLine.account == "producer", Seller.province_code == province_code)
        .group_by(MoneyLine.seller_id)).all())
    newest = (select(Statement.seller_id, func.max(Statement.period_end).label("end"))
              .where(Statement.seller_id.in_(owed)).group_by(Statement.seller_id).subquery())
    last = {statement.seller_id: statement for statement in db.session.scalars(select(Statement).join(
        newest, (Statement.seller_id == newest.c.seller_id) & (Statement.period_end == newest.c.end)))}
    sellers = db.session.scalars(select(Seller).where(Seller.id.in_(owed))).all()
    return sorted((Standing(seller, int(owed[seller.id]), last.get(seller.id)) for seller in sellers),
                  key=lambda row: (-row.owed_vnd, row.seller.legal_name))


@dataclass
class Row:
    """One event on a producer's statement: the sales it brought, the commission or the point's margin taken
    on them (and its rate), what it added to the balance."""
    at: dt.datetime
    kind: str
    reference: str | None
    sales_vnd: int
    charges_vnd: int
    rate_bp: int | None
    net_vnd: int


def rows(seller_id: int, statement: Statement | None) -> list[Row]:
    """The events of a closed statement, or (None) of the seller's open period, in the order posted."""
    in_it = MoneyLine.statement_id == statement.id if statement else MoneyLine.statement_id.is_(None)
    entries = select(MoneyLine.entry_id).where(MoneyLine.account == "producer", MoneyLine.seller_id == seller_id,
                                               in_it)
    found: dict[int, Row] = {}
    for entry, line in db.session.execute(
            select(MoneyEntry, MoneyLine).join(MoneyLine.entry)
            .where(MoneyEntry.id.in_(entries), MoneyLine.seller_id == seller_id).order_by(MoneyEntry.id, MoneyLine.id)):
        row = found.setdefault(entry.id, Row(entry.created_at, entry.kind, entry.reference, 0, 0, None, 0))
        if line.account == "producer":
            row.net_vnd -= line.amount_vnd
        else:  # a commission or a margin taken on this producer's goods
            row.charges_vnd -= line.amount_vnd
            row.rate_bp = line.rate_bp
        row.sales_vnd = 0 if entry.kind in MONEY_SENT else row.net_vnd + row.charges_vnd
    return list(found.values())


def collected_by_producer(row: Row) -> bool:
    """A delivery whose price the producer's own courier collected (cash on delivery): only the commission
    is on the statement, owed by the producer."""
    return row.kind == "delivered" and row.net_vnd < 0
