"""THE order pipeline: an order's parts and its money move through two state machines (PART, PAYMENT),
each move claimed and logged; stock held for a part is sold or released with it. Payments report to
`mark_paid` and `expire` (orders/payments.py); sellers and the points move parts through `move`; buyers
cancel through `cancel_by_buyer`. Placing an order is checkout's (orders/checkout.py)."""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, inspect, select, update
from sqlalchemy.orm import selectinload

from .. import ocop
from ..extensions import db
from ..i18n import vnd
from ..inventory import services as stock
from ..inventory.check import register_holder
from ..models_base import utcnow
from ..outbox.services import queue_email
from ..payments.models import Refund
from ..sellers.models import Seller
from ..settlements.check import Backfill, register_expectation
from ..transitions import Refused, StateMachine, StatusChange, claim, log_of
from ..urls import public_url
from . import money
from .models import (
    CARRIERS,
    OPEN_STATES,
    PAID_ON_HANDOVER,
    PART_STATES,
    PAYMENT_STATUSES,
    PREPAID,
    Order,
    OrderLine,
    OrderPart,
)


def order_url(order: Order) -> str:
    return public_url("orders.order", number=order.number, token=order.access_token)


def order_for_answer(order: Order) -> Order:
    """The order again after its commit, with its parts, their sellers and lines, and its boxes, in a few
    queries however many sellers it has (the API's answer reads them all)."""
    order_id = inspect(order).identity[0]  # without loading the expired order for it
    return db.session.scalars(select(Order).where(Order.id == order_id).options(
        selectinload(Order.parts).selectinload(OrderPart.seller),
        selectinload(Order.parts).selectinload(OrderPart.lines).selectinload(OrderLine.order_combo),
        selectinload(Order.combos))).one()


def find_order(number: str, token: str | None) -> Order | None:
    order = db.session.scalar(select(Order).where(Order.number == number))
    if order is None or not token or not secrets.compare_digest(order.access_token.encode(), token.encode()):
        return None
    return order


def get_order(number: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.number == number))


# --- THE order state machines ------------------------------------------------------------------------


PART = StateMachine("order_part", OrderPart, "state", {
    "confirm": ({"placed"}, "confirmed"),
    "pack": ({"confirmed"}, "packed"),
    "ship": ({"packed"}, "shipped"),
    "deliver": ({"shipped"}, "delivered"),
    "hand_over": ({"packed"}, "delivered"),  # a pickup: packed means ready at the sales point
    "cancel": (OPEN_STATES, "cancelled"),
    "expire": (OPEN_STATES, "cancelled"),  # not paid or collected in time (the expiry command)
    "expire_unconfirmed": ({"placed"}, "cancelled"),  # cash on delivery no seller confirmed in time
    "return": ({"delivered"}, "returned"),
    # A booking of an experience: the visitor came (paid to the host then, if on site); did not come (paid
    # online, the host keeps it all, as for a late cancellation without refund; to be paid on site, nothing).
    "attend": ({"placed", "confirmed"}, "delivered"),
    "no_show": ({"placed", "confirmed"}, "cancelled"),
}, states=PART_STATES)

# The order's money. unpaid: waiting (cash: until delivered or collected); paid; expired: not paid in time;
# cancelled: every part was cancelled before anything was paid; refund_due: money the buyer is owed back;
# refunded: it went back.
PAYMENT = StateMachine("order_payment", Order, "payment_status", {
    "pay": ({"unpaid"}, "paid"),  # card or VietQR money arrived
    "collect": ({"unpaid"}, "paid"),  # cash taken by the courier or at the sales point
    "expire": ({"unpaid"}, "expired"),
    "cancel": ({"unpaid"}, "cancelled"),
    "owe_refund": ({"paid", "refunded"}, "refund_due"),  # a paid part was cancelled or returned
    "late_payment": ({"expired", "cancelled"}, "refund_due"),  # money for an order that no longer stands
    "refund": ({"refund_due"}, "refunded"),  # all of it went back: no goods were kept (orders.refunds)
    "refund_owed": ({"refund_due"}, "paid"),  # what was owed back went back; the goods delivered stay paid
}, states=PAYMENT_STATUSES)

# What sellers and sales points may ask for (expire is the system's).
ACTIONS = ("confirm", "pack", "ship", "deliver", "hand_over", "cancel", "return")


