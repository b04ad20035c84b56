from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import UTCDateTime, utcnow

MAX_TEXT = 2000


class Review(db.Model):
    """One buyer's stars and words on one product of a delivered part (one per part and product). The
    seller's answer and the office's hiding are each claimed once (guarded updates)."""
    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),
        UniqueConstraint("order_part_id", "product_id", name="uq_reviews_part_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    order_part_id: Mapped[int] = mapped_column(ForeignKey("order_parts.id"))
    author: Mapped[str] = mapped_column(String(100))  # as shown: the buyer's given name and an initial
    stars: Mapped[int]
    text: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(5), default="vi")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    hidden_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    hidden_reason: Mapped[str | None] = mapped_column(Text)

    product = relationship("Product")
    seller = relationship("Seller")
