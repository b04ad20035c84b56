"""What each payment does to an order. The providers (`payments`: Stripe Checkout, VietQR) know nothing of
orders; here their events are reported to the order pipeline (services.mark_paid / expire), which alone
moves an order and its stock. A Stripe event is verified by signature and processed once; the expiry
command releases what was not paid or collected in time."""
from __future__ import annotations

import logging

from sqlalchemy import select

from ..audit import audit
from ..extensions import db
from ..models_base import utcnow
from ..payments import card, vietqr
from ..payments.models import Payment, PaymentEvent, Refund
from ..qr import qr_svg
from ..scope import in_scope
from ..transitions import Refused
from ..unit_of_work import run, run_once
from . import refunds
from . import services as orders
from .models import Order, OrderPart

log = logging.getLogger(__name__)


def payment_of(order: Order) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.order_id == order.id))


# --- VietQR bank transfer --------------------------------------------------------------------------

def transfer_reference(order: Order) -> str:
    return f"OCOP {order.number}"


def vietqr_payload(order: Order) -> str:
    return vietqr.to_operator(order.total_vnd, transfer_reference(order))


def vietqr_svg(order: Order) -> str:
    return qr_svg(vietqr_payload(order), transfer_reference(order))


class PaymentError(ValueError):
    pass


def may_confirm_transfer(officer, order: Order) -> bool:
    """The office confirms a transfer into the operator's account, for an order with a producer of its province."""
    return any(in_scope(officer, part.seller) for part in order.parts)


def confirm_transfer(officer, order: Order) -> str:
    """The office saw the transfer arrive in the operator's account, in the caller's unit of work.
    Answers mark_paid's outcome: "paid", or "refund_due" when the order no longer stands (the money goes
    back). Raises PaymentError when it is not a transfer this officer may confirm, or was confirmed already
    (a double submit, two officers at once)."""
    if order.payment_method != "vietqr" or not may_confirm_transfer(officer, order):
        raise PaymentError("not_confirmable")
    before = order.payment_status
    try:
        outcome = orders.mark_paid(order, actor_id=officer.id)
    except Refused as error:
        raise PaymentError("not_confirmable") from error
    if outcome == "already_paid":
        raise PaymentError("not_confirmable")
    payment = payment_of(order) or Payment(order_id=order.id, provider="vietqr", amount_vnd=order.total_vnd,
                                           reference=transfer_reference(order))
    payment.confirmed_by_id, payment.confirmed_at = officer.id, utcnow()
    db.session.add(payment)
    audit(officer, "confirm_transfer", order, {"payment_status": before}, {"payment_status": order.payment_status})
    return outcome


# --- Card through Stripe Checkout -------------------------------------------------------------------

def start_card_payment(order: Order, success_url: str, cancel_url: str) -> str:
    """The Stripe page to send the buyer to; the same one when asked again; in the caller's unit of work.
    Only while the order waits for its money. Raises PaymentError, card.CardError."""
    if order.payment_method != "card" or not orders.awaiting_payment(order):
        raise PaymentError("not_payable")
    session_id, url = card.create_session(order, success_url, cancel_url)
    payment = payment_of(order) or Payment(order_id=order.id, provider="stripe", amount_vnd=order.total_vnd)
    payment.reference, payment.checkout_url = session_id, url
    db.session.add(payment)
    return url


def card_checkout(order: Order) -> str | None:
    """Start (or find again) the order's Stripe page, for the page and the API alike, in its own unit of work:
    back to the order page when paid or abandoned. None when Stripe cannot be reached or the order no longer
    waits for money: the order stands, and its page offers to try again."""
    back = orders.order_url(order)
    try:
        return run(start_card_payment, order, success_url=back + "&paid=1", cancel_url=back)
    except (PaymentError, card.CardError):
        return None


def close_card_payment(order: Order) -> None:
    """The order was cancelled: close its Stripe page so it cannot be paid any more (best effort: money that
    still arrives is recorded as a refund due)."""
    payment = payment_of(order)
    if order.payment_method == "card" and payment is not None and payment.reference:
        try:
            card.expire_session(payment.reference)
        except card.CardError as error:
            log.warning("order %s: cannot close its Stripe session (%s)", order.number, error)


PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")


def handle_stripe_event(payload: bytes, signature: str | None) -> str:
    """Verify, store once, report to the order, in the caller's unit of work. Raises ValueError (or
    stripe's SignatureVerificationError) for a payload Stripe did not sign, and IntegrityError when the
    same event is being stored at this moment by another request; answers the outcome ("duplicate" for
    a replayed event)."""
    event = card.verified_event(payload, signature)
    if db.session.scalar(select(PaymentEvent.id).where(PaymentEvent.event_id == event.id)) is not None:
        return "duplicate"
    session = event.data.object.to_dict()  # plain values: metadata, amount_total, currency
    number = (session.get("metadata") or {}).get("order_number") or session.get("client_reference_id")
    stored = PaymentEvent(provider="stripe", event_id=event.id, type=event.type, order_number=number,
                          outcome="received", payload=payload.decode("utf-8", "replace"))
    db.session.add(stored)
    db.session.flush()  # the unique event id: a replay arriving at the same moment stops here
    order = orders.get_order(number) if number else None
    stored.outcome = _apply(event, session, order)
    if stored.outcome not in ("paid", "expired", "ignored", "awaiting"):
        log.warning("Stripe event %s for order %s: %s", event.id, number, stored.outcome)
    return stored.outcome


