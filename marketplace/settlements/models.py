from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import UTCDateTime, one_of, utcnow

# cash: the operator's money (its bank account and the points' tills); prepaid: buyers' money held until
# delivery; refunds_payable: owed back to buyers; producer: owed to a seller (per seller); commission: the
# operator's; point_fees: what the sales points keep (parcel and wrapping fees, their margin on consigned goods).
ACCOUNTS = ("cash", "prepaid", "refunds_payable", "producer", "commission", "point_fees")
# What a producer reads on its statement for each kind of entry (value); the CHECK constraint reads the keys.
ENTRY_KINDS = {
    "paid": _l("Payment received"), "delivered": _l("Order delivered"), "returned": _l("Order returned"),
    "cancelled": _l("Cancelled after payment"), "parcel": _l("Delivery fee"),
    "parcel_refund": _l("Delivery fee refunded"), "wrap": _l("Gift wrapping"), "wrap_refund": _l("Gift wrapping refunded"),
    "counter_sale": _l("Sold at a sales point"), "counter_return": _l("Returned at a sales point"),
    "counter_void": _l("Counter sale voided"),
}


class MoneyEntry(db.Model):
    """One event that moved money, posted once (`once_key`); its lines sum to 0."""
    __tablename__ = "money_entries"
    __table_args__ = (one_of("kind", ENTRY_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    once_key: Mapped[str] = mapped_column(String(80), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    # the point whose shelf the goods left (a counter sale, a part handed over or sent from a point)
    sales_point_id: Mapped[int | None] = mapped_column(ForeignKey("sales_points.id"), index=True)
    reference: Mapped[str | None] = mapped_column(String(40))  # the order's or sale's number, on statements
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lines = relationship("MoneyLine", back_populates="entry", order_by="MoneyLine.id")


class MoneyLine(db.Model):
    """A debit (positive) or credit (negative) of one account. A producer's line names the seller; a commission
    or a point's margin names the seller whose goods it was taken on, and the rate it was taken at (basis
    points, as it was set at the time)."""
    __tablename__ = "money_lines"
    __table_args__ = (
        one_of("account", ACCOUNTS),
        CheckConstraint("account <> 'producer' OR seller_id IS NOT NULL", name="producer_seller"),
        CheckConstraint("amount_vnd <> 0", name="amount"),
        Index("ix_money_lines_account_seller", "account", "seller_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("money_entries.id"), index=True)
    account: Mapped[str] = mapped_column(String(20))
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id"))
    amount_vnd: Mapped[int]
    rate_bp: Mapped[int | None]
    # the producer's statement this line was closed into (once, never moved); None: still in the open period
    statement_id: Mapped[int | None] = mapped_column(ForeignKey("statements.id"), index=True)

    entry = relationship("MoneyEntry", back_populates="lines")


class CommissionRate(db.Model):
    """The operator's commission on a top group's goods, in basis points (100 = 1 %); none set: 0 %."""
    __tablename__ = "commission_rates"
    __table_args__ = (CheckConstraint("rate_bp >= 0 AND rate_bp <= 5000", name="rate"),)

    group_top: Mapped[str] = mapped_column(String(12), primary_key=True)
    rate_bp: Mapped[int]


class SettlementPeriod(db.Model):
    """How far a province's statements are closed (`closed_until`, exclusive): moved forward by one guarded
    update per close, so two closes at once never both run (the second waits, then finds the date taken)."""
    __tablename__ = "settlement_periods"

    province_code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    closed_until: Mapped[dt.date]


class Statement(db.Model):
    """What the shop owed a producer over a closed period: the balance carried in, the producer's ledger lines
    of the period (`MoneyLine.statement_id`) and the balance carried out. Written whole when the office closes
    the period and never changed: an entry posted later belongs to the next statement."""
    __tablename__ = "statements"
    __table_args__ = (UniqueConstraint("seller_id", "period_end", name="uq_statements_seller_period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    period_start: Mapped[dt.date | None]  # the previous statement's end; None: from the seller's first sale
    period_end: Mapped[dt.date]  # exclusive: the period runs to the day before
    opening_vnd: Mapped[int]  # owed to the producer when the period began (negative: the producer owed)
    movement_vnd: Mapped[int]  # what the period's lines added
    closing_vnd: Mapped[int]
    closed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    seller = relationship("Seller")
    lines = relationship("MoneyLine", order_by="MoneyLine.id", viewonly=True)

    @property
    def number(self) -> str:
        return f"BK-{self.id:06d}"

    @property
    def last_day(self) -> dt.date:
        return self.period_end - dt.timedelta(days=1)
