"""The rules of experiences: who schedules a session, which sessions are offered, and how seats are claimed.

Nothing here commits: the view or command runs each call as one unit of work. Seats change only through
`take_seats` and `release_seats`, each one guarded UPDATE whose row count decides (never read-then-write):
two visitors asking for the last seats at the same moment get them once.
"""
from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from .. import ocop
from ..audit import audit
from ..catalog.services import Listing, group_condition, listings_by_ids
from ..certification.services import is_listable, listable_ids
from ..collation import vi_sort_key
from ..extensions import db
from ..i18n import datetime, vnd
from ..models_base import utcnow
from ..orders import checkout
from ..orders import services as orders
from ..orders.models import OrderPart
from ..orders.services import find_order
from ..outbox.services import queue_email
from ..products.models import Product
from ..sellers.models import Seller
from ..transitions import Refused, StateMachine, claim
from ..urls import public_url
from .models import (
    BOOKING_STATES,
    LANGUAGES,
    LATE_REFUND_PERCENTS,
    MAX_DURATION_MINUTES,
    SESSION_STATES,
    VOUCHER_ALPHABET,
    VOUCHER_LENGTH,
    Booking,
    ExperienceSession,
)

MAX_WEEKS = 52  # a weekly session repeated for at most a year
MAX_AHEAD = dt.timedelta(days=2 * 366)  # the first of them within two years

SESSION = StateMachine("experience_session", ExperienceSession, "state", {
    "cancel": ({"scheduled"}, "cancelled"),
}, states=tuple(SESSION_STATES))


class ExperienceError(ValueError):
    """Why sessions were refused or a booking not made: `code` (not_experience, not_listed, past, languages,
    party, weeks, policy, child_price, far; no_session, closed, language, sold_out, not_cancellable,
    started)."""

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
    late_refund_percent: int = 0  # of what was paid, when the visitor cancels after the free cancellation time


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
    if plan.late_refund_percent not in LATE_REFUND_PERCENTS:
        raise ExperienceError("policy")
    if plan.child_price_vnd is not None and plan.child_price_vnd > plan.price_vnd:
        raise ExperienceError("child_price")
    if plan.starts_at - utcnow() > MAX_AHEAD:
        raise ExperienceError("far")
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
            what_to_bring_en=plan.what_to_bring_en, late_refund_percent=plan.late_refund_percent)
        db.session.add(session)
        made.append(session)
    db.session.flush()
    audit(host, "experience.schedule", product, None,
          {"sessions": [session.id for session in made], "starts_at": plan.starts_at.isoformat(), "weeks": weeks})
    return made


def experience_ids():
    """The products that are experiences (a group that is not shipped: community tourism), as a subquery."""
    return select(Product.id).where(or_(*(group_condition(group.code) for group in ocop.TOP_GROUPS
                                          if not group.shipped)))


def bookable(now: dt.datetime | None = None):
    """THE condition for a session to be offered: scheduled, its product listable and still an experience,
    starting after the cutoff."""
    now = now or utcnow()
    return (ExperienceSession.state == "scheduled") & (ExperienceSession.starts_at > now + cutoff()) & \
        ExperienceSession.product_id.in_(listable_ids()) & ExperienceSession.product_id.in_(experience_ids())


def is_offered(session_id: int) -> bool:
    """Whether this session can be booked now (`bookable`), however far ahead it is."""
    return db.session.scalar(select(ExperienceSession.id).where(ExperienceSession.id == session_id,
                                                                bookable())) is not None


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


# --- Bookings ------------------------------------------------------------------------------------------

BOOKING = StateMachine("booking", Booking, "state", {
    "check_in": ({"booked"}, "checked_in"),
    "no_show": ({"booked"}, "no_show"),
    "cancel": ({"booked"}, "cancelled"),
}, states=tuple(BOOKING_STATES))

CHECK_IN_EARLY = dt.timedelta(hours=3)  # the host may check visitors in this long before the start


class SoldOut(ExperienceError):
    """Fewer seats are left than the party asked for (`seats_left`)."""

    def __init__(self, seats_left: int):
        super().__init__("sold_out")
        self.seats_left = seats_left


