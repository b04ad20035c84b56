from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .. import ocop
from ..extensions import db
from ..models_base import Timestamped, UTCDateTime
from ..products.models import Product


class EvaluationRecord(Timestamped, db.Model):
    """One council result and the recognition decision that carries it."""

    __tablename__ = "evaluation_records"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score"),
        CheckConstraint("valid_until > decision_date", name="validity"),
        CheckConstraint("level IN ('district', 'provincial', 'national')", name="level"),
        UniqueConstraint("product_id", "decision_no", name="uq_evaluation_records_product_decision"),
        # Covers the listing rule's look-up of a product's records without touching the table.
        Index("ix_evaluation_records_in_force", "product_id", "decision_date", "valid_until", "superseded_on",
              "stars", "revoked_at"),
        CheckConstraint("superseded_on IS NULL OR superseded_on >= decision_date", name="superseded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    stars: Mapped[int]
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    score_a: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    score_b: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    score_c: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    decision_no: Mapped[str] = mapped_column(String(60))
    decision_date: Mapped[dt.date] = mapped_column(Date, index=True)
    issuer: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(12))
    valid_until: Mapped[dt.date] = mapped_column(Date)  # first day it is no longer valid
    # The decision date of the product's next decision, which supersedes this one from that day.
    # Kept by `chain_records` on every flush; lets the listing rule test each record on its own.
    superseded_on: Mapped[dt.date | None] = mapped_column(Date)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(String(40))
    story: Mapped[str | None] = mapped_column(Text)  # the product story as the council evaluated it
    story_en: Mapped[str | None] = mapped_column(Text)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())  # expiry warning sent

    product = relationship("Product", back_populates="records")

    @property
    def level_label(self):
        return ocop.LEVELS.get(self.level, self.level)

    @property
    def part_maxima(self) -> tuple[int, int, int]:
        return ocop.PART_MAXIMA.get(self.legal_basis, ocop.PART_MAXIMA[ocop.DECISION_148])

    @property
    def has_scorecard(self) -> bool:
        return None not in (self.score_a, self.score_b, self.score_c)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def state_on(self, day: dt.date) -> str:
        """Where this decision stands on `day`: "revoked", "superseded" (a later decision replaced it),
        "expired", "future" (decided for a later day) or "in_force" (the listing rule still wants 3★+)."""
        if self.revoked_at is not None:
            return "revoked"
        ran_out = self.valid_until <= day
        replaced = self.superseded_on is not None and self.superseded_on <= day
        if ran_out and (not replaced or self.valid_until < self.superseded_on):
            return "expired"  # it ended before any later decision came
        if replaced:
            return "superseded"
        return "future" if self.decision_date > day else "in_force"


def chain_records(records) -> None:
    """Set `superseded_on` along one product's records: each decision is in force from its date
    until the next decision's date (records of the same date are ordered by id, newest last)."""
    ordered = sorted(records, key=lambda r: (r.decision_date, r.id is None, r.id or 0))
    for record, following in zip(ordered, [*ordered[1:], None]):
        superseded_on = following.decision_date if following is not None else None
        if record.superseded_on != superseded_on:
            record.superseded_on = superseded_on


def _product_of(session, record):
    if record.product is not None:
        return record.product
    return session.get(Product, record.product_id) if record.product_id is not None else None


@event.listens_for(Session, "before_flush")
def _chain_changed_products(session, _flush_context, _instances) -> None:
    """Whenever a record is added, removed or re-dated, re-chain its product's records."""
    new = [obj for obj in session.new if isinstance(obj, EvaluationRecord)]
    changed = new + [obj for obj in (*session.dirty, *session.deleted) if isinstance(obj, EvaluationRecord)
                     and (obj in session.deleted or inspect(obj).attrs.decision_date.history.has_changes())]
    for product in {_product_of(session, record) for record in changed} - {None}:
        records = {*product.records, *(r for r in new if _product_of(session, r) is product)}
        chain_records([r for r in records if r not in session.deleted])


class ProductChangeRequest(Timestamped, db.Model):
    """A seller asks the office to change what the council evaluated (the product's identity) while a
    recognition locks it. `requested` holds only the identity fields that differ, as they should become."""

    __tablename__ = "product_change_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'refused')", name="status"),
        # At most one request waits per product: two submissions at once, the second fails here.
        Index("uq_product_change_requests_pending", "product_id", unique=True,
              sqlite_where=text("status = 'pending'"), postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    requested: Mapped[dict] = mapped_column(JSON)  # {field: new value}, fields of IDENTITY_FIELDS
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(Text)

    product = relationship("Product")
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
