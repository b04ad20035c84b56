"""Checkout: what an order will cost (goods, delivery by post or pickup at a point), which ways to pay the
shop offers, and placing an order: split by seller, its stock reserved in the same transaction through the
inventory ledger, every line in one guarded update; if any line cannot be reserved, nothing is written. Then the order belongs
to the pipeline (`services`)."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import ocop
from ..catalog.services import Listing, listings_by_ids
from ..combos.services import ComboOffer
from ..combos.services import offers_by_ids as combo_offers
from ..extensions import db
from ..inventory import services as stock
from ..inventory.models import SalesPoint
from ..inventory.queries import point_at
from ..models_base import utcnow
from ..outbox.services import queue_email
from ..sellers.models import Seller
from ..unit_of_work import lock
from . import cart as carts
from .models import PREPAID, Order, OrderCombo, OrderLine, OrderPart
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


@dataclass
class Extras:
    """What a visitor may add to an order: a gift (a message card, wrapping by the point that fulfils it, no
    prices on the packing slip), a hotel to deliver to (the contact's address is the hotel's), and a VAT
    refund request for departure."""
    is_gift: bool = False
    gift_message: str | None = None
    wrap: bool = False
    hotel_name: str | None = None
    guest_name: str | None = None
    deliver_by: dt.date | None = None
    vat_refund: bool = False
    passport_no: str | None = None
    nationality: str | None = None
    departure_date: dt.date | None = None
    departure_airport: str | None = None
    invoice_company: str | None = None
    invoice_tax_code: str | None = None
    invoice_address: str | None = None

    def fields(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__ if name != "wrap"}


def delivery_fee(origin_province_code: int, province_code: int, goods_vnd: int) -> int:
    """Post by zone, for one parcel: inside the province it leaves from or not; free from a threshold."""
    config = current_app.config
    if goods_vnd >= config["FREE_DELIVERY_FROM"]:
        return 0
    if origin_province_code == province_code:
        return config["DELIVERY_FEE_SAME_PROVINCE"]
    return config["DELIVERY_FEE_OTHER_PROVINCE"]


def _new_number() -> str:
    while True:
        number = f"{ocop.today():%y%m%d}-{secrets.randbelow(10 ** 6):06d}"
        if db.session.scalar(select(Order.id).where(Order.number == number)) is None:
            return number


# --- What an order will cost -------------------------------------------------------------------------

MAX_ORDER_TOTAL = 2_000_000_000  # đồng: an order beyond this is a typing mistake (and beyond the columns)

@dataclass
class QuotedLine:
    """A product as it will be ordered: bought alone (at its price), or as an item of a gift combo (with its
    share of the combo's price), from a place: a sales point's shelf, or (None) its seller's warehouse."""
    listing: Listing
    quantity: int
    subtotal_vnd: int
    location_id: int | None
    combo: ComboOffer | None = None
    boxes: int = 0  # how many of the combo

    @property
    def product(self):
        return self.listing.product


@dataclass
class QuotedPart:
    """One seller's share from one place (a seller's goods bought alone and in a box packed at a point are
    two parts: two places to take them from)."""
    seller: Seller
    location_id: int | None
    lines: list[QuotedLine]
    goods_vnd: int = 0
    delivery_vnd: int = 0

    @property
    def listings(self) -> list:
        return [line.listing for line in self.lines]


@dataclass
class Quote:
    """What the buyer is asked to pay for `items` ({product id: quantity}) and `combos` ({combo id: boxes})
    delivered to a province (or collected at a point): the unit prices of now, one part per seller and
    place with its delivery fee, and the total."""
    items: dict[int, int]
    parts: list[QuotedPart]
    unit_prices: dict[int, int]
    combos: dict[int, int] = field(default_factory=dict)
    offers: dict[int, ComboOffer] = field(default_factory=dict)
    wrap_vnd: int = 0

    @property
    def goods_vnd(self) -> int:
        return sum(part.goods_vnd for part in self.parts)

    @property
    def delivery_vnd(self) -> int:
        return sum(part.delivery_vnd for part in self.parts)

    @property
    def total_vnd(self) -> int:
        return self.goods_vnd + self.delivery_vnd + self.wrap_vnd

    @property
    def lines(self) -> list[QuotedLine]:
        return [line for part in self.parts for line in part.lines]

    @property
    def parcels(self) -> int:
        """Parcels a delivered order arrives in: one per producer's warehouse, one per sales point."""
        return len({part.location_id or f"warehouse-{part.seller.id}" for part in self.parts})


def _check_limits(items: dict[int, int], combos: dict[int, int]) -> None:
    if not items and not combos:
        raise CheckoutError("empty")
    limit = current_app.config["MAX_UNITS_PER_LINE"]
    too_many = [{"product_id": pid, "requested": qty, "limit": limit} for pid, qty in items.items() if qty > limit]
    too_many += [{"combo_id": cid, "requested": qty, "limit": limit} for cid, qty in combos.items() if qty > limit]
    if too_many:
        raise CheckoutError("too_many_units", too_many)


def _combo_lines(combos: dict[int, int], shelf: int | None) -> tuple[list[QuotedLine], dict]:
    """Each box's items with their share of its price; a box packed at a point leaves only from there (collected
    there, or sent from there: `shelf`, when the whole order is one point's)."""
    found = combo_offers(combos)
    unlisted = [{"combo_id": cid} for cid in combos if cid not in found or not found[cid].listable]
    if unlisted:
        raise CheckoutError("unlisted", unlisted)
    elsewhere = [{"combo_id": cid} for cid, offer in found.items()
                 if shelf is not None and offer.location_id not in (None, shelf)]
    if elsewhere:
        raise CheckoutError("combo_elsewhere", elsewhere)
    lines = []
    for cid in sorted(combos):
        offer, boxes = found[cid], combos[cid]
        for item, share in zip(offer.items, offer.shares(), strict=True):
            lines.append(QuotedLine(item.info.listing, item.quantity * boxes, share * boxes,
                                    shelf or offer.location_id, offer, boxes))
    return lines, found


def quote(items: dict[int, int], province_code: int | None, pickup_location_id: int | None = None,
          combos: dict[int, int] | None = None, from_point: SalesPoint | None = None, wrap: bool = False) -> Quote:
    """Price `items` ({product id: quantity}) and `combos` ({combo id: boxes}) as they would be ordered now:
    collected at a point (`pickup_location_id`), sent from a point's shelf (`from_point`: a hotel delivery),
    or by post from the producers (and the points that pack gift boxes); `wrap`: gift wrapping by the point
    that fulfils the order. Raises CheckoutError (empty, too_many_units, unlisted, book_instead,
    combo_elsewhere, wrap_unavailable) for what could never be ordered."""
    combos = combos or {}
    _check_limits(items, combos)
    listings = {listing.product.id: listing for listing in listings_by_ids(list(items), photos=False)}
    unlisted = [{"product_id": pid} for pid in items if pid not in listings]
    if unlisted:
        raise CheckoutError("unlisted", unlisted)
    experiences = [{"product_id": pid} for pid in items if listings[pid].product.is_service]
    if experiences:  # places in a dated session are booked (`place_booking`), not bought as goods
        raise CheckoutError("book_instead", experiences)
    shelf = pickup_location_id or (from_point.location_id if from_point is not None else None)
    lines = [QuotedLine(listings[pid], qty, listings[pid].product.price_vnd * qty, shelf)
             for pid, qty in sorted(items.items())]
    combo_lines, found = _combo_lines(combos, shelf)
    _check_units(lines + combo_lines)
    parts: dict[tuple[int, int | None], QuotedPart] = {}
    for line in lines + combo_lines:
        part = parts.setdefault((line.listing.seller.id, line.location_id),
                                QuotedPart(line.listing.seller, line.location_id, []))
        part.lines.append(line)
        part.goods_vnd += line.subtotal_vnd
    _charge_delivery(list(parts.values()), province_code, pickup_location_id)
    quoted = Quote(items, list(parts.values()), {pid: listing.product.price_vnd for pid, listing in listings.items()},
                   combos, found)
    if wrap:
        quoted.wrap_vnd = _wrap_fee(shelf)
    if quoted.total_vnd > MAX_ORDER_TOTAL:
        raise CheckoutError("total_too_large", [{"limit": MAX_ORDER_TOTAL}])
    return quoted


def _check_units(lines: list[QuotedLine]) -> None:
    """At most MAX_UNITS_PER_LINE units of one product in one order, alone and in boxes together; what goes
    over is named: the product bought alone, else the boxes holding it."""
    limit, units = current_app.config["MAX_UNITS_PER_LINE"], {}
    for line in lines:
        units[line.product.id] = units.get(line.product.id, 0) + line.quantity
    over = {pid for pid, n in units.items() if n > limit}
    named = {}
    for line in lines:
        if line.product.id in over:
            key = ("product_id", line.product.id) if line.combo is None else ("combo_id", line.combo.id)
            named[key] = line.quantity if line.combo is None else line.boxes
    if named:
        raise CheckoutError("too_many_units", [{kind: ident, "requested": n, "limit": limit}
                                               for (kind, ident), n in named.items()])


def _wrap_fee(shelf: int | None) -> int:
    """Gift wrapping is done by the point that fulfils the whole order, at its fee."""
    point = point_at(shelf)
    if point is None or point.gift_wrap_vnd is None:
        raise CheckoutError("wrap_unavailable")
    return point.gift_wrap_vnd


def _charge_delivery(parts: list[QuotedPart], province_code: int | None, pickup_location_id: int | None) -> None:
    """One fee per parcel: a producer's parcel from its warehouse; one parcel for all a sales point packs
    (charged on the first of its parts), by the point's province; nothing for a pickup."""
    if pickup_location_id is not None:
        return
    parcels: dict[int | None, list[QuotedPart]] = {}
    for part in parts:
        if part.location_id is None:
            part.delivery_vnd = delivery_fee(part.seller.province_code, province_code, part.goods_vnd)
        else:
            parcels.setdefault(part.location_id, []).append(part)
    points = {point.location_id: point for point in db.session.scalars(
        select(SalesPoint).where(SalesPoint.location_id.in_(list(parcels))))} if parcels else {}
    for location_id, packed in parcels.items():
        goods = sum(part.goods_vnd for part in packed)
        packed[0].delivery_vnd = delivery_fee(points[location_id].province_code, province_code, goods)


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


def _limit_open_orders(phone: str, bookings: bool = False) -> None:
    """At most MAX_OPEN_ORDERS_PER_PHONE orders of goods waiting for payment (or for cash on delivery) per
    phone, and MAX_OPEN_BOOKINGS_PER_PHONE bookings (a tourist booking the week's experiences may still buy
    gifts). Counted after this order is written and under a lock on the number, so two at once cannot both
    pass."""
    lock(f"orders-of-phone:{phone}")
    db.session.flush()
    limit = current_app.config["MAX_OPEN_BOOKINGS_PER_PHONE" if bookings else "MAX_OPEN_ORDERS_PER_PHONE"]
    kind = Order.parts.any(OrderPart.booking.is_(True))
    open_orders = db.session.scalar(select(func.count(Order.id)).where(
        Order.contact_phone == phone, Order.payment_status == "unpaid", kind if bookings else ~kind))
    if open_orders > limit:
        raise CheckoutError("too_many_open_orders", [{"limit": limit}])


def _shortages(quoted: Quote, where: dict[int, int], error: stock.OutOfStock) -> list[dict]:
    """Every product bought alone, and every combo, that cannot be had in the quantity asked, from what the
    refused reservation (`error`) found short; `where`: the location each quoted line takes from (by id)."""
    short, available = set(error.short), error.available_before

    def at(line: QuotedLine) -> tuple[int, int]:
        return where[id(line)], line.product.id

    found = [{"product_id": line.product.id, "requested": line.quantity, "available": available[at(line)]}
             for line in quoted.lines if line.combo is None and at(line) in short]
    for cid, boxes in sorted(quoted.combos.items()):
        lines = [line for line in quoted.lines if line.combo is not None and line.combo.id == cid]
        if any(at(line) in short for line in lines):
            found.append({"combo_id": cid, "requested": boxes,
                          "available": min(available[at(line)] // (line.quantity // boxes) for line in lines)})
    return found


def place_order(items: dict[int, int], contact: Contact, payment_method: str, *, user=None, locale: str = "vi",
                from_cart: bool = False, pickup_location_id: int | None = None,
                seen_prices: dict[int, int] | None = None, seen_total: int | None = None,
                client_key: str | None = None, combos: dict[int, int] | None = None,
                from_point: SalesPoint | None = None, extras: Extras | None = None) -> Order:
    """Place an order for `items` ({product id: quantity}) and `combos` ({combo id: boxes}), split by seller
    and place, reserving the stock in each seller's warehouse (a box packed at a sales point: on its shelf),
    or all of it at one sales point for a pickup (`pickup_location_id`), in the caller's unit of work: every
    unit of every box, or nothing. When the buyer's page showed prices or a total, they must still hold.
    The order keeps the page's `client_key` (unique: see `unit_of_work.run_once`, which answers a repeat).
    A hotel delivery is sent from `from_point`'s shelf, within its province. `extras`: a gift, a hotel, a VAT
    refund request.
    Raises CheckoutError: payment_unavailable, empty, too_many_units, unlisted, combo_elsewhere,
    wrap_unavailable, hotel_outside_province, price_changed (with the changes), out_of_stock (with the
    products or combos) or too_many_open_orders."""
    extras = extras or Extras()
    if payment_method not in available_methods(pickup=pickup_location_id is not None):
        raise CheckoutError("payment_unavailable")
    if from_point is not None and from_point.province_code != contact.province_code:
        raise CheckoutError("hotel_outside_province")
    quoted = quote(items, contact.province_code, pickup_location_id, combos, from_point, extras.wrap)
    changes = price_changes(quoted, seen_prices, seen_total)
    if changes:
        raise CheckoutError("price_changed", changes, quoted)
    signed_in = user is not None and user.is_authenticated
    order = Order(number=_new_number(), access_token=secrets.token_urlsafe(24), user_id=user.id if signed_in else None,
                  contact_name=contact.name, contact_phone=contact.phone, contact_email=contact.email,
                  province_code=contact.province_code, ward_code=contact.ward_code, street=contact.street,
                  payment_method=payment_method, goods_vnd=quoted.goods_vnd, delivery_vnd=quoted.delivery_vnd,
                  wrap_vnd=quoted.wrap_vnd, total_vnd=quoted.total_vnd, locale=locale,
                  pickup_location_id=pickup_location_id, client_key=client_key or None, **extras.fields())
    if payment_method in PREPAID:
        order.payment_due_at = utcnow() + dt.timedelta(minutes=current_app.config["ORDER_PAYMENT_TIMEOUT_MINUTES"])
    elif pickup_location_id is not None:
        order.payment_due_at = utcnow() + dt.timedelta(days=current_app.config["PICKUP_HOLD_DAYS"])
    boxes = {cid: OrderCombo(combo_id=cid, code=offer.combo.code, name=offer.combo.name, name_en=offer.combo.name_en,
                             unit_price_vnd=offer.price_vnd, quantity=quoted.combos[cid])
             for cid, offer in sorted(quoted.offers.items())}
    order.combos = list(boxes.values())  # assigned, not extended: known empty, never loaded after the flush
    holds: dict[tuple[int, int], int] = {}  # (location, product): units
    where: dict[int, int] = {}  # the location each quoted line takes from, by id(line)
    warehouses = stock.warehouses_of([part.seller for part in quoted.parts if part.location_id is None])
    for quoted_part in quoted.parts:
        location_id = quoted_part.location_id or warehouses[quoted_part.seller.id]
        part = OrderPart(seller=quoted_part.seller, location_id=location_id,
                         goods_vnd=quoted_part.goods_vnd, delivery_vnd=quoted_part.delivery_vnd)
        for line in quoted_part.lines:
            product, record = line.product, line.listing.record
            part.lines.append(OrderLine(product_id=product.id, name=product.name, name_en=product.name_en,
                                        unit=product.unit, stars=record.stars, decision_no=record.decision_no,
                                        unit_price_vnd=max(1, round(line.subtotal_vnd / line.quantity)),
                                        quantity=line.quantity, subtotal_vnd=line.subtotal_vnd,
                                        vat_rate=product.vat_rate, order_combo=boxes[line.combo.id] if line.combo is not None else None))
            holds[location_id, product.id] = holds.get((location_id, product.id), 0) + line.quantity
            where[id(line)] = location_id
        order.parts.append(part)
    db.session.add(order)
    db.session.flush()  # the page's key first: a repeat of this submission stops here (unique), not at the stock
    _announce_placed(order)  # written before the stock is held: the rows other buyers want are held shorter
    if from_cart:
        carts.clear(user)  # a shopper's saved cart goes in this transaction (a guest's: after commit)
    # Every line at once: one guarded update whose rows decide (no reading of the stock before: the update
    # answers), then one insert of the movements. Short, it names every short line, and the unit of work
    # rolls back the order, its email and the rows it did hold.
    try:
        stock.reserve_all(holds, reference=order.number)
    except stock.OutOfStock as error:
        raise CheckoutError("out_of_stock", _shortages(quoted, where, error)) from error
    _limit_open_orders(contact.phone)
    return order


@dataclass
class Seats:
    """What a booking buys: places in one dated session of an experience (the `experiences` package knows the
    session and has taken its seats; here they are sold like goods, without stock or a parcel)."""
    product_id: int
    adults: int
    children: int
    price_vnd: int  # per adult
    child_price_vnd: int  # per child (0: free)
    meeting_point: str
    starts_at: dt.datetime  # paid online: by then at the latest
    ends_at: dt.datetime  # paid on site: the host records the visit by then (and a day more), or it lapses

    @property
    def goods_vnd(self) -> int:
        return self.adults * self.price_vnd + self.children * self.child_price_vnd


def booking_methods() -> tuple[str, ...]:
    """How a visitor may pay for places: to the host on arrival, or online when the shop takes VietQR or cards."""
    return ("on_site", *(method for method in available_methods() if method in PREPAID))


def place_booking(seats: Seats, contact: Contact, payment_method: str, *, user=None, locale: str = "vi",
                  client_key: str | None = None) -> Order:
    """An order for places in an experience's session, in the caller's unit of work (where the seats were
    taken): one part of the host's, flagged `booking` (no stock held, nothing to ship), a line for the adults
    and one for the children who pay; paid to the host on arrival, or online by `payment_due_at` (the expiry
    cancels it like any unpaid order, and the part's cancellation gives the seats back). The contact's address
    is the host's place. The visitor's email (with the voucher) is the caller's to write. Paid on site, the
    order lapses (like an uncollected pickup) when the host recorded neither the visit nor a no-show within
    ON_SITE_CLOSE_HOURS of the end, so it does not count as open for ever.
    Raises CheckoutError: payment_unavailable, unlisted, total_too_large, too_many_open_orders."""
    if payment_method not in booking_methods():
        raise CheckoutError("payment_unavailable")
    if seats.goods_vnd > MAX_ORDER_TOTAL:
        raise CheckoutError("total_too_large", [{"limit": MAX_ORDER_TOTAL}])
    listing = next(iter(listings_by_ids([seats.product_id], photos=False)), None)
    if listing is None or not listing.product.is_service:
        raise CheckoutError("unlisted", [{"product_id": seats.product_id}])
    product, record, host = listing.product, listing.record, listing.seller
    signed_in = user is not None and user.is_authenticated
    order = Order(number=_new_number(), access_token=secrets.token_urlsafe(24), user_id=user.id if signed_in else None,
                  contact_name=contact.name, contact_phone=contact.phone, contact_email=contact.email,
                  province_code=host.province_code, ward_code=host.ward_code or 0, street=seats.meeting_point[:300],
                  payment_method=payment_method, goods_vnd=seats.goods_vnd, delivery_vnd=0, total_vnd=seats.goods_vnd,
                  locale=locale, client_key=client_key or None)
    if payment_method in PREPAID:  # the usual time to pay, and never past the start
        order.payment_due_at = min(seats.starts_at, utcnow() + dt.timedelta(
            minutes=current_app.config["ORDER_PAYMENT_TIMEOUT_MINUTES"]))
    else:
        order.payment_due_at = seats.ends_at + dt.timedelta(hours=current_app.config["ON_SITE_CLOSE_HOURS"])
    part = OrderPart(seller=host, location_id=stock.warehouses_of([host])[host.id], goods_vnd=seats.goods_vnd,
                     delivery_vnd=0, booking=True)
    paying = [(seats.adults, seats.price_vnd, product.name, product.name_en)]
    if seats.children and seats.child_price_vnd:
        with force_locale("vi"):  # an order line keeps its Vietnamese name and its English one
            child = _("child")
        paying.append((seats.children, seats.child_price_vnd, f"{product.name} ({child})",
                       f"{product.name_en or product.name} (child)"))
    for quantity, price, name, name_en in paying:
        part.lines.append(OrderLine(product_id=product.id, name=name[:300], name_en=(name_en or "")[:300] or None,
                                    unit=product.unit, stars=record.stars, decision_no=record.decision_no,
                                    unit_price_vnd=price, quantity=quantity, subtotal_vnd=price * quantity,
                                    vat_rate=product.vat_rate))
    order.combos = []
    order.parts.append(part)
    db.session.add(order)
    db.session.flush()  # the page's key first: a repeat of this submission stops here (unique)
    _limit_open_orders(contact.phone, bookings=True)
    return order


def place_cart_order(user, contact: Contact, payment_method: str, locale: str = "vi",
                     pickup_location_id: int | None = None, seen_prices: dict[int, int] | None = None,
                     seen_total: int | None = None, client_key: str | None = None,
                     from_point: SalesPoint | None = None, extras: Extras | None = None) -> Order:
    """Check out the cart as it is shown: any line unlisted, out of stock or short stops it (for a pickup,
    what the producers' warehouses hold does not matter: the point's shelf is checked when placing)."""
    view = carts.view(user)
    if not view.all_lines:
        raise CheckoutError("empty")

    def matters(line, from_warehouse: bool) -> bool:
        at_point = pickup_location_id is not None or from_point is not None
        return bool(line.problem) and not (at_point and from_warehouse and line.problem != "unlisted")

    problems = [{"product_id": line.product_id, "problem": line.problem, "available": line.available}
                for line in view.lines if matters(line, True)]
    problems += [{"combo_id": line.combo_id, "problem": line.problem, "available": line.available}
                 for line in view.combos if matters(line, line.offer is not None and line.offer.point is None)]
    if problems:
        raise CheckoutError("cart_changed", problems)
    return place_order(view.items, contact, payment_method, user=user, locale=locale, from_cart=True,
                       pickup_location_id=pickup_location_id, seen_prices=seen_prices, seen_total=seen_total,
                       client_key=client_key, combos=view.combo_items, from_point=from_point, extras=extras)


def _announce_placed(order: Order) -> None:
    with force_locale(order.locale):
        queue_email(order.contact_email, _("Order %(number)s is placed", number=order.number), "order_placed",
                    order=order, url=order_url(order), minutes=current_app.config["ORDER_PAYMENT_TIMEOUT_MINUTES"])
