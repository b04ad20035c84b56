"""Placing orders and moving them: THE order pipeline. Stock is reserved for every line in the same
transaction as the order, through the inventory ledger; if any line cannot be reserved, nothing is
written. Payments report to `mark_paid` and `expire`; sellers move their parts through `move`."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from .. import ocop
from ..catalog.services import listings_by_ids
from ..extensions import db
from ..i18n import vnd
from ..inventory import services as stock
from ..inventory.queries import online_available
from ..models_base import utcnow
from ..outbox.services import queue_email
from ..payments.providers import available_methods, paid_on_handover, prepaid
from ..sellers.models import Seller
from ..urls import public_url
from . import cart as carts
from .models import Order, OrderLine, OrderPart

MAX_QUANTITY = carts.MAX_QUANTITY


class CheckoutError(ValueError):
    """Why an order could not be placed: `code`, and the products concerned in `items`."""

    def __init__(self, code: str, items: list[dict] | None = None):
        super().__init__(code)
        self.code, self.items = code, items or []


@dataclass
class Contact:
    """Who orders and where it goes; for a pickup, the sales point's address."""
    name: str
    phone: str
    email: str
    province_code: int
    ward_code: int
    street: str

    @classmethod
    def at_point(cls, name: str, phone: str, email: str, point) -> Contact:
        return cls(name, phone, email, point.province_code, point.ward_code, f"{point.name}, {point.street}")


def delivery_fee(seller, province_code: int, goods_vnd: int, shipped: bool = True) -> int:
    """Post by zone: inside the seller's province or not; free from a threshold; none for a service."""
    config = current_app.config
    if not shipped or goods_vnd >= config["FREE_DELIVERY_FROM"]:
        return 0
    if seller.province_code == province_code:
        return config["DELIVERY_FEE_SAME_PROVINCE"]
    return config["DELIVERY_FEE_OTHER_PROVINCE"]


def _new_number() -> str:
    while True:
        number = f"{ocop.today():%y%m%d}-{secrets.randbelow(10 ** 6):06d}"
        if db.session.scalar(select(Order.id).where(Order.number == number)) is None:
            return number


def place_order(items: dict[int, int], contact: Contact, payment_method: str, *, user=None, locale: str = "vi",
                from_cart: bool = False, pickup_location_id: int | None = None) -> Order:
    """Place an order for `items` ({product id: quantity}) split by seller, reserving the stock in each
    seller's warehouse, or all of it at one sales point for a pickup (`pickup_location_id`); commits.
    Raises CheckoutError: payment_unavailable, empty, unlisted or out_of_stock (with the items)."""
    if payment_method not in available_methods(pickup=pickup_location_id is not None):
        raise CheckoutError("payment_unavailable")
    if not items:
        raise CheckoutError("empty")
    listings = {listing.product.id: listing for listing in listings_by_ids(list(items))}
    unlisted = [{"product_id": pid} for pid in items if pid not in listings]
    if unlisted:
        raise CheckoutError("unlisted", unlisted)
    if pickup_location_id is None:
        available = online_available(list(items))
    else:
        levels = stock.levels_of(pickup_location_id, list(items))
        available = {pid: levels[pid].available if pid in levels else 0 for pid in items}
    short = [{"product_id": pid, "requested": qty, "available": available[pid]}
             for pid, qty in items.items() if qty > available[pid]]
    if short:  # the reservations below are the guard; this only names every short line at once
        raise CheckoutError("out_of_stock", short)

    by_seller: dict[int, list] = {}
    for product_id in items:
        by_seller.setdefault(listings[product_id].seller.id, []).append(listings[product_id])
    signed_in = user is not None and user.is_authenticated
    order = Order(number=_new_number(), access_token=secrets.token_urlsafe(24), user_id=user.id if signed_in else None,
                  contact_name=contact.name, contact_phone=contact.phone, contact_email=contact.email,
                  province_code=contact.province_code, ward_code=contact.ward_code, street=contact.street,
                  payment_method=payment_method, goods_vnd=0, delivery_vnd=0, total_vnd=0, locale=locale,
                  pickup_location_id=pickup_location_id)
    if prepaid(payment_method):
        order.payment_due_at = utcnow() + dt.timedelta(minutes=current_app.config["ORDER_PAYMENT_TIMEOUT_MINUTES"])
    elif pickup_location_id is not None:
        order.payment_due_at = utcnow() + dt.timedelta(days=current_app.config["PICKUP_HOLD_DAYS"])
    try:
        for listings_of_seller in by_seller.values():
            seller = listings_of_seller[0].seller
            location_id = pickup_location_id or stock.warehouse_of(seller).id
            goods = sum(listing.product.price_vnd * items[listing.product.id] for listing in listings_of_seller)
            shipped = pickup_location_id is None and any(not listing.product.is_service for listing in listings_of_seller)
            part = OrderPart(seller_id=seller.id, location_id=location_id, goods_vnd=goods,
                             delivery_vnd=delivery_fee(seller, contact.province_code, goods, shipped))
            for listing in listings_of_seller:
                product, record = listing.product, listing.record
                stock.reserve(location_id, product.id, items[product.id], reference=order.number)
                part.lines.append(OrderLine(product_id=product.id, name=product.name, name_en=product.name_en,
                                            unit=product.unit, stars=record.stars, decision_no=record.decision_no,
                                            unit_price_vnd=product.price_vnd, quantity=items[product.id]))
            order.parts.append(part)
        order.goods_vnd = sum(p.goods_vnd for p in order.parts)
        order.delivery_vnd = sum(p.delivery_vnd for p in order.parts)
        order.total_vnd = order.goods_vnd + order.delivery_vnd
        db.session.add(order)
        db.session.flush()
        _announce_placed(order)
        if from_cart:
            carts.clear(user)  # a shopper's saved cart goes in this transaction
        db.session.commit()
    except stock.OutOfStock as error:  # another buyer took it since the check above
        db.session.rollback()
        raise CheckoutError("out_of_stock", [{"product_id": error.product_id, "requested": items[error.product_id],
                                              "available": error.available}]) from error
    except Exception:
        db.session.rollback()
        raise
    if from_cart:
        carts.forget_guest_cart(user)  # a guest's, only once the order is safely written
    return order


