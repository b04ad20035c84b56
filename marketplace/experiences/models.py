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
# booked: places taken (while an online payment is pending they are held until the order's payment is due);
# checked_in: the visitor came; no_show: did not come; cancelled: by the visitor, the host, or not paid in time.
BOOKING_STATES = {"booked": _l("Booked"), "checked_in": _l("Checked in"), "no_show": _l("Did not come"),
                  "cancelled": _l("Cancelled")}
# What a visitor gets back when cancelling after the free cancellation window, as the host states it.
LATE_REFUND_PERCENTS = {0: _l("no refund"), 50: _l("half refunded"), 100: _l("fully refunded")}
VOUCHER_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed on a phone
VOUCHER_LENGTH = 8
MAX_CAPACITY = 500
MIN_DURATION_MINUTES = 15
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
        CheckConstraint("late_refund_percent IN (0, 50, 100)", name="late_refund"),
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
    late_refund_percent: Mapped[int] = mapped_column(default=0, server_default="0")  # see LATE_REFUND_PERCENTS

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


class Booking(Timestamped, db.Model):
    """A visitor's places in a session: an order of its own (one part, `OrderPart.booking`, paid on site or
    online through the order pipeline) with a voucher code the host checks in once."""
    __tablename__ = "bookings"
    __table_args__ = (
        one_of("state", BOOKING_STATES),
        CheckConstraint("people >= 1 AND children >= 0 AND children < people", name="people"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("experience_sessions.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("order_parts.id"), unique=True)
    people: Mapped[int]  # every place taken, children included (at least one adult)
    children: Mapped[int] = mapped_column(default=0)
    language: Mapped[str] = mapped_column(String(5))  # the guiding language asked for (one the session offers)
    code: Mapped[str] = mapped_column(String(VOUCHER_LENGTH), unique=True)  # the voucher's code
    state: Mapped[str] = mapped_column(String(12), default="booked")
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # When the visitor was told the experience lost its OCOP recognition (they may then cancel free of charge).
    told_unlisted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    session = relationship("ExperienceSession")
    order = relationship("Order")
    part = relationship("OrderPart")

    @property
    def adults(self) -> int:
        return self.people - self.children

    @property
    def code_display(self) -> str:
        """The code as printed and read aloud: ABCD-EFGH."""
        return f"{self.code[:4]}-{self.code[4:]}"

    @property
    def state_label(self) -> str:
        return str(BOOKING_STATES[self.state])