def awaiting_payment(order: Order) -> bool:
    return order.payment_method in PREPAID and order.payment_status == "unpaid"


def is_pickup(order: Order) -> bool:
    return order.pickup_location_id is not None


def status_of(order: Order) -> str:
    """One word for the whole order: awaiting_payment, expired, cancelled, placed, delivered or in_progress."""
    states = {part.state for part in order.parts}
    if awaiting_payment(order):
        return "awaiting_payment"
    if order.payment_status == "expired":
        return "expired"
    if states == {"cancelled"}:
        return "cancelled"
    if states == {"placed"}:
        return "placed"
    if states <= {"delivered", "cancelled", "returned"} and "delivered" in states:
        return "delivered"
    return "in_progress"


def allowed_actions(part: OrderPart, by: str = "seller") -> list[str]:
    """What the seller (its warehouse's parts) or a sales point's staff (`by="point"`: the parts on its
    shelf, collected there or sent from there) may do with a part now; an order to be paid first can only
    be cancelled. A booking is only cancelled here (the host checks visitors in on the experiences' pages)."""
    if part.booking:
        return ["cancel"] if by == "seller" and PART.allows(part.state, "cancel") else []
    if (by == "point") != part.at_point:
        return []  # goods on a point's shelf are the point's to prepare; a warehouse's, the seller's
    actions = [action for action in ACTIONS if PART.allows(part.state, action)
               and action not in (("ship", "deliver") if is_pickup(part.order) else ("hand_over",))]
    if awaiting_payment(part.order) or part.order.payment_status in ("expired", "cancelled"):
        actions = [action for action in actions if action == "cancel"]
    return actions


def _locked(order: Order) -> Order:
    """Every change to an order, its parts or its money starts here: the order's row is written first (which
    takes its row lock on PostgreSQL and the write lock on SQLite), then it and its parts are read afresh.
    So two changes of one order run one after the other, each seeing what the other did, and locks are
    always taken in one order: the order, its parts, then stock levels by (location, product)."""
    db.session.execute(update(Order).where(Order.id == order.id).values(updated_at=utcnow())
                       .execution_options(synchronize_session=False))
    db.session.scalars(select(Order).where(Order.id == order.id).execution_options(populate_existing=True)).all()
    db.session.scalars(select(OrderPart).where(OrderPart.order_id == order.id)
                       .execution_options(populate_existing=True)).all()
    return order


def _lines_in_lock_order(part: OrderPart) -> list[OrderLine]:
    return sorted(part.lines, key=lambda line: line.product_id)


def _commit_stock(part: OrderPart, actor_id: int | None = None) -> None:
    """The goods are sold: paid, or handed to the post (cash on delivery) or to the buyer (pickup).
    Claimed once per part, and never for a cancelled one. A booking holds seats, not stock."""
    if part.booking:
        return
    if claim(part, OrderPart.stock_committed.is_(False), OrderPart.state != "cancelled", stock_committed=True):
        for line in _lines_in_lock_order(part):
            stock.commit_reserved(part.location_id, line.product_id, line.quantity, reference=part.order.number,
                                  actor_id=actor_id)


_booking_listeners: list[Callable[[OrderPart], None]] = []


def register_booking_listener(listener: Callable[[OrderPart], None]) -> None:
    """`listener(part)` is called in the same unit of work whenever a booking part is cancelled, whatever
    cancelled it (the visitor, the host, the expiry of an unpaid order): `experiences` gives its seats back.
    Orders may not import experiences (it sits above), so it registers here, as stock holders do."""
    if listener not in _booking_listeners:
        _booking_listeners.append(listener)


def _cancel_part(part: OrderPart, action: str, actor_id: int | None, reason: str | None = None, **values) -> None:
    """Cancel one open part: what it held is released, or what was paid for and taken goes back on hand;
    a booking's seats are given back by its listeners. `values` are written with the new state."""
    committed = part.stock_committed
    PART.apply(part, action, actor_id=actor_id, reason=reason, guards=(OrderPart.stock_committed.is_(committed),),
               **values)
    if part.booking:
        for listener in _booking_listeners:
            listener(part)
        return
    for line in _lines_in_lock_order(part):
        if committed:
            stock.receive(part.location_id, line.product_id, line.quantity, reference=part.order.number,
                          actor_id=actor_id, kind="return", reason="order cancelled after payment")
        else:
            stock.release(part.location_id, line.product_id, line.quantity, reference=part.order.number,
                          actor_id=actor_id)