def place_cart_order(user, contact: Contact, payment_method: str, locale: str = "vi",
                     pickup_location_id: int | None = None) -> Order:
    """Check out the cart as it is shown: any line unlisted, out of stock or short stops it."""
    view = carts.view(user)
    if not view.lines:
        raise CheckoutError("empty")
    problems = [{"product_id": line.product_id, "problem": line.problem, "available": line.available}
                for line in view.lines if line.problem and not (pickup_location_id and line.problem != "unlisted")]
    if problems:
        raise CheckoutError("cart_changed", problems)
    return place_order({line.product_id: line.quantity for line in view.lines}, contact, payment_method,
                       user=user, locale=locale, from_cart=True, pickup_location_id=pickup_location_id)


def order_url(order: Order) -> str:
    return public_url("orders.order", number=order.number, token=order.access_token)


def _announce_placed(order: Order) -> None:
    with force_locale(order.locale):
        subject = _("Order %(number)s is placed", number=order.number)
        lines = [f"- {line.name} × {line.quantity}: {vnd(line.subtotal)}" for part in order.parts for line in part.lines]
        if order.payment_method == "cod":
            how = _("Payment: cash on delivery.")
        elif order.payment_method == "at_point":
            how = _("Payment: at the sales point when you collect the order (%(place)s).", place=order.street)
        else:
            how = _("Payment: please pay %(total)s within %(minutes)d minutes, or the order is cancelled. "
                    "Pay from your order page: %(url)s", total=vnd(order.total_vnd), url=order_url(order),
                    minutes=current_app.config["ORDER_PAYMENT_TIMEOUT_MINUTES"])
        body = "\n".join([
            _("Thank you, %(name)s.", name=order.contact_name), "", *lines, "",
            _("Delivery: %(fee)s", fee=vnd(order.delivery_vnd)), _("Total: %(total)s", total=vnd(order.total_vnd)),
            how, "", _("Your order: %(url)s", url=order_url(order)),
        ])
    queue_email(order.contact_email, subject, body)


def find_order(number: str, token: str | None) -> Order | None:
    order = db.session.scalar(select(Order).where(Order.number == number))
    if order is None or not token or not secrets.compare_digest(order.access_token, token):
        return None
    return order


def get_order(number: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.number == number))


# --- THE order state machine ----------------------------------------------------------------------

