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