def _cancel_rest_of_boxes(part: OrderPart, actor_id: int | None) -> None:
    """A gift box is bought whole and cancelled whole: the other open parts holding items of the boxes this
    part held are cancelled with it (and the buyer told), so nobody receives half a box."""
    boxes = {line.order_combo_id for line in part.lines if line.order_combo_id is not None}
    for other in part.order.parts:
        if other.id != part.id and other.state in OPEN_STATES and any(
                line.order_combo_id in boxes for line in other.lines):
            _cancel_part(other, "cancel", actor_id, _("the gift box it belongs to was cancelled"))
            _announce_state(other)


def _settle_money(order: Order, actor_id: int | None) -> None:
    """After a part moved, the money follows: cash is collected once every part has ended (delivered,
    returned or cancelled) with something handed over; money paid for a returned part, or paid up front for
    a cancelled one, is owed back; an order with every part cancelled before payment has nothing to pay."""
    states = {part.state for part in order.parts}
    if order.payment_status == "unpaid" and states == {"cancelled"}:
        PAYMENT.apply(order, "cancel", actor_id=actor_id)
    elif order.payment_status == "unpaid" and order.payment_method in PAID_ON_HANDOVER \
            and states <= {"delivered", "returned", "cancelled"} and states & {"delivered", "returned"}:
        PAYMENT.apply(order, "collect", actor_id=actor_id)  # the courier or the sales point collected it
    if order.payment_status in ("paid", "refunded") and order.owed_back_vnd > order.refunded_vnd:
        PAYMENT.apply(order, "owe_refund", actor_id=actor_id)
    money.settle(order, actor_id)  # the ledger follows, in this transaction


class ShipmentMissing(ValueError):
    """A seller hands a parcel to the post without saying which carrier and which number."""


def move(part: OrderPart, action: str, actor_id: int | None = None, by: str = "seller",
         reason: str | None = None, carrier: str | None = None, tracking_no: str | None = None) -> OrderPart:
    """Move one seller's part of an order, with its stock effect, its money and the buyer's email, in the
    caller's unit of work. Raises Refused when the action is not allowed now or someone acted first.
    Shipping hands the goods over (the reservation leaves on hand, unless payment already took it) and
    records the carrier and the tracking number (a seller must give both; a point sending a hotel delivery
    may). Cancelling releases what is held, or puts back what was paid for (and the buyer is owed it).
    A return puts the goods back on hand."""
    order = _locked(part.order)
    if action not in allowed_actions(part, by):
        raise Refused(PART.name, action, part.state)
    tracking_no = (tracking_no or "").strip() or None
    if action == "ship" and (carrier or by == "seller"):
        if carrier not in CARRIERS or not tracking_no:
            raise ShipmentMissing(carrier)
        part.carrier, part.tracking_no = carrier, tracking_no
    if action == "cancel":
        _cancel_part(part, "cancel", actor_id, reason)
        _cancel_rest_of_boxes(part, actor_id)
    else:
        PART.apply(part, action, actor_id=actor_id, reason=reason)
    if action in ("ship", "hand_over"):
        _commit_stock(part, actor_id)
    elif action == "return":
        for line in _lines_in_lock_order(part):
            stock.receive(part.location_id, line.product_id, line.quantity, reference=order.number,
                          actor_id=actor_id, kind="return", reason="returned by the buyer")
    _settle_money(order, actor_id)
    _announce_state(part, reason if action == "cancel" else None)
    return part


# --- Bookings of experiences (their seats and vouchers are `experiences`') ---------------------------------

def lock_order(order: Order) -> Order:
    """Take the order's lock first (see `_locked`): a caller about to change other rows with it (a booking's
    session and seats) keeps the one order of locks (the order, then what it holds)."""
    return _locked(order)