def _apply(event, session, order: Order | None) -> str:
    if order is None or order.payment_method != "card":
        return "unknown_order"
    if event.type == "charge.refunded":  # `session` is the charge here
        return refunds.seen_by_stripe(order, int(session.get("amount_refunded") or 0), session.get("id"))
    if event.type in PAID_EVENTS:
        if session.get("payment_status") != "paid":
            return "awaiting"  # a delayed method: async_payment_succeeded follows
        if session.get("currency") != card.CURRENCY or session.get("amount_total") != order.total_vnd:
            return "amount_mismatch"
        return orders.mark_paid(order)
    if event.type == "checkout.session.expired":
        return "expired" if orders.expire(order) else "ignored"
    return "ignored"


def events_needing_attention(limit: int = 50) -> list[PaymentEvent]:
    return db.session.scalars(select(PaymentEvent).where(PaymentEvent.outcome.in_(
        ("amount_mismatch", "refund_due", "unknown_order", "refund_mismatch")))
        .order_by(PaymentEvent.id.desc()).limit(limit)).all()


def refund_to_card(officer, order: Order, amount_vnd: int | None = None, client_key: str | None = None) -> Refund:
    """Give money back to the card: the refund is written (its own unit of work), then Stripe is asked; once
    per form (`client_key`: a second tap answers the first refund and asks Stripe nothing). Raises
    refunds.RefundError, PermissionError; a Stripe that cannot be reached leaves the refund pending
    (`ask_stripe` again, or its webhook completes it)."""
    refund, made = run_once(Refund, client_key, refunds.begin_card, officer, order, amount_vnd)
    return ask_stripe(refund, officer.id) if made else refund


def ask_stripe(refund: Refund, actor_id: int | None = None) -> Refund:
    """Ask Stripe for a pending card refund, with the refund's own idempotency key (asking twice refunds
    once), and record its answer."""
    order = db.session.get(Order, refund.order_id)
    payment = payment_of(order)
    try:
        stripe_id, status = card.refund(payment.reference, refund.amount_vnd, refund.idempotency_key,
                                        {"order_number": order.number, "refund": refund.number})
    except card.CardError as error:
        log.warning("refund %s of order %s: Stripe did not answer (%s); it stays pending", refund.number,
                    order.number, error)
        return refund
    if status == "succeeded":
        run(refunds.complete, refund, stripe_id, actor_id)
    elif status in ("failed", "canceled"):
        run(refunds.fail, refund, f"Stripe: {status}", actor_id)
    return refund  # pending at Stripe: its charge.refunded webhook completes it


def refund_cancelled_bookings() -> int:
    """Card bookings cancelled (by the visitor or the host) with money still owed back: refunded to the card
    by the shop, each its own unit of work (a periodic job, and queued after each cancellation). Answers how
    many refunds were asked of Stripe."""
    asked = 0
    for order in db.session.scalars(select(Order).where(
            Order.payment_method == "card", Order.payment_status == "refund_due",
            Order.parts.any(OrderPart.booking.is_(True) & (OrderPart.state == "cancelled"))).order_by(Order.id)):
        try:
            refund = run(refunds.begin_for_cancelled_booking, order)
        except refunds.RefundError:
            continue  # a refund is on its way, or nothing is owed any more
        ask_stripe(refund)
        asked += 1
    return asked


# --- Unpaid orders -------------------------------------------------------------------------------------

def expire_overdue(now=None) -> int:
    """Cancel card and VietQR orders not paid in time (and pickups not collected) and release their stock,
    each order its own unit of work. A card order whose Stripe session was paid meanwhile is left for its
    webhook. Answers how many expired."""
    expired = 0
    for order in orders.overdue_orders(now):
        payment = payment_of(order)
        if payment is not None and payment.provider == "stripe" and payment.reference:
            try:
                if not card.expire_session(payment.reference):
                    continue
            except card.CardError as error:
                log.warning("order %s: cannot close its Stripe session (%s); trying again later", order.number, error)
                continue
        try:
            expired += run(orders.expire, order)
        except Refused:
            continue  # paid or cancelled at this very moment: nothing to expire
        except Exception:  # one order's trouble must not keep the others' stock held
            log.exception("order %s could not be expired; trying again on the next run", order.number)
    return expired


def expire_unconfirmed_cod(now=None) -> int:
    """Cancel cash-on-delivery parts no seller confirmed within COD_CONFIRM_HOURS, releasing their stock,
    each its own unit of work. Answers how many parts were cancelled."""
    cancelled = 0
    for part in orders.unconfirmed_cod_parts(now):
        try:
            cancelled += run(orders.expire_unconfirmed, part)
        except Refused:
            continue  # confirmed at this very moment
        except Exception:
            log.exception("part %s could not be cancelled; trying again on the next run", part.id)
    return cancelled
