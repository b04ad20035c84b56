"""The rules of experiences: who schedules a session, which sessions are offered, and how seats are claimed.

Nothing here commits: the view or command runs each call as one unit of work. Seats change only through
`take_seats` and `release_seats`, each one guarded UPDATE whose row count decides (never read-then-write):
two visitors asking for the last seats at the same moment get them once.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select, update

from .. import ocop
from ..audit import audit
from ..catalog.services import Listing, listings_by_ids
from ..certification.services import is_listable, listable_ids
from ..extensions import db
from ..models_base import utcnow
from ..products.models import Product
from ..sellers.models import Seller
from ..transitions import StateMachine
from .models import LANGUAGES, SESSION_STATES, ExperienceSession

MAX_WEEKS = 52  # a weekly session repeated for at most a year

SESSION = StateMachine("experience_session", ExperienceSession, "state", {
    "cancel": ({"scheduled"}, "cancelled"),
}, states=tuple(SESSION_STATES))


class ExperienceError(ValueError):
    """Why sessions were refused: `code` (not_experience, not_listed, past, languages, party, weeks)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class SessionPlan:
    """What a host fills in for a session (or the first of a weekly series)."""
    starts_at: dt.datetime  # aware; Vietnam time as the host typed it
    duration_minutes: int
    capacity: int
    price_vnd: int
    languages: list[str]
    meeting_point_vi: str
    meeting_point_en: str | None = None
    map_url: str | None = None
    child_price_vnd: int | None = None
    min_party: int = 1
    max_party: int | None = None  # None: the capacity
    what_to_bring: str | None = None
    what_to_bring_en: str | None = None


def cutoff() -> dt.timedelta:
    """Booking closes this long before a session starts (BOOKING_CUTOFF_HOURS)."""
    return dt.timedelta(hours=current_app.config["BOOKING_CUTOFF_HOURS"])


def is_experience(product: Product) -> bool:
    return product.is_service


def schedule(host, product: Product, plan: SessionPlan, weeks: int = 1) -> list[ExperienceSession]:
    """The host's sessions of its own listable experience: one, or the same weekday and time for `weeks`
    weeks. Raises PermissionError (another seller's product), ExperienceError."""
    if host.seller_id is None or product.seller_id != host.seller_id:
        raise PermissionError("another seller's product")
    if not is_experience(product):
        raise ExperienceError("not_experience")
    if not is_listable(product):
        raise ExperienceError("not_listed")
    if not 1 <= weeks <= MAX_WEEKS:
        raise ExperienceError("weeks")
    if not plan.languages or any(code not in LANGUAGES for code in plan.languages):
        raise ExperienceError("languages")
    max_party = plan.max_party or plan.capacity
    if not 1 <= plan.min_party <= max_party <= plan.capacity:
        raise ExperienceError("party")
    if plan.starts_at - cutoff() <= utcnow():
        raise ExperienceError("past")
    made = []
    for week in range(weeks):
        session = ExperienceSession(
            product_id=product.id, starts_at=(plan.starts_at + dt.timedelta(weeks=week)).astimezone(dt.UTC),
            duration_minutes=plan.duration_minutes, capacity=plan.capacity, price_vnd=plan.price_vnd,
            child_price_vnd=plan.child_price_vnd, languages=";".join(dict.fromkeys(plan.languages)),
            meeting_point_vi=plan.meeting_point_vi, meeting_point_en=plan.meeting_point_en, map_url=plan.map_url,
            min_party=plan.min_party, max_party=max_party, what_to_bring=plan.what_to_bring,
            what_to_bring_en=plan.what_to_bring_en)
        db.session.add(session)
        made.append(session)
    db.session.flush()
    audit(host, "experience.schedule", product, None,
          {"sessions": [session.id for session in made], "starts_at": plan.starts_at.isoformat(), "weeks": weeks})
    return made