# action: (states it applies to, the state it leads to)
TRANSITIONS = {
    "confirm": ({"placed"}, "confirmed"),
    "pack": ({"confirmed"}, "packed"),
    "ship": ({"packed"}, "shipped"),
    "deliver": ({"shipped"}, "delivered"),
    "hand_over": ({"packed"}, "delivered"),  # a pickup: packed means ready at the sales point
    "cancel": ({"placed", "confirmed", "packed"}, "cancelled"),
    "return": ({"delivered"}, "returned"),
}


class TransitionError(ValueError):
    pass


def awaiting_payment(order: Order) -> bool:
    return prepaid(order.payment_method) and order.payment_status == "unpaid"


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
    """What the seller (by post) or the pickup point's staff (`by="point"`) may do with a part now;
    an order to be paid first can only be cancelled."""
    if (by == "point") != is_pickup(part.order):
        return []  # a pickup part is the point's to prepare and hand over; a posted part, the seller's
    actions = [action for action, (sources, _target) in TRANSITIONS.items() if part.state in sources
               and action not in (("ship", "deliver") if is_pickup(part.order) else ("hand_over",))]
    if awaiting_payment(part.order) or part.order.payment_status == "expired":
        actions = [action for action in actions if action == "cancel"]
    return actions


def _commit_stock(part: OrderPart, actor_id: int | None = None) -> None:
    """The goods are sold: paid, or handed to the post (cash on delivery) or to the buyer (pickup)."""
    if not part.stock_committed:
        for line in part.lines:
            stock.commit_reserved(part.location_id, line.product_id, line.quantity, reference=part.order.number,
                                  actor_id=actor_id)
        part.stock_committed = True


def move(part: OrderPart, action: str, actor_id: int | None = None, by: str = "seller") -> OrderPart:
    """Move one seller's part of an order, with its stock effect and the buyer's email; commits.
    Shipping hands the goods over (the reservation leaves on hand, unless payment already took it).
    Cancelling releases what is held, or puts back what was paid for (and the buyer is owed it).
    A return puts the goods back on hand."""
    if action not in allowed_actions(part, by):
        raise TransitionError(action)
    order = part.order
    if action in ("ship", "hand_over"):
        _commit_stock(part, actor_id)
    elif action == "cancel":
        for line in part.lines:
            if part.stock_committed:
                stock.receive(part.location_id, line.product_id, line.quantity, reference=order.number,
                              actor_id=actor_id, kind="return", reason="order cancelled after payment")
            else:
                stock.release(part.location_id, line.product_id, line.quantity, reference=order.number,
                              actor_id=actor_id)
        if order.payment_status == "paid":
            order.payment_status = "refund_due"
    elif action == "return":
        for line in part.lines:
            stock.receive(part.location_id, line.product_id, line.quantity, reference=order.number,
                          actor_id=actor_id, kind="return", reason="returned by the buyer")
    part.state = TRANSITIONS[action][1]
    if paid_on_handover(order.payment_method) and order.payment_status == "unpaid" \
            and all(p.state in ("delivered", "cancelled") for p in order.parts) \
            and any(p.state == "delivered" for p in order.parts):
        order.payment_status = "paid"  # the courier or the sales point collected it
    _announce_state(part)
    db.session.commit()
    return part


def cancel_by_buyer(order: Order) -> None:
    """The buyer may cancel while no seller has confirmed yet."""
    if not all(part.state == "placed" for part in order.parts):
        raise TransitionError("cancel")
    for part in order.parts:
        move(part, "cancel", by="point" if is_pickup(order) else "seller")


def _claim_payment_status(order: Order, before: str, after: str) -> bool:
    """Change the order's payment status only if nobody else did first (a webhook and the expiry job
    may race): one conditional UPDATE, like the stock ledger's."""
    changed = db.session.execute(update(Order).where(Order.id == order.id, Order.payment_status == before)
                                 .values(payment_status=after, updated_at=utcnow())
                                 .execution_options(synchronize_session=False)).rowcount == 1
    db.session.refresh(order)
    return changed


