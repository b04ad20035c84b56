from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import UTCDateTime, one_of, utcnow

# cash: the operator's money; prepaid: buyers' money held until delivery; refunds_payable: owed back to
# buyers; producer: owed to a seller (per seller); commission: the operator's; point_fees: a point's fees.
ACCOUNTS = ("cash", "prepaid", "refunds_payable", "producer", "commission", "point_fees")
ENTRY_KINDS = ("paid", "delivered", "returned", "cancelled", "parcel", "parcel_refund", "wrap", "wrap_refund")


class MoneyEntry(db.Model):
    """One event that moved money, posted once (`once_key`); its lines sum to 0."""
    __tablename__ = "money_entries"
    __table_args__ = (one_of("kind", ENTRY_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    once_key: Mapped[str] = mapped_column(String(80), unique=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    reference: Mapped[str | None] = mapped_column(String(40))  # the order's number, shown on statements
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    lines = relationship("MoneyLine", back_populates="entry", order_by="MoneyLine.id")


class MoneyLine(db.Model):
    """A debit (positive) or credit (negative) of one account; a producer's line names the seller, and a
    commission line the rate it was taken at (basis points, as it was set at the time)."""
    __tablename__ = "money_lines"
    __table_args__ = (
        one_of("account", ACCOUNTS),
        CheckConstraint("(account = 'producer') = (seller_id IS NOT NULL)", name="producer_seller"),
        CheckConstraint("amount_vnd <> 0", name="amount"),
        Index("ix_money_lines_account_seller", "account", "seller_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("money_entries.id"), index=True)
    account: Mapped[str] = mapped_column(String(20))
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id"))
    amount_vnd: Mapped[int]
    rate_bp: Mapped[int | None]

    entry = relationship("MoneyEntry", back_populates="lines")


class CommissionRate(db.Model):
    """The operator's commission on a top group's goods, in basis points (100 = 1 %); none set: 0 %."""
    __tablename__ = "commission_rates"
    __table_args__ = (CheckConstraint("rate_bp >= 0 AND rate_bp <= 5000", name="rate"),)

    group_top: Mapped[str] = mapped_column(String(12), primary_key=True)
    rate_bp: Mapped[int]