def attend(part: OrderPart, came: bool, actor_id: int | None = None) -> str:
    """The host checked the visitor in (`came`) or recorded a no-show, in the caller's unit of work: came, the
    part is delivered (paid on site: collected now); did not come, it is cancelled, the host keeping all that
    was paid online (the places were kept for them; nothing is due when it was to be paid on site). Answers
    the action taken; raises Refused when the part is no longer open or not a booking, or when an online
    payment never came."""
    order = _locked(part.order)
    if not part.booking or part.state not in OPEN_STATES or order.payment_status not in ("unpaid", "paid") \
            or awaiting_payment(order):
        raise Refused(PART.name, "attend", part.state)
    if came:
        PART.apply(part, "attend", actor_id=actor_id)
    else:
        _cancel_part(part, "no_show", actor_id, kept_vnd=part.goods_vnd if money.money_received(order) else 0)
    _settle_money(order, actor_id)
    return "attend" if came else "no_show"


def give_back_kept(part: OrderPart, actor_id: int | None = None, reason: str | None = None) -> int:
    """What the host kept of a late-cancelled booking is owed back after all (the host cancelled the session
    it was for), in the caller's unit of work: claimed once (kept → 0), the ledger takes it back from the
    producer, the order owes it. Answers the amount (0: nothing was kept, or it was given back already)."""
    order = _locked(part.order)
    kept = part.kept_vnd
    if not part.booking or part.state != "cancelled" or not kept \
            or not claim(part, OrderPart.kept_vnd == kept, kept_vnd=0):
        return 0
    money.kept_given_back(order, part, kept, actor_id)
    _settle_money(order, actor_id)
    _announce_state(part, reason)
    return kept


def cancel_booking(part: OrderPart, keep_percent: int = 0, actor_id: int | None = None,
                   reason: str | None = None) -> int:
    """Cancel a booking part, in the caller's unit of work: its seats go back (the listeners), money paid
    online is owed back less `keep_percent` of it (a late cancellation under the host's policy; nothing is
    kept of what was not paid). Answers what is owed back for it. Raises Refused when it is not open."""
    order = _locked(part.order)
    if not part.booking or part.state not in OPEN_STATES:
        raise Refused(PART.name, "cancel", part.state)
    kept = part.goods_vnd * keep_percent // 100 if money.money_received(order) else 0
    _cancel_part(part, "cancel", actor_id, reason, kept_vnd=kept)
    _settle_money(order, actor_id)
    _announce_state(part, reason)
    return part.goods_vnd - kept if money.money_received(order) else 0


def settle(order_id: int) -> None:
    """Post to the money ledger what the order's state makes due and is not posted yet, under its lock:
    for orders placed before the ledger existed (`flask settlements backfill`); for any other, nothing."""
    money.settle(_locked(db.session.get(Order, order_id)))


# What `flask settlements check` compares the ledger with, and what `backfill` posts, for the orders.
register_expectation("orders", money.expected_balances, Backfill(
    lambda: db.session.scalars(select(Order.id).order_by(Order.id)).all(), settle))


def buyer_may_cancel(order: Order) -> bool:
    """The buyer may cancel while no seller has confirmed (money already paid is then owed back); a booking is
    cancelled on its voucher page, under the host's cancellation policy (`experiences.services`)."""
    return all(part.state == "placed" and not part.booking for part in order.parts) \
        and order.payment_status in ("unpaid", "paid")


def cancel_by_buyer(order: Order) -> None:
    """Cancel every part at once (one unit of work: all parts or none)."""
    _locked(order)
    if not buyer_may_cancel(order):
        raise Refused(PART.name, "cancel", ",".join(sorted({part.state for part in order.parts})))
    for part in order.parts:
        _cancel_part(part, "cancel", None)
        _announce_state(part)
    _settle_money(order, None)


def mark_paid(order: Order, actor_id: int | None = None) -> str:
    """A payment for the whole order arrived (the provider checked the amount), in the caller's unit of
    work. Answers "paid", "already_paid", or "refund_due" when the order no longer stands (expired or
    cancelled: the money goes back, the goods stay) or a part of it was cancelled meanwhile. Only an order
    paid up front (card, VietQR) is paid this way; cash is collected when the goods are handed over."""
    if order.payment_method not in PREPAID:
        raise Refused(PAYMENT.name, "pay", order.payment_status)
    _locked(order)
    if order.payment_status in ("expired", "cancelled"):
        PAYMENT.apply(order, "late_payment", actor_id=actor_id)
        money.settle(order, actor_id)  # received, and owed back whole
        return "refund_due"
    if order.payment_status != "unpaid":
        return "already_paid"
    PAYMENT.apply(order, "pay", actor_id=actor_id)
    if not is_pickup(order):  # a pickup's goods leave at the counter
        for part in order.parts:
            _commit_stock(part)
    _announce_paid(order)
    _settle_money(order, actor_id)
    return "refund_due" if order.payment_status == "refund_due" else "paid"


