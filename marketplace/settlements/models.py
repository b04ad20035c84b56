from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import UTCDateTime, one_of, utcnow

# cash: the operator's money (its bank account and the points' tills); prepaid: buyers' money held until
# delivery; refunds_payable: owed back to buyers; producer: owed to a seller (per seller); commission: the
# operator's; point_fees: what the sales points keep (parcel and wrapping fees, their margin on consigned goods);
# payouts: paid out to producers in a batch, not yet confirmed by the bank reference; card_fees: the card fees
# producers bear when the operator passes them on (CARD_FEE_PASSED_ON_BP).
ACCOUNTS = ("cash", "prepaid", "refunds_payable", "producer", "commission", "point_fees", "payouts", "card_fees")
# What a producer reads on its statement for each kind of entry (value); the CHECK constraint reads the keys.
ENTRY_KINDS = {
    "paid": _l("Payment received"), "delivered": _l("Order delivered"), "returned": _l("Order returned"),
    "cancelled": _l("Cancelled after payment"), "parcel": _l("Delivery fee"),
    "parcel_refund": _l("Delivery fee refunded"), "wrap": _l("Gift wrapping"), "wrap_refund": _l("Gift wrapping refunded"),
    "counter_sale": _l("Sold at a sales point"), "counter_return": _l("Returned at a sales point"),
    "counter_void": _l("Counter sale voided"), "payout": _l("Payout"), "payout_paid": _l("Payout confirmed by the bank"),
    "payout_cancelled": _l("Payout cancelled"), "refund": _l("Refunded to the buyer"),
    "collection": _l("Paid by you to the shop"),
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


# A producer's payout account: pending until the office checks it; a verified one is replaced by the next one
# verified; while one is pending, no payout is made (see `bank`).
BANK_ACCOUNT_STATES = {"pending": _l("Waiting for the office to check it"), "verified": _l("Verified"),
                       "rejected": _l("Not accepted"), "replaced": _l("Replaced")}


class BankAccount(db.Model):
    """Where a producer's payouts go: a bank of the VietQR list (its BIN), the account number and the holder's
    name as the bank prints it. Never edited: a change is a new row, pending until the office verifies it."""
    __tablename__ = "bank_accounts"
    __table_args__ = (
        one_of("state", BANK_ACCOUNT_STATES),
        Index("uq_bank_accounts_one_pending", "seller_id", unique=True, postgresql_where=text("state = 'pending'"),
              sqlite_where=text("state = 'pending'")),
        Index("uq_bank_accounts_one_verified", "seller_id", unique=True, postgresql_where=text("state = 'verified'"),
              sqlite_where=text("state = 'verified'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    bank_bin: Mapped[str] = mapped_column(String(6))
    account_no: Mapped[str] = mapped_column(String(19))
    holder_name: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)

    seller = relationship("Seller")

    @property
    def masked(self) -> str:
        """The number as shown beside a payout: the last four digits."""
        return "•••• " + self.account_no[-4:]


PAYOUT_STATES = {"pending": _l("To pay"), "paid": _l("Paid"), "cancelled": _l("Cancelled")}


class PayoutBatch(db.Model):
    """The payouts an officer made at once for a province, from its producers' last statements."""
    __tablename__ = "payout_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[int] = mapped_column(index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    payouts = relationship("Payout", back_populates="batch", order_by="Payout.id")

    @property
    def number(self) -> str:
        return f"CT-{self.id:06d}"


class Payout(db.Model):
    """A transfer to one producer of what its last statement left owed, to the account verified then (copied
    here); marked paid once, with the bank's reference."""
    __tablename__ = "payouts"
    __table_args__ = (
        one_of("state", PAYOUT_STATES),
        CheckConstraint("amount_vnd > 0", name="amount"),
        Index("uq_payouts_statement_standing", "statement_id", unique=True,
              postgresql_where=text("state <> 'cancelled'"), sqlite_where=text("state <> 'cancelled'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("payout_batches.id"), index=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id"))
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    amount_vnd: Mapped[int]
    bank_account_id: Mapped[int] = mapped_column(ForeignKey("bank_accounts.id"))
    bank_bin: Mapped[str] = mapped_column(String(6))
    account_no: Mapped[str] = mapped_column(String(19))
    holder_name: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    bank_reference: Mapped[str | None] = mapped_column(String(60))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    batch = relationship("PayoutBatch", back_populates="payouts")
    statement = relationship("Statement")
    seller = relationship("Seller")

    @property
    def transfer_note(self) -> str:
        """What the transfer says, so the producer can match it with its statement."""
        return f"OCOP {self.statement.number}"


class Collection(db.Model):
    """Money a producer paid the shop to settle a negative balance (commission on goods its own courier was
    paid for), recorded by the office with the bank's reference: once per reference."""
    __tablename__ = "collections"
    __table_args__ = (UniqueConstraint("seller_id", "bank_reference", name="uq_collections_reference"),
                      CheckConstraint("amount_vnd > 0", name="amount"))

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    amount_vnd: Mapped[int]
    bank_reference: Mapped[str] = mapped_column(String(60))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
