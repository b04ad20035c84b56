"""Checkout: what an order will cost (goods, delivery by post or pickup at a point), which ways to pay the
shop offers, and placing an order: split by seller, its stock reserved line by line in the same transaction
through the inventory ledger; if any line cannot be reserved, nothing is written. Then the order belongs
to the pipeline (`services`)."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import ocop
from ..catalog.purchase import purchase_info
from ..catalog.services import listings_by_ids
from ..extensions import db
from ..inventory import services as stock
from ..models_base import utcnow
from ..outbox.services import queue_email
from ..sellers.models import Seller
from ..unit_of_work import lock
from . import cart as carts
from .models import PREPAID, Order, OrderLine, OrderPart
from .services import order_url


class CheckoutError(ValueError):
    """Why an order could not be placed: `code`, the products concerned in `items`, and for a price
    change the new `quote`."""

    def __init__(self, code: str, items: list[dict] | None = None, quote: Quote | None = None):
        super().__init__(code)
        self.code, self.items, self.quote = code, items or [], quote


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


# --- What an order will cost -------------------------------------------------------------------------

@dataclass
class QuotedPart:
    seller: Seller
    listings: list
    goods_vnd: int
    delivery_vnd: int


@dataclass
class Quote:
    """What the buyer is asked to pay for `items` delivered to a province (or collected at a point):
    the unit prices of now, one part per seller with its delivery fee, and the total."""
    items: dict[int, int]
    parts: list[QuotedPart]
    unit_prices: dict[int, int]

    @property
    def goods_vnd(self) -> int:
        return sum(part.goods_vnd for part in self.parts)

    @property
    def delivery_vnd(self) -> int:
        return sum(part.delivery_vnd for part in self.parts)

    @property
    def total_vnd(self) -> int:
        return self.goods_vnd + self.delivery_vnd


def quote(items: dict[int, int], province_code: int | None, pickup_location_id: int | None = None) -> Quote:
    """Price `items` ({product id: quantity}) as they would be ordered now. Raises CheckoutError
    (empty, too_many_units, unlisted) for what could never be ordered."""
    if not items:
        raise CheckoutError("empty")
    limit = current_app.config["MAX_UNITS_PER_LINE"]
    too_many = [{"product_id": pid, "requested": qty, "limit": limit} for pid, qty in items.items() if qty > limit]
    if too_many:
        raise CheckoutError("too_many_units", too_many)
    listings = {listing.product.id: listing for listing in listings_by_ids(list(items))}
    unlisted = [{"product_id": pid} for pid in items if pid not in listings]
    if unlisted:
        raise CheckoutError("unlisted", unlisted)
    by_seller: dict[int, list] = {}
    for product_id in sorted(items):
        by_seller.setdefault(listings[product_id].seller.id, []).append(listings[product_id])
    parts = []
    for of_seller in by_seller.values():
        seller = of_seller[0].seller
        goods = sum(listing.product.price_vnd * items[listing.product.id] for listing in of_seller)
        shipped = pickup_location_id is None and any(not listing.product.is_service for listing in of_seller)
        parts.append(QuotedPart(seller, of_seller, goods, delivery_fee(seller, province_code, goods, shipped)))
    return Quote(items, parts, {pid: listing.product.price_vnd for pid, listing in listings.items()})


def price_changes(quoted: Quote, seen_prices: dict[int, int] | None, seen_total: int | None) -> list[dict]:
    """What differs between the prices the buyer saw and the prices of now (empty: nothing)."""
    changes = [{"product_id": pid, "was": seen_prices[pid], "now": price}
               for pid, price in quoted.unit_prices.items()
               if seen_prices is not None and pid in seen_prices and seen_prices[pid] != price]
    if seen_total is not None and seen_total != quoted.total_vnd:
        changes.append({"total_was": seen_total, "total_now": quoted.total_vnd})
    return changes


# --- Placing an order --------------------------------------------------------------------------------

def available_methods(pickup: bool = False) -> tuple[str, ...]:
    """The ways to pay this shop offers: cash on delivery by post, or at the sales point for a pickup;
    VietQR once the operator's account is set, card once Stripe's key is."""
    config = current_app.config
    methods = ["at_point" if pickup else "cod"]
    if config["VIETQR_BANK_BIN"] and config["VIETQR_ACCOUNT_NO"]:
        methods.append("vietqr")
    if config["STRIPE_SECRET_KEY"]:
        methods.append("card")
    return tuple(methods)


def _limit_open_orders(phone: str) -> None:
    """At most MAX_OPEN_ORDERS_PER_PHONE orders waiting for payment (or for cash on delivery) per phone.
    Counted after this order is written and under a lock on the number, so two at once cannot both pass."""
    lock(f"orders-of-phone:{phone}")
    db.session.flush()
    limit = current_app.config["MAX_OPEN_ORDERS_PER_PHONE"]
    open_orders = db.session.scalar(select(func.count(Order.id)).where(Order.contact_phone == phone,
                                                                       Order.payment_status == "unpaid"))
    if open_orders > limit:
        raise CheckoutError("too_many_open_orders", [{"limit": limit}])


def place_order(items: dict[int, int], contact: Contact, payment_method: str, *, user=None, locale: str = "vi",
                from_cart: bool = False, pickup_location_id: int | None = None,
                seen_prices: dict[int, int] | None = None, seen_total: int | None = None,
                client_key: str | None = None) -> Order:
    """Place an order for `items` ({product id: quantity}) split by seller, reserving the stock in each
    seller's warehouse, or all of it at one sales point for a pickup (`pickup_location_id`), in the
    caller's unit of work. When the buyer's page showed prices or a total, they must still hold. The order
    keeps the page's `client_key` (unique: see `unit_of_work.run_once`, which answers a repeat).
    Raises CheckoutError: payment_unavailable, empty, too_many_units, unlisted, price_changed (with the
    changes), out_of_stock (with the items) or too_many_open_orders."""
    if payment_method not in available_methods(pickup=pickup_location_id is not None):
        raise CheckoutError("payment_unavailable")
    quoted = quote(items, contact.province_code, pickup_location_id)
    changes = price_changes(quoted, seen_prices, seen_total)
    if changes:
        raise CheckoutError("price_changed", changes, quoted)
    infos = purchase_info(items, pickup_location_id)
    short = [{"product_id": pid, "requested": qty, "available": infos[pid].available}
             for pid, qty in items.items() if infos[pid].why_not(qty) is not None]
    if short:  # the reservations below are the guard; this only names every short line at once
        raise CheckoutError("out_of_stock", short)

    signed_in = user is not None and user.is_authenticated
    order = Order(number=_new_number(), access_token=secrets.token_urlsafe(24), user_id=user.id if signed_in else None,
                  contact_name=contact.name, contact_phone=contact.phone, contact_email=contact.email,
                  province_code=contact.province_code, ward_code=contact.ward_code, street=contact.street,
                  payment_method=payment_method, goods_vnd=quoted.goods_vnd, delivery_vnd=quoted.delivery_vnd,
                  total_vnd=quoted.total_vnd, locale=locale, pickup_location_id=pickup_location_id,
                  client_key=client_key or None)
    if payment_method in PREPAID:
        order.payment_due_at = utcnow() + dt.timedelta(minutes=current_app.config["ORDER_PAYMENT_TIMEOUT_MINUTES"])
    elif pickup_location_id is not None:
        order.payment_due_at = utcnow() + dt.timedelta(days=current_app.config["PICKUP_HOLD_DAYS"])
    holds = []  # (location, product, quantity)
    for quoted_part in quoted.parts:
        location_id = pickup_location_id or stock.warehouse_of(quoted_part.seller).id
        part = OrderPart(seller_id=quoted_part.seller.id, location_id=location_id,
                         goods_vnd=quoted_part.goods_vnd, delivery_vnd=quoted_part.delivery_vnd)
        for listing in quoted_part.listings:
            product, record = listing.product, listing.record
            part.lines.append(OrderLine(product_id=product.id, name=product.name, name_en=product.name_en,
                                        unit=product.unit, stars=record.stars, decision_no=record.decision_no,
                                        unit_price_vnd=product.price_vnd, quantity=items[product.id]))
            holds.append((location_id, product.id, items[product.id]))
        order.parts.append(part)
    db.session.add(order)
    db.session.flush()  # the page's key first: a repeat of this submission stops here (unique), not at the stock
    # Stock-level locks are taken in one order, (location, product), so two orders of the same products
    # listed the other way round never wait for each other (no deadlock).
    for location_id, product_id, quantity in sorted(holds):
        try:
            stock.reserve(location_id, product_id, quantity, reference=order.number)
        except stock.OutOfStock as error:  # another buyer took it since the check above
            raise CheckoutError("out_of_stock", [{"product_id": error.product_id, "available": error.available,
                                                  "requested": items[error.product_id]}]) from error
    _limit_open_orders(contact.phone)
    _announce_placed(order)
    if from_cart:
        carts.clear(user)  # a shopper's saved cart goes in this transaction (a guest's: after commit)
    return order


def place_cart_order(user, contact: Contact, payment_method: str, locale: str = "vi",
                     pickup_location_id: int | None = None, seen_prices: dict[int, int] | None = None,
                     seen_total: int | None = None, client_key: str | None = None) -> Order:
    """Check out the cart as it is shown: any line unlisted, out of stock or short stops it."""
    view = carts.view(user)
    if not view.lines:
        raise CheckoutError("empty")
    problems = [{"product_id": line.product_id, "problem": line.problem, "available": line.available}
                for line in view.lines if line.problem and not (pickup_location_id and line.problem != "unlisted")]
    if problems:
        raise CheckoutError("cart_changed", problems)
    return place_order({line.product_id: line.quantity for line in view.lines}, contact, payment_method,
                       user=user, locale=locale, from_cart=True, pickup_location_id=pickup_location_id,
                       seen_prices=seen_prices, seen_total=seen_total, client_key=client_key)




def _announce_placed(order: Order) -> None:
    with force_locale(order.locale):
        queue_email(order.contact_email, _("Order %(number)s is placed", number=order.number), "order_placed",
                    order=order, url=order_url(order), minutes=current_app.config["ORDER_PAYMENT_TIMEOUT_MINUTES"])
