from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import Timestamped, UTCDateTime, utcnow


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