@dataclass
class Party:
    """Who books: how many adults and children, the guiding language wanted, who to reach."""
    adults: int
    children: int
    language: str
    name: str
    phone: str  # E.164 (`ocop.international_phone`)
    email: str


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(VOUCHER_ALPHABET) for _ in range(VOUCHER_LENGTH))
        if db.session.scalar(select(Booking.id).where(Booking.code == code)) is None:
            return code


def normalize_code(text: str | None) -> str:
    """A voucher code as typed or scanned (spaces, dashes, lower case, the voucher's address) made canonical."""
    text = unicodedata.normalize("NFKC", text or "").strip().rsplit("/", 1)[-1].rsplit("=", 1)[-1]
    return "".join(ch for ch in text.upper() if ch.isalnum())[:VOUCHER_LENGTH * 2]


def book(session_id: int, party: Party, payment_method: str, *, user=None, locale: str = "vi",
         client_key: str | None = None) -> Booking:
    """Book places in a session, in the caller's unit of work: the seats are taken first (one guarded
    UPDATE: never more than the capacity, only while the session is offered), then the order is placed
    through the order pipeline (`orders.checkout.place_booking`): paid to the host on arrival, or online,
    the seats held until the payment is due. Raises ExperienceError (no_session, closed, party, language),
    SoldOut (with the seats left), CheckoutError (payment_unavailable, unlisted, too_many_open_orders)."""
    session = db.session.get(ExperienceSession, session_id)
    if session is None:
        raise ExperienceError("no_session")
    people = party.adults + party.children
    if party.adults < 1 or party.children < 0 or not session.min_party <= people <= session.max_party:
        raise ExperienceError("party")
    if party.language not in session.language_codes:
        raise ExperienceError("language")
    if not take_seats(session.id, people):
        still = db.session.scalar(select(ExperienceSession).where(ExperienceSession.id == session.id, bookable())
                                  .execution_options(populate_existing=True))
        if still is None:
            raise ExperienceError("closed")
        raise SoldOut(still.seats_left)
    db.session.expire(session, ["seats_taken", "updated_at"])  # as the guarded update left them
    child_price = session.price_vnd if session.child_price_vnd is None else session.child_price_vnd
    seats = checkout.Seats(session.product_id, party.adults, party.children, session.price_vnd, child_price,
                           session.meeting_point_vi, session.starts_at, session.ends_at)
    contact = checkout.Contact(party.name, party.phone, party.email, 0, 0, "")
    order = checkout.place_booking(seats, contact, payment_method, user=user, locale=locale, client_key=client_key)
    booking = Booking(session_id=session.id, order_id=order.id, part_id=order.parts[0].id, people=people,
                      children=party.children, language=party.language, code=_new_code())
    db.session.add(booking)
    db.session.flush()
    _announce_booked(booking, session, order)
    return booking


def book_order(session_id: int, party: Party, payment_method: str, **kwargs):
    """`book`, answering the booking's order: what `unit_of_work.run_once` finds again by the page's key."""
    return book(session_id, party, payment_method, **kwargs).order


def voucher_url(booking: Booking) -> str:
    return public_url("experiences.voucher", number=booking.order.number, token=booking.order.access_token)


def check_in_url(booking: Booking) -> str:
    """What the voucher's QR code holds: the host's check-in page with the code filled in (the host's phone
    camera opens it; the code alone means nothing to anyone else, and `normalize_code` reads it back)."""
    return public_url("experiences.host_day", code=booking.code)


def find_booking(number: str, token: str | None) -> Booking | None:
    """A visitor's booking by its order's number and secret token (None when either does not match)."""
    order = find_order(number, token)
    if order is None:
        return None
    return db.session.scalar(select(Booking).where(Booking.order_id == order.id))


def booking_of_order(order_id: int) -> Booking | None:
    return db.session.scalar(select(Booking).where(Booking.order_id == order_id))


def _seats_back(part) -> None:
    """A booking's order part was cancelled (by whatever path): the booking is cancelled and its seats given
    back, once (a booking already checked in or marked absent keeps its seats)."""
    booking = db.session.scalar(select(Booking).where(Booking.part_id == part.id))
    if booking is None:
        return
    try:
        BOOKING.apply(booking, "cancel")
    except Refused:
        return
    release_seats(booking.session_id, booking.people)


