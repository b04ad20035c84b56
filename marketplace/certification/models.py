from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import ocop
from ..extensions import db
from ..models_base import Timestamped


class EvaluationRecord(Timestamped, db.Model):
    """One council result and the recognition decision that carries it."""

    __tablename__ = "evaluation_records"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score"),
        CheckConstraint("valid_until > decision_date", name="validity"),
        CheckConstraint("level IN ('district', 'provincial', 'national')", name="level"),
        UniqueConstraint("product_id", "decision_no", name="uq_evaluation_records_product_decision"),
        Index("ix_evaluation_records_product_date", "product_id", "decision_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    stars: Mapped[int]
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    score_a: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    score_b: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    score_c: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    decision_no: Mapped[str] = mapped_column(String(60))
    decision_date: Mapped[dt.date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(12))
    valid_until: Mapped[dt.date] = mapped_column(Date, index=True)  # first day it is no longer valid
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(String(40))
    story: Mapped[str | None] = mapped_column(Text)  # the product story as the council evaluated it
    story_en: Mapped[str | None] = mapped_column(Text)

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
