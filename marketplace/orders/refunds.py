"""Giving money back: what an order owes back (`Order.refund_vnd`) goes back to the buyer, whole or in parts.

The office records a bank transfer it made or cash given at a sales point (done at once), or refunds to the
card through Stripe: the refund is written `pending` first (its own unit of work), Stripe is asked with a key
that is the refund's own (a retry never refunds twice), and Stripe's answer (or, if that answer was lost, its
`charge.refunded` webhook) completes it once: a claimed `pending → succeeded`. Under the order's lock, no
refund is ever more than what is still owed back; a completed one adds to `Order.refunded_vnd`, moves the
ledger's money (refunds_payable → cash), tells the buyer, and when nothing more is owed moves the order to
`refunded` (no goods kept) or back to `paid` (goods delivered or still coming stay paid).
"""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..audit import audit
from ..extensions import db
from ..i18n import vnd
from ..models_base import utcnow
from ..outbox.services import queue_email
from ..payments.models import REFUND_METHODS, Refund
from ..scope import in_scope
from ..transitions import Refused, StateMachine, claim
from . import money
from .models import Order
from .services import PAYMENT, _locked, order_url

REFUND = StateMachine("refund", Refund, "state", {
    "succeed": ({"pending"}, "succeeded"),
    "fail": ({"pending"}, "failed"),
}, states=("pending", "succeeded", "failed"))