orders.register_booking_listener(_seats_back)


# --- Cancelling --------------------------------------------------------------------------------------------

def free_cancel_until(session: ExperienceSession) -> dt.datetime:
    return session.starts_at - dt.timedelta(hours=current_app.config["FREE_CANCEL_HOURS"])


def cancellation_terms(booking: Booking, now: dt.datetime | None = None) -> tuple[bool, int]:
    """(may the visitor cancel now, the percent of what was paid kept by the host): free until
    FREE_CANCEL_HOURS before the start, or whenever the experience lost its recognition; then the host's
    late policy; not once the session has started or the booking is no longer open."""
    now = now or utcnow()
    session = booking.session
    if booking.state != "booked" or session.state != "scheduled" or now >= session.starts_at \
            or booking.part.state not in ("placed", "confirmed"):
        return False, 0
    if now < free_cancel_until(session) or not is_listable(session.product):
        return True, 0
    return True, 100 - session.late_refund_percent


def cancel_by_visitor(booking: Booking) -> int:
    """The visitor cancels under the terms of now (`cancellation_terms`), in the caller's unit of work;
    answers what is owed back to them. Raises ExperienceError("not_cancellable")."""
    allowed, kept = cancellation_terms(booking)
    if not allowed:
        raise ExperienceError("not_cancellable")
    with force_locale(booking.order.locale):
        reason = _("cancelled by the visitor")
    try:
        return orders.cancel_booking(booking.part, kept, reason=reason)
    except Refused as refused:
        raise ExperienceError("not_cancellable") from refused


def _bookings_to_undo(session_id: int) -> list[Booking]:
    """The bookings a cancelled session must undo: those standing, and those cancelled late whose host kept a
    share (the session will not run: it is owed back)."""
    return db.session.scalars(select(Booking).join(OrderPart, OrderPart.id == Booking.part_id).where(
        Booking.session_id == session_id,
        (Booking.state == "booked") | ((Booking.state == "cancelled") & (OrderPart.kept_vnd > 0)))
        .order_by(Booking.order_id)).all()


def cancel_session(host, session: ExperienceSession, reason: str, now: dt.datetime | None = None) -> int:
    """The host cancels a session to come (weather, illness), in the caller's unit of work: claimed once,
    every booking of it cancelled with everything paid owed back (what a late cancellation left the host
    too), each visitor told why. The bookings' orders are locked before the session, as every path locks an
    order before the seats it holds. Answers how many bookings were cancelled. Raises PermissionError,
    ExperienceError("started"), Refused (already cancelled)."""
    if host.seller_id is None or session.product.seller_id != host.seller_id:
        raise PermissionError("another host's session")
    if session.starts_at <= (now or utcnow()):
        raise ExperienceError("started")  # what happened stays: its visits, no-shows and what they paid
    for booking in _bookings_to_undo(session.id):
        orders.lock_order(booking.order)
    SESSION.apply(session, "cancel", actor_id=host.id, reason=reason, cancel_reason=reason,
                  guards=(ExperienceSession.starts_at > (now or utcnow()),))
    cancelled = 0
    for booking in _bookings_to_undo(session.id):  # again: one booked meanwhile is in now
        with force_locale(booking.order.locale):
            why = _("the host cancelled the session: %(reason)s", reason=reason)
        if booking.state == "cancelled":
            orders.give_back_kept(booking.part, actor_id=host.id, reason=why)
            continue
        try:
            orders.cancel_booking(booking.part, 0, actor_id=host.id, reason=why)
        except Refused:
            continue  # checked in or cancelled meanwhile
        cancelled += 1
    audit(host, "experience.cancel_session", session.product, None,
          {"session": session.id, "reason": reason, "bookings": cancelled})
    return cancelled


# --- Check-in -----------------------------------------------------------------------------------------------

class CheckInError(ValueError):
    """Why a voucher was not checked in: `code` (unknown, not_today, cancelled, unpaid, already), with the
    booking when one was found."""

    def __init__(self, code: str, booking: Booking | None = None):
        super().__init__(code)
        self.code, self.booking = code, booking


