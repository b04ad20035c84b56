from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import Timestamped, UTCDateTime, one_of
from ..products.models import MAX_PRICE

# The languages a host may guide in (code: its name in the reader's language); a session keeps them as "vi;en".
LANGUAGES = {"vi": _l("Vietnamese"), "en": _l("English"), "ko": _l("Korean"), "zh": _l("Chinese"),
             "ja": _l("Japanese"), "fr": _l("French")}
SESSION_STATES = {"scheduled": _l("Scheduled"), "cancelled": _l("Cancelled by the host")}
MAX_CAPACITY = 500
MAX_DURATION_MINUTES = 14 * 24 * 60  # a homestay of two weeks


class ExperienceSession(Timestamped, db.Model):
    """One date of an experience: when it starts (stored in UTC, shown in Vietnam time), for how long, how many
    people it takes (`seats_taken` counts those booked and those held while an online payment is pending),
    the price per person (and per child, if the host sets one), the languages offered and where to meet."""
    __tablename__ = "experience_sessions"
    __table_args__ = (
        one_of("state", SESSION_STATES),
        CheckConstraint(f"capacity > 0 AND capacity <= {MAX_CAPACITY}", name="capacity"),
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats"),
        CheckConstraint(f"price_vnd > 0 AND price_vnd <= {MAX_PRICE}", name="price"),
        CheckConstraint("child_price_vnd IS NULL OR (child_price_vnd >= 0 AND child_price_vnd <= price_vnd)",
                        name="child_price"),
        CheckConstraint(f"duration_minutes > 0 AND duration_minutes <= {MAX_DURATION_MINUTES}", name="duration"),
        CheckConstraint("min_party >= 1 AND max_party >= min_party AND max_party <= capacity", name="party"),
        Index("ix_experience_sessions_product_start", "product_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    duration_minutes: Mapped[int]
    capacity: Mapped[int]
    seats_taken: Mapped[int] = mapped_column(default=0)
    price_vnd: Mapped[int]
    child_price_vnd: Mapped[int | None]
    languages: Mapped[str] = mapped_column(String(60))  # "vi;en"
    meeting_point_vi: Mapped[str] = mapped_column(String(300))
    meeting_point_en: Mapped[str | None] = mapped_column(String(300))
    map_url: Mapped[str | None] = mapped_column(String(500))
    min_party: Mapped[int] = mapped_column(default=1)
    max_party: Mapped[int]
    what_to_bring: Mapped[str | None] = mapped_column(Text)
    what_to_bring_en: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="scheduled")
    cancel_reason: Mapped[str | None] = mapped_column(Text)

    product = relationship("Product")

    @property
    def seats_left(self) -> int:
        return self.capacity - self.seats_taken

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(";") if code]

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)