def mark_paid(order: Order) -> str:
    """A payment for the whole order arrived (the provider checked the amount), in the caller's
    transaction. Answers "paid", "already_paid", or "refund_due" when the order had expired or been
    cancelled meanwhile (the money goes back; the goods stay)."""
    if _claim_payment_status(order, "unpaid", "paid"):
        for part in order.parts:
            if part.state != "cancelled" and not is_pickup(order):  # a pickup's goods leave at the counter
                _commit_stock(part)
        _announce_paid(order)
        return "paid"
    if order.payment_status in ("expired", "refund_due") or all(p.state == "cancelled" for p in order.parts):
        _claim_payment_status(order, order.payment_status, "refund_due")
        return "refund_due"
    return "already_paid"


def overdue_orders(now: dt.datetime | None = None) -> list[Order]:
    now = now or utcnow()
    return db.session.scalars(select(Order).where(Order.payment_status == "unpaid", Order.payment_due_at <= now)
                              .order_by(Order.id)).all()


def expire(order: Order) -> bool:
    """An order was not paid (card, VietQR) or not collected (pickup) in time: cancel what is still open
    and release its stock, in the caller's transaction. False when it was paid (or expired) meanwhile."""
    if order.payment_due_at is None or not _claim_payment_status(order, "unpaid", "expired"):
        return False
    for part in order.parts:
        if part.state in TRANSITIONS["cancel"][0]:
            for line in part.lines:
                stock.release(part.location_id, line.product_id, line.quantity, reference=order.number)
            part.state = "cancelled"
    _announce_expired(order)
    return True


def _announce_expired(order: Order) -> None:
    with force_locale(order.locale):
        if is_pickup(order) and not prepaid(order.payment_method):
            subject = _("Order %(number)s is cancelled: not collected", number=order.number)
            body = _("Hello %(name)s,\n\nOrder %(number)s was not collected at the sales point in time, so it is "
                     "cancelled and its goods are back on sale. You are welcome to order again.",
                     name=order.contact_name, number=order.number)
        else:
            subject = _("Order %(number)s is cancelled: not paid in time", number=order.number)
            body = _("Hello %(name)s,\n\nWe did not receive the payment for order %(number)s in time, so it is "
                     "cancelled and nothing will be charged. You are welcome to order again.",
                     name=order.contact_name, number=order.number)
    queue_email(order.contact_email, subject, body)


def _announce_paid(order: Order) -> None:
    with force_locale(order.locale):
        queue_email(order.contact_email, _("Order %(number)s: payment received", number=order.number),
                    _("Hello %(name)s,\n\nWe received %(total)s for order %(number)s. The producers now prepare it.\n"
                      "%(url)s", name=order.contact_name, total=vnd(order.total_vnd), number=order.number,
                      url=order_url(order)))


def _announce_state(part: OrderPart) -> None:
    order = part.order
    with force_locale(order.locale):
        names = {"confirmed": _("confirmed"), "packed": _("ready for pickup") if is_pickup(order) else _("packed"),
                 "shipped": _("handed to the post"), "delivered": _("collected") if is_pickup(order) else _("delivered"),
                 "cancelled": _("cancelled"), "returned": _("returned")}
        subject = _("Order %(number)s: %(seller)s — %(state)s", number=order.number, seller=part.seller.legal_name,
                    state=names[part.state])
        body = _("Hello %(name)s,\n\n%(subject)s.", name=order.contact_name, subject=subject)
    queue_email(order.contact_email, subject, body)


# --- Lists -----------------------------------------------------------------------------------------

def pickup_parts(location_id: int, open_only: bool = True) -> list[OrderPart]:
    """The parts of orders to be collected at this sales point."""
    query = select(OrderPart).join(Order).where(Order.pickup_location_id == location_id)
    if open_only:
        query = query.where(OrderPart.state.in_(("placed", "confirmed", "packed")))
    return db.session.scalars(query.order_by(OrderPart.id)).all()


def pickup_part(location_id: int, part_id: int) -> OrderPart | None:
    part = db.session.get(OrderPart, part_id)
    return part if part is not None and part.order.pickup_location_id == location_id else None


def seller_parts(seller_id: int) -> list[OrderPart]:
    return db.session.scalars(select(OrderPart).where(OrderPart.seller_id == seller_id)
                              .order_by(OrderPart.id.desc())).all()


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


def orders_of(user_id: int) -> list[Order]:
    return db.session.scalars(select(Order).where(Order.user_id == user_id).order_by(Order.id.desc())).all()