def day_sessions(seller_id: int, day: dt.date) -> list[ExperienceSession]:
    """The host's sessions running on `day` (Vietnam time): started that day, or started before and not over."""
    start = dt.datetime.combine(day, dt.time(), ocop.VN_TZ)
    end = start + dt.timedelta(days=1)
    found = db.session.scalars(select(ExperienceSession).join(ExperienceSession.product).where(
        Product.seller_id == seller_id, ExperienceSession.starts_at < end,
        ExperienceSession.starts_at >= start - dt.timedelta(minutes=MAX_DURATION_MINUTES))
        .order_by(ExperienceSession.starts_at)).all()
    return [session for session in found if session.ends_at > start]


def bookings_of(session_ids: list[int]) -> dict[int, list[Booking]]:
    """Each session's bookings (cancelled ones too), by contact name."""
    by_session: dict[int, list[Booking]] = {session_id: [] for session_id in session_ids}
    if session_ids:
        for booking in db.session.scalars(select(Booking).where(Booking.session_id.in_(session_ids))
                                          .options(selectinload(Booking.order), selectinload(Booking.part))
                                          .order_by(Booking.id)):
            by_session[booking.session_id].append(booking)
    for found in by_session.values():
        found.sort(key=lambda booking: vi_sort_key(booking.order.contact_name))
    return by_session


def host_booking(host, code: str) -> Booking | None:
    """A booking of one of the host's sessions by its voucher code (another host's is not found)."""
    booking = db.session.scalar(select(Booking).where(Booking.code == normalize_code(code)))
    if booking is None or host.seller_id is None or booking.session.product.seller_id != host.seller_id:
        return None
    return booking


def check_in(host, code: str, now: dt.datetime | None = None) -> Booking:
    """The host checks a visitor in by the voucher's code, in the caller's unit of work: claimed once (a
    second scan says when it was done); the order part is delivered and money paid on site collected.
    Raises CheckInError."""
    now = now or utcnow()
    booking = host_booking(host, code)
    if booking is None:
        raise CheckInError("unknown")
    session = booking.session
    if not session.starts_at - CHECK_IN_EARLY <= now <= session.ends_at:
        raise CheckInError("not_today", booking)
    if booking.state == "checked_in":
        raise CheckInError("already", booking)
    if booking.state != "booked" or session.state != "scheduled":
        raise CheckInError("cancelled", booking)
    if orders.awaiting_payment(booking.order):
        raise CheckInError("unpaid", booking)
    orders.lock_order(booking.order)  # the order before the booking, as a cancellation takes them
    try:
        BOOKING.apply(booking, "check_in", actor_id=host.id, checked_in_at=now)
    except Refused as refused:  # another phone checked them in, or the visitor cancelled, at this moment
        db.session.refresh(booking)
        raise CheckInError("already" if booking.state == "checked_in" else "cancelled", booking) from refused
    orders.attend(booking.part, came=True, actor_id=host.id)
    return booking


def mark_no_show(host, booking: Booking, now: dt.datetime | None = None) -> None:
    """After the start, the host records that a booked party did not come (claimed once): paid online, the
    host keeps the money; to be paid on site, the order has nothing to pay. Raises CheckInError."""
    now = now or utcnow()
    if host.seller_id is None or booking.session.product.seller_id != host.seller_id:
        raise CheckInError("unknown")
    if now < booking.session.starts_at:
        raise CheckInError("not_today", booking)
    if orders.awaiting_payment(booking.order):
        raise CheckInError("unpaid", booking)
    orders.lock_order(booking.order)
    try:
        BOOKING.apply(booking, "no_show", actor_id=host.id)
    except Refused as refused:
        raise CheckInError("already" if booking.state == "checked_in" else "cancelled", booking) from refused
    orders.attend(booking.part, came=False, actor_id=host.id)


# --- Telling visitors ---------------------------------------------------------------------------------------

def _when(session: ExperienceSession) -> str:
    """The start as the reader's language writes it, in Vietnam time (the site's `datetime` filter)."""
    return datetime(session.starts_at)


