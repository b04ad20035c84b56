"""Placing orders. Stock is reserved for every line in the same transaction as the order, through
the inventory ledger; if any line cannot be reserved, nothing is written."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from .. import ocop
from ..extensions import db
from ..i18n import vnd
from ..inventory import services as stock
from ..outbox.services import queue_email
from . import cart as carts
from .models import Order, OrderLine, OrderPart


class CheckoutError(ValueError):
    def __init__(self, code: str, items: list[dict] | None = None):
        super().__init__(code)
        self.code, self.items = code, items or []


@dataclass
class Contact:
    name: str
    phone: str
    email: str
    province_code: int
    ward_code: int
    street: str


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


def place_order(user, contact: Contact, payment_method: str, locale: str = "vi") -> Order:
    """Turn the cart into an order split by seller, reserving stock; clears the cart; commits."""
    if payment_method != "cod":
        raise CheckoutError("payment_unavailable")
    view = carts.view(user)
    if not view.lines:
        raise CheckoutError("empty_cart")
    problems = [{"product_id": line.product_id, "problem": line.problem, "available": line.available}
                for line in view.lines if line.problem]
    if problems:
        raise CheckoutError("cart_changed", problems)

    by_seller: dict[int, list] = {}
    for line in view.lines:
        by_seller.setdefault(line.listing.seller.id, []).append(line)
    order = Order(number=_new_number(), access_token=secrets.token_urlsafe(24),
                  user_id=user.id if user.is_authenticated else None, contact_name=contact.name,
                  contact_phone=contact.phone, contact_email=contact.email, province_code=contact.province_code,
                  ward_code=contact.ward_code, street=contact.street, payment_method=payment_method,
                  goods_vnd=0, delivery_vnd=0, total_vnd=0, locale=locale)
    try:
        for lines in by_seller.values():
            seller = lines[0].listing.seller
            location = stock.warehouse_of(seller)
            goods = sum(line.subtotal for line in lines)
            shipped = any(not line.listing.product.is_service for line in lines)
            part = OrderPart(seller_id=seller.id, location_id=location.id, goods_vnd=goods,
                             delivery_vnd=delivery_fee(seller, contact.province_code, goods, shipped))
            for line in lines:
                product, record = line.listing.product, line.listing.record
                stock.reserve(location.id, product.id, line.quantity, reference=order.number)
                part.lines.append(OrderLine(product_id=product.id, name=product.name, name_en=product.name_en,
                                            unit=product.unit, stars=record.stars, decision_no=record.decision_no,
                                            unit_price_vnd=product.price_vnd, quantity=line.quantity))
            order.parts.append(part)
        order.goods_vnd = sum(p.goods_vnd for p in order.parts)
        order.delivery_vnd = sum(p.delivery_vnd for p in order.parts)
        order.total_vnd = order.goods_vnd + order.delivery_vnd
        db.session.add(order)
        db.session.flush()
        _announce_placed(order)
        carts.clear(user)  # a shopper's saved cart goes in this transaction
        db.session.commit()
    except stock.OutOfStock as error:
        db.session.rollback()
        raise CheckoutError("out_of_stock", [{"product_id": error.product_id, "available": error.available}]) \
            from error
    except Exception:
        db.session.rollback()
        raise
    carts.forget_guest_cart(user)  # a guest's, only once the order is safely written
    return order


def _announce_placed(order: Order) -> None:
    with force_locale(order.locale):
        subject = _("Order %(number)s is placed", number=order.number)
        lines = [f"- {line.name} × {line.quantity}: {vnd(line.subtotal)}" for part in order.parts for line in part.lines]
        body = "\n".join([
            _("Thank you, %(name)s.", name=order.contact_name), "", *lines, "",
            _("Delivery: %(fee)s", fee=vnd(order.delivery_vnd)), _("Total: %(total)s", total=vnd(order.total_vnd)),
            _("Payment: cash on delivery."),
        ])
    queue_email(order.contact_email, subject, body)


def find_order(number: str, token: str | None) -> Order | None:
    order = db.session.scalar(select(Order).where(Order.number == number))
    if order is None or not token or not secrets.compare_digest(order.access_token, token):
        return None
    return order


# --- THE order state machine ----------------------------------------------------------------------

# action: (states it applies to, the state it leads to)
TRANSITIONS = {
    "confirm": ({"placed"}, "confirmed"),
    "pack": ({"confirmed"}, "packed"),
    "ship": ({"packed"}, "shipped"),
    "deliver": ({"shipped"}, "delivered"),
    "cancel": ({"placed", "confirmed", "packed"}, "cancelled"),
    "return": ({"delivered"}, "returned"),
}


class TransitionError(ValueError):
    pass


def allowed_actions(part: OrderPart) -> list[str]:
    return [action for action, (sources, _target) in TRANSITIONS.items() if part.state in sources]


def move(part: OrderPart, action: str, actor_id: int | None = None) -> OrderPart:
    """Move one seller's part of an order, with its stock effect and the buyer's email; commits.
    Shipping hands the goods over: the reservation leaves on hand. Cancelling releases it.
    A return puts the goods back on hand."""
    if action not in TRANSITIONS or part.state not in TRANSITIONS[action][0]:
        raise TransitionError(action)
    order = part.order
    for line in part.lines:
        if action == "ship":
            stock.commit_reserved(part.location_id, line.product_id, line.quantity, reference=order.number)
        elif action == "cancel":
            stock.release(part.location_id, line.product_id, line.quantity, reference=order.number)
        elif action == "return":
            stock.receive(part.location_id, line.product_id, line.quantity, reference=order.number,
                          actor_id=actor_id, kind="return", reason="returned by the buyer")
    part.stock_committed = part.stock_committed or action == "ship"
    part.state = TRANSITIONS[action][1]
    if order.payment_method == "cod" and all(p.state in ("delivered", "cancelled") for p in order.parts) \
            and any(p.state == "delivered" for p in order.parts):
        order.payment_status = "paid"  # the carrier collected the cash
    _announce_state(part)
    db.session.commit()
    return part


def cancel_by_buyer(order: Order) -> None:
    """The buyer may cancel while no seller has confirmed yet."""
    if not all(part.state == "placed" for part in order.parts):
        raise TransitionError("cancel")
    for part in order.parts:
        move(part, "cancel")


def _announce_state(part: OrderPart) -> None:
    order = part.order
    with force_locale(order.locale):
        names = {"confirmed": _("confirmed"), "packed": _("packed"), "shipped": _("handed to the post"),
                 "delivered": _("delivered"), "cancelled": _("cancelled"), "returned": _("returned")}
        subject = _("Order %(number)s: %(seller)s — %(state)s", number=order.number, seller=part.seller.legal_name,
                    state=names[part.state])
        body = _("Hello %(name)s,\n\n%(subject)s.", name=order.contact_name, subject=subject)
    queue_email(order.contact_email, subject, body)


def seller_parts(seller_id: int) -> list[OrderPart]:
    return db.session.scalars(select(OrderPart).where(OrderPart.seller_id == seller_id)
                              .order_by(OrderPart.id.desc())).all()


def seller_part(seller_id: int, part_id: int) -> OrderPart | None:
    part = db.session.get(OrderPart, part_id)
    return part if part is not None and part.seller_id == seller_id else None


def orders_of(user_id: int) -> list[Order]:
    return db.session.scalars(select(Order).where(Order.user_id == user_id).order_by(Order.id.desc())).all()