def overdue_orders(now: dt.datetime | None = None) -> list[Order]:
    now = now or utcnow()
    return db.session.scalars(select(Order).where(Order.payment_status == "unpaid", Order.payment_due_at <= now)
                              .order_by(Order.id)).all()


def expire(order: Order) -> bool:
    """An order was not paid (card, VietQR) or not collected (pickup) in time: cancel what is still open
    and release its stock, in the caller's unit of work. A pickup of which some part was already handed
    over (and paid at the counter) keeps that sale: only the rest is cancelled. False when it was paid (or
    expired) meanwhile."""
    _locked(order)
    if order.payment_due_at is None or order.payment_status != "unpaid":
        return False
    handed_over = any(part.state in ("delivered", "returned") for part in order.parts)  # paid at the counter
    if not handed_over:
        PAYMENT.apply(order, "expire")
    for part in order.parts:
        if part.state in OPEN_STATES:
            _cancel_part(part, "expire", None)
    if handed_over:
        _settle_money(order, None)
    _announce_expired(order)
    return True


def unconfirmed_cod_parts(now: dt.datetime | None = None) -> list[OrderPart]:
    """Cash-on-delivery parts no seller confirmed within COD_CONFIRM_HOURS: their stock is only held."""
    since = (now or utcnow()) - dt.timedelta(hours=current_app.config["COD_CONFIRM_HOURS"])
    return db.session.scalars(select(OrderPart).join(Order).where(
        OrderPart.state == "placed", Order.payment_method == "cod", Order.created_at <= since)
        .order_by(OrderPart.id)).all()


def expire_unconfirmed(part: OrderPart) -> bool:
    """Cancel a cash-on-delivery part its seller did not confirm in time, in the caller's unit of work.
    False when the seller confirmed (or anyone cancelled) it meanwhile."""
    order = _locked(part.order)
    if part.state != "placed":
        return False
    _cancel_part(part, "expire_unconfirmed", None)
    _cancel_rest_of_boxes(part, None)
    _settle_money(order, None)
    _announce_state(part)
    return True


def held_by_open_orders() -> dict[tuple[int, int], int]:
    """Units each open order part still holds (reserved, not yet taken off the shelf), per (location,
    product): what the stock invariant expects to find reserved."""
    rows = db.session.execute(
        select(OrderPart.location_id, OrderLine.product_id, func.sum(OrderLine.quantity))
        .join(OrderLine, OrderLine.part_id == OrderPart.id)
        .where(OrderPart.state.in_(OPEN_STATES), OrderPart.stock_committed.is_(False), OrderPart.booking.is_(False))
        .group_by(OrderPart.location_id, OrderLine.product_id))
    return {(location_id, product_id): int(units) for location_id, product_id, units in rows}


register_holder("orders", held_by_open_orders)


def history(order: Order) -> list[tuple[StatusChange, OrderPart | None]]:
    """The order's status log, oldest first: (change, the part it moved, or None for the order's money and
    its refunds)."""
    parts = {part.id: part for part in order.parts}
    refunds = db.session.scalars(select(Refund.id).where(Refund.order_id == order.id)).all()
    changes = log_of(PAYMENT.name, [order.id]) + log_of(PART.name, list(parts)) + log_of("refund", refunds)
    return [(change, parts.get(change.object_id) if change.machine == PART.name else None)
            for change in sorted(changes, key=lambda change: (change.at, change.id))]


def part_histories(parts: list[OrderPart]) -> dict[int, list[tuple[StatusChange, OrderPart | None]]]:
    """What a seller sees of each of its parts: the part's changes and its order's money (two queries)."""
    by_part = {part.id: [] for part in parts}
    money = {}
    for change in log_of(PAYMENT.name, {part.order_id for part in parts}):
        money.setdefault(change.object_id, []).append(change)
    moved = {}
    for change in log_of(PART.name, list(by_part)):
        moved.setdefault(change.object_id, []).append(change)
    for part in parts:
        changes = money.get(part.order_id, []) + moved.get(part.id, [])
        by_part[part.id] = [(change, part if change.machine == PART.name else None)
                            for change in sorted(changes, key=lambda change: (change.at, change.id))]
    return by_part


