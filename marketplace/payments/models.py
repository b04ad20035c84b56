from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import SubmittedOnce, Timestamped, UTCDateTime, one_of, utcnow


class Payment(Timestamped, db.Model):
    """A provider's side of an order's payment: the Stripe Checkout session, or the bank transfer
    the office confirms. The order itself says whether it is paid (orders.services)."""
    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("provider IN ('stripe', 'vietqr')", name="provider"),
                      CheckConstraint("amount_vnd > 0", name="amount"))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    provider: Mapped[str] = mapped_column(String(10))
    amount_vnd: Mapped[int]
    reference: Mapped[str | None] = mapped_column(String(200), index=True)  # Stripe session id
    checkout_url: Mapped[str | None] = mapped_column(Text)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    order = relationship("Order")
    confirmed_by = relationship("User")


class PaymentEvent(db.Model):
    """A provider's notification, stored by its id so a replay is recognised and changes nothing."""
    __tablename__ = "payment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(10))
    event_id: Mapped[str] = mapped_column(String(120), unique=True)
    type: Mapped[str] = mapped_column(String(80))
    order_number: Mapped[str | None] = mapped_column(String(20), index=True)
    outcome: Mapped[str] = mapped_column(String(30))  # paid, expired, amount_mismatch, late, ignored, ...
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


# How money goes back to a buyer: to the card through Stripe, by a bank transfer the office made, or in cash at
# a sales point. A card refund is `pending` until Stripe answers (or its webhook says so).
REFUND_METHODS = {"card": _l("To the card"), "bank_transfer": _l("Bank transfer"), "cash": _l("Cash at a sales point")}
REFUND_STATES = ("pending", "succeeded", "failed")


class Refund(SubmittedOnce, db.Model):
    """Money given back to the buyer of an order; the order says how much it owes back (orders.refunds). One
    per submitted form (`client_key`): a double tap gives back once."""
    __tablename__ = "refunds"
    __table_args__ = (one_of("method", REFUND_METHODS), one_of("state", REFUND_STATES),
                      CheckConstraint("amount_vnd > 0", name="amount"))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    amount_vnd: Mapped[int]
    method: Mapped[str] = mapped_column(String(15))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    reference: Mapped[str | None] = mapped_column(String(120))  # Stripe's refund id, or the bank's reference
    failure: Mapped[str | None] = mapped_column(Text)
    # None: made in Stripe's dashboard, or by the shop itself for a cancelled booking paid by card
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    created_by = relationship("User")

    @property
    def number(self) -> str:
        return f"HT-{self.id:06d}"

    @property
    def idempotency_key(self) -> str:
        """One per refund: asking Stripe again (a retry after a timeout) never refunds twice."""
        return f"ocop-refund-{self.id}"