def bookable(now: dt.datetime | None = None):
    """THE condition for a session to be offered: scheduled, its product listable, starting after the cutoff."""
    now = now or utcnow()
    return (ExperienceSession.state == "scheduled") & (ExperienceSession.starts_at > now + cutoff()) & \
        ExperienceSession.product_id.in_(listable_ids())


def upcoming(product_id: int, limit: int = 60, until: dt.datetime | None = None) -> list[ExperienceSession]:
    """The sessions of an experience a visitor may book, soonest first (full ones too: they say so)."""
    query = select(ExperienceSession).where(ExperienceSession.product_id == product_id, bookable())
    if until is not None:
        query = query.where(ExperienceSession.starts_at < until)
    return db.session.scalars(query.order_by(ExperienceSession.starts_at).limit(limit)).all()


def offered(per_experience: int = 5, until: dt.datetime | None = None) -> list[tuple[Listing, list[ExperienceSession]]]:
    """The experiences a visitor can book now, each with its next sessions (at most `per_experience`), the
    soonest first; one query for the sessions and one for their listings."""
    query = select(ExperienceSession).where(bookable())
    if until is not None:
        query = query.where(ExperienceSession.starts_at < until)
    by_product: dict[int, list[ExperienceSession]] = {}
    for session in db.session.scalars(query.order_by(ExperienceSession.starts_at, ExperienceSession.id)):
        found = by_product.setdefault(session.product_id, [])
        if len(found) < per_experience:
            found.append(session)
    return [(listing, by_product[listing.product.id]) for listing in listings_by_ids(list(by_product))]


def sessions_of_host(seller_id: int, since: dt.datetime | None = None) -> list[ExperienceSession]:
    """A host's sessions from `since` (default: today's start in Vietnam), soonest first."""
    since = since or dt.datetime.combine(ocop.today(), dt.time(), ocop.VN_TZ)
    return db.session.scalars(select(ExperienceSession).join(ExperienceSession.product)
                              .where(Product.seller_id == seller_id, ExperienceSession.starts_at >= since)
                              .order_by(ExperienceSession.starts_at)).all()


def sessions_in_province(province_code: int | None, since: dt.datetime | None = None,
                         limit: int = 300) -> list[ExperienceSession]:
    """The sessions of a province's hosts (every province: None) from `since` (default: today), soonest first,
    whatever their product's state: the office watches them all."""
    since = since or dt.datetime.combine(ocop.today(), dt.time(), ocop.VN_TZ)
    query = (select(ExperienceSession).join(ExperienceSession.product).join(Seller, Seller.id == Product.seller_id)
             .where(ExperienceSession.starts_at >= since).order_by(ExperienceSession.starts_at).limit(limit))
    if province_code is not None:
        query = query.where(Seller.province_code == province_code)
    return db.session.scalars(query).all()


def take_seats(session_id: int, people: int) -> bool:
    """Claim `people` seats of a session still offered: one guarded UPDATE (`seats_taken + people <= capacity`,
    and the session bookable at this moment); False when they are not there (sold out, closed, cancelled)."""
    if people < 1:
        return False
    return db.session.execute(
        update(ExperienceSession)
        .where(ExperienceSession.id == session_id, bookable(),
               ExperienceSession.seats_taken + people <= ExperienceSession.capacity)
        .values(seats_taken=ExperienceSession.seats_taken + people, updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount == 1


def release_seats(session_id: int, people: int) -> None:
    """Give seats back (a booking cancelled, or its payment not made in time)."""
    released = db.session.execute(
        update(ExperienceSession).where(ExperienceSession.id == session_id, ExperienceSession.seats_taken >= people)
        .values(seats_taken=ExperienceSession.seats_taken - people, updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if released != 1:
        raise RuntimeError(f"session {session_id}: {people} seats to release, fewer taken")


def seats_left(session_id: int) -> int:
    found = db.session.get(ExperienceSession, session_id, populate_existing=True)
    return found.seats_left if found is not None else 0
