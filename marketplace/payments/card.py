"""Card payments through Stripe Checkout, with the official `stripe` library.
VND is a zero-decimal currency for Stripe: amounts are whole đồng, as everywhere in this shop."""
from __future__ import annotations

import datetime as dt

import stripe
from flask import current_app

from ..models_base import utcnow

CURRENCY = "vnd"
STRIPE_MIN_SESSION = dt.timedelta(minutes=31)  # Stripe refuses a Checkout session shorter than 30 minutes


class CardError(RuntimeError):
    """Stripe could not be reached or refused the request."""


def _client() -> stripe.StripeClient:
    config = current_app.config
    base = {"api": config["STRIPE_API_BASE"]} if config["STRIPE_API_BASE"] else None
    return stripe.StripeClient(config["STRIPE_SECRET_KEY"], base_addresses=base, max_network_retries=2)


def idempotency_key(order) -> str:
    """One per order: asking again (a double click, a retry after a timeout) returns the same session."""
    return f"ocop-order-{order.number}-checkout"


def create_session(order, success_url: str, cancel_url: str) -> tuple[str, str]:
    """A Checkout session for the whole order; answers its id and the address to send the buyer to."""
    line_items = [
        {"price_data": {"currency": CURRENCY, "unit_amount": line.unit_price_vnd,
                        "product_data": {"name": line.name}}, "quantity": line.quantity}
        for part in order.parts for line in part.lines if line.order_combo_id is None
    ] + [  # a gift combo is one item at its price (its items' shares are not whole đồng per unit)
        {"price_data": {"currency": CURRENCY, "unit_amount": box.unit_price_vnd,
                        "product_data": {"name": box.name}}, "quantity": box.quantity}
        for box in order.combos
    ]
    for amount, name in ((order.delivery_vnd, "Phí giao hàng / Delivery"), (order.wrap_vnd, "Gói quà / Gift wrapping")):
        if amount:
            line_items.append({"price_data": {"currency": CURRENCY, "unit_amount": amount,
                                              "product_data": {"name": name}}, "quantity": 1})
    expires = max(order.payment_due_at, utcnow() + STRIPE_MIN_SESSION) if order.payment_due_at else None
    params = {
        "mode": "payment", "line_items": line_items, "client_reference_id": order.number,
        "metadata": {"order_number": order.number}, "customer_email": order.contact_email,
        "locale": "vi" if order.locale == "vi" else "en", "success_url": success_url, "cancel_url": cancel_url,
        "payment_intent_data": {"metadata": {"order_number": order.number}},
    }
    if expires:
        params["expires_at"] = int(expires.timestamp())
    try:
        session = _client().v1.checkout.sessions.create(params, {"idempotency_key": idempotency_key(order)})
    except stripe.StripeError as error:
        raise CardError(str(error)) from error
    return session.id, session.url


def expire_session(session_id: str) -> bool:
    """Close a session before its order expires; False when the buyer has already paid in it."""
    try:
        session = _client().v1.checkout.sessions.retrieve(session_id)
        if session.status == "complete":
            return False
        if session.status == "open":
            _client().v1.checkout.sessions.expire(session_id)
        return True
    except stripe.InvalidRequestError:
        return True  # unknown to Stripe: nothing can be paid in it
    except stripe.StripeError as error:
        raise CardError(str(error)) from error


def refund(session_id: str, amount_vnd: int, idempotency_key: str, metadata: dict) -> tuple[str, str]:
    """Give `amount_vnd` of the session's payment back to the card; answers Stripe's refund id and status
    (succeeded, pending, failed…). The same key answers the same refund again. Raises CardError."""
    try:
        session = _client().v1.checkout.sessions.retrieve(session_id)
        if not session.payment_intent:
            raise CardError(f"session {session_id} has no payment to refund")
        found = _client().v1.refunds.create({"payment_intent": session.payment_intent, "amount": amount_vnd,
                                             "metadata": metadata}, {"idempotency_key": idempotency_key})
    except stripe.StripeError as error:
        raise CardError(str(error)) from error
    return found.id, found.status


def verified_event(payload: bytes, signature: str | None) -> stripe.Event:
    """The event, if Stripe signed it with our webhook secret within the last five minutes."""
    secret = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if not secret:
        raise ValueError("STRIPE_WEBHOOK_SECRET is not set")
    return stripe.Webhook.construct_event(payload, signature, secret)