def _announce_expired(order: Order) -> None:
    with force_locale(order.locale):
        if order.payment_method == "on_site":  # a booking the host recorded neither as a visit nor a no-show
            subject = _("Booking %(number)s is closed", number=order.number)
            why = _("The host did not record your visit, so the booking is closed and nothing is due. If you "
                    "did go, thank you, and tell us if something went wrong.")
        elif is_pickup(order) and order.payment_method not in PREPAID:
            subject = _("Order %(number)s is cancelled: not collected", number=order.number)
            why = _("It was not collected at the sales point in time, so its goods are back on sale. "
                    "You are welcome to order again.")
        else:
            subject = _("Order %(number)s is cancelled: not paid in time", number=order.number)
            why = _("We did not receive the payment in time, so nothing will be charged. You are welcome to order "
                    "again.")
        queue_email(order.contact_email, subject, "notice", name=order.contact_name, paragraphs=[why])


def _announce_paid(order: Order) -> None:
    with force_locale(order.locale):
        queue_email(order.contact_email, _("Order %(number)s: payment received", number=order.number), "notice",
                    name=order.contact_name, url=order_url(order),
                    paragraphs=[_("We received %(total)s. The producers now prepare your order.",
                                  total=vnd(order.total_vnd))])


def _announce_state(part: OrderPart, reason: str | None = None) -> None:
    order = part.order
    if part.booking:
        _announce_booking_state(part, reason)
        return
    with force_locale(order.locale):
        names = {"confirmed": _("confirmed"), "packed": _("ready for pickup") if is_pickup(order) else _("packed"),
                 "shipped": _("handed to the post"), "delivered": _("collected") if is_pickup(order) else _("delivered"),
                 "cancelled": _("cancelled"), "returned": _("returned")}
        subject = _("Order %(number)s: %(seller)s — %(state)s", number=order.number, seller=part.seller.legal_name,
                    state=names[part.state])
        paragraphs = [_("The producer says why: %(reason)s", reason=reason)] if reason else []
        if part.state == "shipped" and part.carrier:
            paragraphs.append(_("Carrier: %(carrier)s, tracking number %(number)s.", carrier=part.carrier_name,
                                number=part.tracking_no))
            if part.tracking_url:
                paragraphs.append(_("Follow the parcel: %(url)s", url=part.tracking_url))
        queue_email(order.contact_email, subject, "notice", name=order.contact_name, url=order_url(order),
                    paragraphs=paragraphs)


def _announce_booking_state(part: OrderPart, reason: str | None) -> None:
    """A booking's changes told as a booking: what was booked and why it changed (the host's words as typed)."""
    order = part.order
    with force_locale(order.locale):
        if part.state != "cancelled":
            return  # a visit or a no-show is the host's record; the visitor was there (or not)
        line = part.lines[0]
        paragraphs = [_("Your booking of %(experience)s is cancelled.",
                        experience=line.name_en if order.locale == "en" and line.name_en else line.name)]
        if reason:
            paragraphs.append(_("Why: %(reason)s", reason=reason))
        owed = part.goods_vnd - part.kept_vnd if order.payment_status in ("refund_due", "refunded") else 0
        if owed:
            paragraphs.append(_("%(amount)s is owed back to you: it goes back the way you paid.", amount=vnd(owed)))
        queue_email(order.contact_email, _("Booking %(number)s is cancelled", number=order.number), "notice",
                    name=order.contact_name, url=order_url(order), paragraphs=paragraphs)


# --- A foreign visitor's VAT refund --------------------------------------------------------------------

@dataclass
class VatClaim:
    """What one producer sold in this order, and whether its VAT can be refunded at departure."""
    seller: Seller
    parts: list[OrderPart]
    goods_vnd: int
    reasons: list[str]  # why it does not qualify (empty: it does)

    @property
    def qualifies(self) -> bool:
        return not self.reasons