class RefundError(ValueError):
    """Why a refund was refused: `code` (nothing_due, too_much, not_card, no_reference)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def may_refund(officer, order: Order) -> bool:
    """The office of a province whose producer sold in the order gives its money back."""
    return any(in_scope(officer, part.seller) for part in order.parts)


def refunds_of(order: Order) -> list[Refund]:
    return db.session.scalars(select(Refund).where(Refund.order_id == order.id).order_by(Refund.id)).all()


def still_to_refund(order: Order) -> int:
    """Owed back and not yet given back nor being given back (a card refund waiting for Stripe)."""
    pending = db.session.scalar(select(func.coalesce(func.sum(Refund.amount_vnd), 0)).where(
        Refund.order_id == order.id, Refund.state == "pending"))
    return order.refund_vnd - int(pending)


def _begin(officer, order: Order, method: str, amount_vnd: int | None, reference: str | None,
           client_key: str | None = None) -> Refund:
    if not may_refund(officer, order):
        raise PermissionError("an order without a producer of the officer's province")
    _locked(order)
    due = still_to_refund(order)
    amount = due if amount_vnd is None else amount_vnd
    if due <= 0:
        raise RefundError("nothing_due")
    if not 0 < amount <= due:
        raise RefundError("too_much")
    refund = Refund(order_id=order.id, amount_vnd=amount, method=method, reference=reference,
                    created_by_id=officer.id, client_key=client_key)
    db.session.add(refund)
    db.session.flush()
    audit(officer, "refund." + method, order, None, {"refund": refund.number, "amount": amount})
    return refund


def record(officer, order: Order, method: str, amount_vnd: int | None, reference: str,
           client_key: str | None = None) -> Refund:
    """The office gave money back itself (a bank transfer with its reference, cash at a point with its
    receipt), in the caller's unit of work; the whole amount still owed when no amount is given. The form's
    `client_key` makes it once per form (`unit_of_work.run_once`)."""
    if method not in REFUND_METHODS or method == "card":
        raise RefundError("not_card" if method == "card" else "no_reference")
    if not (reference or "").strip():
        raise RefundError("no_reference")
    if not may_refund(officer, order):
        raise PermissionError("an order without a producer of the officer's province")
    _locked(order)
    same = db.session.scalar(select(Refund).where(  # the same transfer or receipt recorded again (a double tap)
        Refund.order_id == order.id, Refund.method == method, Refund.reference == reference.strip(),
        Refund.amount_vnd == (amount_vnd if amount_vnd is not None else Refund.amount_vnd)).limit(1))
    if same is not None:
        return same
    refund = _begin(officer, order, method, amount_vnd, reference.strip(), client_key)
    complete(refund, reference.strip(), officer.id)
    return refund


def begin_card(officer, order: Order, amount_vnd: int | None = None, client_key: str | None = None) -> Refund:
    """A card refund written before Stripe is asked (its own unit of work): it holds its amount meanwhile."""
    if order.payment_method != "card":
        raise RefundError("not_card")
    return _begin(officer, order, "card", amount_vnd, None, client_key)


def begin_for_cancelled_booking(order: Order) -> Refund:
    """The shop itself gives back to the card what a cancelled booking owes (the visitor or the host cancelled
    it: no officer need act), written before Stripe is asked; its own unit of work. Only a card booking;
    raises RefundError (not_card, nothing_due) otherwise or when a refund is already on its way."""
    if order.payment_method != "card" or not any(part.booking for part in order.parts):
        raise RefundError("not_card")
    _locked(order)
    due = still_to_refund(order)
    if due <= 0:
        raise RefundError("nothing_due")
    refund = Refund(order_id=order.id, amount_vnd=due, method="card")
    db.session.add(refund)
    db.session.flush()
    audit(None, "refund.card", order, None, {"refund": refund.number, "amount": due, "why": "booking cancelled"})
    return refund


def complete(refund: Refund, reference: str | None, actor_id: int | None = None) -> bool:
    """The money went back: claimed once (False when it was completed or failed already)."""
    order = _locked(db.session.get(Order, refund.order_id))
    try:
        REFUND.apply(refund, "succeed", actor_id=actor_id, reference=reference, completed_at=utcnow(),
                     reason=" · ".join(filter(None, [refund.number, vnd(refund.amount_vnd), reference])))
    except Refused:
        return False
    _given_back(order, refund, actor_id)
    return True


def fail(refund: Refund, why: str, actor_id: int | None = None) -> bool:
    """Stripe refused: the amount is free to refund again (another way, or later)."""
    _locked(db.session.get(Order, refund.order_id))
    try:
        REFUND.apply(refund, "fail", actor_id=actor_id, reason=why[:500], failure=why[:2000])
    except Refused:
        return False
    return True


def seen_by_stripe(order: Order, amount_refunded: int, stripe_id: str | None = None) -> str:
    """Stripe says `amount_refunded` of the order's card payment went back in all (its `charge.refunded`
    webhook): pending card refunds it covers are completed, oldest first; more than the shop asked for (a
    refund made in Stripe's dashboard) is recorded as a refund of its own, up to what the order owes back.
    Answers the webhook's outcome: refunded, ignored (nothing new), refund_mismatch (more than owed)."""
    _locked(order)
    known = db.session.scalar(select(func.coalesce(func.sum(Refund.amount_vnd), 0)).where(
        Refund.order_id == order.id, Refund.method == "card", Refund.state == "succeeded"))
    new = amount_refunded - int(known)
    if new <= 0:
        return "ignored"
    for refund in db.session.scalars(select(Refund).where(Refund.order_id == order.id, Refund.method == "card",
                                                          Refund.state == "pending").order_by(Refund.id)):
        if refund.amount_vnd <= new and complete(refund, refund.reference or stripe_id):
            new -= refund.amount_vnd
    if new <= 0:
        return "refunded"
    if new > order.refund_vnd:
        return "refund_mismatch"
    refund = Refund(order_id=order.id, amount_vnd=new, method="card", reference=stripe_id)
    db.session.add(refund)
    db.session.flush()
    complete(refund, stripe_id)
    return "refunded"


def _given_back(order: Order, refund: Refund, actor_id: int | None) -> None:
    if not claim(order, Order.refunded_vnd + refund.amount_vnd <= Order.total_vnd,
                 refunded_vnd=Order.refunded_vnd + refund.amount_vnd):
        raise RefundError("too_much")
    db.session.refresh(order, ["refunded_vnd"])
    money.refunded(order, refund, actor_id)
    if order.payment_status == "refund_due" and order.refunded_vnd >= order.owed_back_vnd:
        kept = any(part.state not in ("cancelled", "returned") or part.kept_vnd for part in order.parts)
        PAYMENT.apply(order, "refund_owed" if kept else "refund", actor_id=actor_id, reason=refund.number)
    with force_locale(order.locale):
        how = {"card": _("to the card you paid with (your bank shows it within 5 to 10 days)"),
               "bank_transfer": _("by bank transfer (reference %(reference)s)", reference=refund.reference),
               "cash": _("in cash at the sales point")}[refund.method]
        queue_email(order.contact_email, _("Order %(number)s: %(amount)s refunded", number=order.number,
                                           amount=vnd(refund.amount_vnd)), "notice", name=order.contact_name,
                    url=order_url(order), paragraphs=[_("We gave back %(amount)s %(how)s.",
                                                        amount=vnd(refund.amount_vnd), how=how)])