def _announce_booked(booking: Booking, session: ExperienceSession, order) -> None:
    product = session.product
    with force_locale(order.locale):
        name = product.name_en if order.locale == "en" and product.name_en else product.name
        meeting = session.meeting_point_en if order.locale == "en" and session.meeting_point_en \
            else session.meeting_point_vi
        paragraphs = [
            _("%(experience)s, %(when)s (Vietnam time).", experience=name, when=_when(session)),
            ngettext("%(num)d person", "%(num)d people", booking.people),
            _("Meeting point: %(place)s", place=meeting),
            _("Your voucher code: %(code)s. Show it (or its QR code) to the host when you arrive.",
              code=booking.code_display),
        ]
        if free_cancel_until(session) > utcnow():
            paragraphs.append(_("Free cancellation from your voucher page until %(time)s.",
                                time=datetime(free_cancel_until(session))))
        if orders.awaiting_payment(order):
            paragraphs.append(_("Your places are held until %(time)s: pay by then or they go back on sale.",
                                time=datetime(order.payment_due_at)))
        elif order.payment_method == "on_site":
            paragraphs.append(_("You pay %(total)s to the host on arrival.", total=vnd(order.total_vnd)))
        queue_email(order.contact_email, _("Booking %(number)s: %(experience)s", number=order.number,
                                           experience=name), "notice", name=order.contact_name,
                    url=voucher_url(booking), paragraphs=paragraphs)
    host = product.seller
    with force_locale("vi"):  # the host's console speaks Vietnamese
        queue_email(host.email, _("New booking %(number)s: %(experience)s", number=order.number,
                                  experience=product.name), "notice", name=host.legal_name,
                    url=public_url("experiences.host_day", day=ocop.local_date(session.starts_at).isoformat()),
                    paragraphs=[_("%(name)s, %(people)d people, %(when)s.", name=order.contact_name,
                                  people=booking.people, when=_when(session)), order.payment_label])


def bookings_to_tell(now: dt.datetime | None = None) -> list[Booking]:
    """Bookings of sessions to come whose experience is no longer listable (its recognition ended or was
    revoked, or its host suspended) and whose visitor was not told yet."""
    now = now or utcnow()
    return db.session.scalars(select(Booking).join(ExperienceSession, ExperienceSession.id == Booking.session_id)
                              .where(Booking.state == "booked", Booking.told_unlisted_at.is_(None),
                                     ExperienceSession.starts_at > now,
                                     ExperienceSession.product_id.not_in(listable_ids()))
                              .order_by(Booking.id)).all()


def tell_unlisted(booking: Booking) -> bool:
    """Tell the visitor (once: claimed) that the experience they booked lost its OCOP recognition, and that
    they may cancel free of charge; the host is told too."""
    if not claim(booking, Booking.told_unlisted_at.is_(None), told_unlisted_at=utcnow()):
        return False
    order, session = booking.order, booking.session
    with force_locale(order.locale):
        queue_email(order.contact_email, _("Booking %(number)s: this experience is no longer OCOP-recognised",
                                           number=order.number), "notice", name=order.contact_name,
                    url=voucher_url(booking), paragraphs=[
                        _("The OCOP recognition of %(experience)s has ended or was withdrawn, so it is no longer "
                          "sold on Chợ OCOP.", experience=session.product.name),
                        _("Your booking for %(when)s stands with the host, but you may cancel it free of charge "
                          "from your voucher page.", when=_when(session))])
    host = session.product.seller
    queue_email(host.email, _("Booking %(number)s: this experience is no longer OCOP-recognised",
                              number=order.number), "notice", name=host.legal_name, paragraphs=[
        _("The visitor of %(when)s was told, and may cancel free of charge.", when=_when(session))])
    return True


# --- The seats' invariant -----------------------------------------------------------------------------------

def seat_problems() -> list[str]:
    """Every session whose seats taken differ from the places of its bookings that hold them (booked, checked
    in, absent): what `flask experiences check` reports. Empty when every seat is accounted for."""
    held = dict(db.session.execute(
        select(Booking.session_id, func.sum(Booking.people))
        .where(Booking.state.in_(("booked", "checked_in", "no_show"))).group_by(Booking.session_id)).all())
    return [f"session {session_id}: {taken} seats taken, {int(held.get(session_id, 0))} booked"
            for session_id, taken in db.session.execute(select(ExperienceSession.id, ExperienceSession.seats_taken)
                                                        .order_by(ExperienceSession.id))
            if taken != int(held.get(session_id, 0))]