def vat_refund_claims(order: Order) -> list[VatClaim]:
    """Per producer, when the buyer asked for the VAT refund: at least VAT_REFUND_MIN_VND of goods from that
    seller on the day of the order (its parts not cancelled), and a departure within VAT_REFUND_DAYS of it."""
    if not order.vat_refund:
        return []
    bought = ocop.local_date(order.created_at)
    by_seller: dict[int, list[OrderPart]] = {}
    for part in order.parts:
        if part.state != "cancelled":
            by_seller.setdefault(part.seller_id, []).append(part)
    claims = []
    for parts in by_seller.values():
        goods = sum(part.goods_vnd for part in parts)
        claims.append(VatClaim(parts[0].seller, parts, goods, vat_refund_problems(goods, bought, order.departure_date)))
    return claims


def vat_refund_problems(goods_vnd: int, bought: dt.date, departure: dt.date | None) -> list[str]:
    """Why one producer's goods bought on `bought` do not qualify for the VAT refund (empty: they do)."""
    reasons = []
    if goods_vnd < ocop.VAT_REFUND_MIN_VND:
        reasons.append(_("less than %(min)s from this producer", min=vnd(ocop.VAT_REFUND_MIN_VND)))
    if departure is None or not 0 <= (departure - bought).days <= ocop.VAT_REFUND_DAYS:
        reasons.append(_("the departure is more than %(days)d days after the purchase", days=ocop.VAT_REFUND_DAYS))
    return reasons


# --- Lists -----------------------------------------------------------------------------------------

# What a list of parts shows of each (its order, place, lines with their product and gift box), loaded in a
# fixed number of queries rather than a few per part.
_PART_PAGE = (selectinload(OrderPart.order), selectinload(OrderPart.location),
              selectinload(OrderPart.lines).selectinload(OrderLine.product),
              selectinload(OrderPart.lines).selectinload(OrderLine.order_combo))


def pickup_parts(location_id: int, open_only: bool = True) -> list[OrderPart]:
    """The parts of orders on this sales point's shelf: to be collected there, or packed and sent from
    there (a gift combo it packs, a hotel delivery)."""
    query = select(OrderPart).where(OrderPart.location_id == location_id).options(*_PART_PAGE)
    if open_only:
        query = query.where(OrderPart.state.in_((*OPEN_STATES, "shipped")))
    return db.session.scalars(query.order_by(OrderPart.id)).all()


def pickup_part(location_id: int, part_id: int) -> OrderPart | None:
    part = db.session.get(OrderPart, part_id)
    return part if part is not None and part.location_id == location_id else None


def seller_parts(seller_id: int, limit: int = 200) -> list[OrderPart]:
    """The seller's newest parts, with what the page shows of them in a fixed number of queries (_PART_PAGE)."""
    return db.session.scalars(select(OrderPart).where(OrderPart.seller_id == seller_id).options(*_PART_PAGE)
                              .order_by(OrderPart.id.desc()).limit(limit)).all()


def seller_part(seller_id: int, part_id: int) -> OrderPart | None:
    part = db.session.get(OrderPart, part_id)
    return part if part is not None and part.seller_id == seller_id else None


def orders_with_sellers_in(province_code: int | None, payment_method: str | None = None,
                           payment_status: str | None = None, limit: int = 200) -> list[Order]:
    """Orders with a part from a producer of the province (every order when None), newest first."""
    query = select(Order).order_by(Order.id.desc()).limit(limit)
    if province_code is not None:
        query = query.where(Order.parts.any(OrderPart.seller.has(Seller.province_code == province_code)))
    if payment_method:
        query = query.where(Order.payment_method == payment_method)
    if payment_status:
        query = query.where(Order.payment_status == payment_status)
    return db.session.scalars(query).all()


def claim_guest_orders(user) -> int:
    """The orders placed as a guest with this (now confirmed) address become the account's, in the caller's
    transaction; an order another account holds stays where it is."""
    return db.session.execute(update(Order).where(Order.user_id.is_(None),
                                                  func.lower(Order.contact_email) == user.email.lower())
                              .values(user_id=user.id).execution_options(synchronize_session=False)).rowcount


def orders_of(user_id: int) -> list[Order]:
    return db.session.scalars(select(Order).where(Order.user_id == user_id).order_by(Order.id.desc())).all()
