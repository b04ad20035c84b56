from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import SubmittedOnce, Timestamped, UTCDateTime, one_of

# The carriers a seller hands parcels to, and the page where a buyer follows one by its number ({number}).
CARRIERS = {
    "vnpost": ("Vietnam Post", "https://vnpost.vn/vi-vn/dinh-vi/buu-pham?key={number}"),
    "viettelpost": ("Viettel Post", "https://viettelpost.com.vn/tra-cuu-hanh-trinh-don/?code={number}"),
    "ghn": ("Giao Hàng Nhanh (GHN)", "https://donhang.ghn.vn/?order_code={number}"),
    "ghtk": ("Giao Hàng Tiết Kiệm (GHTK)", "https://i.ghtk.vn/{number}"),
    "jt": ("J&T Express", "https://jtexpress.vn/vi/tracking?type=track&billcode={number}"),
    "other": (_l("Another carrier"), None),
}


class CartItem(Timestamped, db.Model):
    """A signed-in shopper's cart line, a product or a gift combo (a guest's cart lives in the session)."""
    __tablename__ = "cart_items"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("(product_id IS NULL) <> (combo_id IS NULL)", name="product_or_combo"),
        UniqueConstraint("user_id", "product_id", name="uq_cart_items_user_product"),
        UniqueConstraint("user_id", "combo_id", name="uq_cart_items_user_combo"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    combo_id: Mapped[int | None] = mapped_column(ForeignKey("combos.id"))
    quantity: Mapped[int]


# The words of an order, each spelled once: the database's CHECK constraints, the services, the forms, the
# API's document and the pages all read these (key: the stored value; value: what a person reads).
PART_STATES = {
    "placed": _l("Placed"), "confirmed": _l("Confirmed"), "packed": _l("Packed"), "shipped": _l("Shipped"),
    "delivered": _l("Delivered"), "cancelled": _l("Cancelled"), "returned": _l("Returned"),
}
OPEN_STATES = frozenset({"placed", "confirmed", "packed"})  # a seller still has to act
PAYMENT_METHODS = {
    "cod": _l("Cash on delivery"), "vietqr": _l("VietQR bank transfer"), "card": _l("Card"),
    "at_point": _l("Pay at the sales point"),  # a pickup, paid at the counter when collected
    "on_site": _l("Pay the host on arrival"),  # an experience's booking, paid to the host at check-in
}
PREPAID = frozenset({"vietqr", "card"})  # paid before the goods leave, so an unpaid order expires
PAID_ON_HANDOVER = frozenset({"cod", "at_point", "on_site"})  # paid when the goods change hands (or the visitor comes)
# unpaid: waiting (cash on delivery: until delivered); expired: not paid in time, stock released;
# cancelled: every part cancelled before anything was paid (nothing to pay any more);
# refund_due: money came for goods that will not ship (paid late, a paid part cancelled or returned);
# refunded: all of it went back, nothing was kept (an order that kept goods is `paid` again once what it owed
# back went back; a later return makes a refund due again).
PAYMENT_STATUSES = {
    "unpaid": _l("awaiting payment"), "paid": _l("paid"), "expired": _l("not paid in time"),
    "cancelled": _l("nothing to pay"), "refund_due": _l("refund due"), "refunded": _l("refunded"),
}


class Order(SubmittedOnce, Timestamped, db.Model):
    """What the buyer ordered at once; split into one part per seller."""
    __tablename__ = "orders"
    __table_args__ = (
        one_of("payment_method", PAYMENT_METHODS),
        CheckConstraint("total_vnd >= 0", name="total"),
        CheckConstraint("wrap_vnd >= 0", name="wrap"),
        one_of("payment_status", PAYMENT_STATUSES),
        CheckConstraint("refunded_vnd >= 0 AND refunded_vnd <= total_vnd", name="refunded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    access_token: Mapped[str] = mapped_column(String(64), unique=True)  # the buyer's link and the API's token
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    contact_name: Mapped[str] = mapped_column(String(200))
    contact_phone: Mapped[str] = mapped_column(String(20))
    contact_email: Mapped[str] = mapped_column(String(254))
    province_code: Mapped[int]
    ward_code: Mapped[int]
    street: Mapped[str] = mapped_column(String(300))
    payment_method: Mapped[str] = mapped_column(String(10))
    payment_status: Mapped[str] = mapped_column(String(12), default="unpaid")
    # Card and VietQR: pay by then. Pickup: collect by then. Otherwise the order expires and its stock is freed.
    payment_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    pickup_location_id: Mapped[int | None] = mapped_column(ForeignKey("stock_locations.id"))  # a sales point
    goods_vnd: Mapped[int]
    delivery_vnd: Mapped[int]
    wrap_vnd: Mapped[int] = mapped_column(default=0)  # gift wrapping by the point (its fee)
    total_vnd: Mapped[int]
    refunded_vnd: Mapped[int] = mapped_column(default=0, server_default="0")  # given back so far (orders.refunds)
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    # A gift: a message card, wrapping, and no prices on the packing slip.
    is_gift: Mapped[bool] = mapped_column(default=False)
    gift_message: Mapped[str | None] = mapped_column(String(300))
    # Delivered to a hotel by the sales point of its province: the hotel is the address above.
    hotel_name: Mapped[str | None] = mapped_column(String(200))
    guest_name: Mapped[str | None] = mapped_column(String(200))
    deliver_by: Mapped[dt.date | None]
    # A foreign visitor asks for a VAT refund at departure (see `vat_refund_parts`).
    vat_refund: Mapped[bool] = mapped_column(default=False)
    passport_no: Mapped[str | None] = mapped_column(String(20))
    nationality: Mapped[str | None] = mapped_column(String(2))  # ISO 3166 code
    departure_date: Mapped[dt.date | None]
    departure_airport: Mapped[str | None] = mapped_column(String(3))  # IATA code
    # A company buying asks each producer for a VAT invoice in its name (tax code checked when typed).
    invoice_company: Mapped[str | None] = mapped_column(String(300))
    invoice_tax_code: Mapped[str | None] = mapped_column(String(14))
    invoice_address: Mapped[str | None] = mapped_column(String(300))

    parts = relationship("OrderPart", back_populates="order", order_by="OrderPart.id")
    combos = relationship("OrderCombo", back_populates="order", order_by="OrderCombo.id")

    @property
    def payment_label(self) -> str:
        """How it is paid and where the payment stands, as the buyer, the seller and the office read it."""
        if self.payment_status == "unpaid" and self.payment_method == "on_site":
            status = _("to be paid on arrival")
        elif self.payment_status == "unpaid" and self.payment_method in PAID_ON_HANDOVER:
            status = _("to be collected")
        else:
            status = str(PAYMENT_STATUSES[self.payment_status])
        return f"{PAYMENT_METHODS[self.payment_method]} · {status}"

    @property
    def refund_vnd(self) -> int:
        """What the order still owes back (see `owed_back_vnd`), less what was given back already."""
        return self.owed_back_vnd - self.refunded_vnd if self.payment_status == "refund_due" else 0

    @property
    def owed_back_vnd(self) -> int:
        """What a paid order owes back in all: everything when paid for an order that no longer stood; else the
        goods of its returned parts, and its cancelled parts with their delivery when they were paid up front
        (cash on delivery or at the point is only ever paid for what was handed over)."""
        if self.payment_status not in ("paid", "refund_due", "refunded"):
            return 0
        kept = sum(part.kept_vnd for part in self.parts)  # a late cancellation's share the host keeps
        if all(part.state == "cancelled" for part in self.parts):
            return self.total_vnd - kept
        # A parcel's fee comes back only when nothing else leaves from that place (a point packs one parcel).
        shipping = {part.location_id for part in self.parts if part.state != "cancelled"}
        cancelled = sum(part.goods_vnd - part.kept_vnd + (part.delivery_vnd if part.location_id not in shipping else 0)
                        for part in self.parts if part.state == "cancelled")
        return (cancelled if self.payment_method in PREPAID else 0) + sum(
            part.goods_vnd for part in self.parts if part.state == "returned")


class OrderPart(Timestamped, db.Model):
    """The share of an order one seller ships, with its own state. A booking of an experience is a part too
    (`booking`): no stock, no parcel; "delivered" when the visitor came (the `experiences` package keeps its
    seats and voucher and is told when such a part is cancelled: `services.register_booking_listener`)."""
    __tablename__ = "order_parts"
    __table_args__ = (
        one_of("state", PART_STATES),
        CheckConstraint("kept_vnd >= 0 AND kept_vnd <= goods_vnd", name="kept"),
        CheckConstraint("carrier IS NULL OR carrier IN ('vnpost', 'viettelpost', 'ghn', 'ghtk', 'jt', 'other')",
                        name="carrier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"))
    state: Mapped[str] = mapped_column(String(12), default="placed")
    goods_vnd: Mapped[int]
    delivery_vnd: Mapped[int]
    stock_committed: Mapped[bool] = mapped_column(default=False)
    # Who carries the parcel and its number there, entered when it is handed over (see CARRIERS).
    carrier: Mapped[str | None] = mapped_column(String(20))
    tracking_no: Mapped[str | None] = mapped_column(String(40))
    booking: Mapped[bool] = mapped_column(default=False, server_default=false())  # an experience's seats, not goods
    # Cancelled late under the host's policy: the share of a paid booking the host keeps (not owed back).
    kept_vnd: Mapped[int] = mapped_column(default=0, server_default="0")

    order = relationship("Order", back_populates="parts")
    seller = relationship("Seller")
    location = relationship("StockLocation")
    lines = relationship("OrderLine", back_populates="part", order_by="OrderLine.id")

    @property
    def at_point(self) -> bool:
        """Its goods are on a sales point's shelf (a pickup there, or a box or a hotel delivery the point
        packs and sends): the point's staff move it, not the seller."""
        return self.location.kind == "sales_point"

    @property
    def state_label(self) -> str:
        return str(PART_STATES[self.state])

    @property
    def carrier_name(self) -> str | None:
        return str(CARRIERS[self.carrier][0]) if self.carrier in CARRIERS else None

    @property
    def tracking_url(self) -> str | None:
        """The carrier's page for this parcel (None: no number, or a carrier without one)."""
        page = CARRIERS.get(self.carrier, (None, None))[1]
        return page.format(number=quote(self.tracking_no)) if page and self.tracking_no else None


class OrderCombo(db.Model):
    """A gift combo as it was bought: its code, names and price copied at purchase. Its items are order
    lines (in the parts of their producers) that point here, each with its share of the price."""
    __tablename__ = "order_combos"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity"),
                      CheckConstraint("unit_price_vnd > 0", name="price"))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    combo_id: Mapped[int] = mapped_column(ForeignKey("combos.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    unit_price_vnd: Mapped[int]
    quantity: Mapped[int]

    order = relationship("Order", back_populates="combos")
    lines = relationship("OrderLine", back_populates="order_combo", order_by="OrderLine.id")

    @property
    def subtotal(self) -> int:
        return self.unit_price_vnd * self.quantity


def _line_subtotal(context) -> int:
    values = context.get_current_parameters()
    return values["unit_price_vnd"] * values["quantity"]


class OrderLine(db.Model):
    """A product as it was bought: name, price and stars copied at purchase. A combo's item keeps its share
    of the combo's price in `subtotal_vnd` (apportioned by list price, so the shares add up to the price);
    its `unit_price_vnd` is that share per unit, rounded, for reading only."""
    __tablename__ = "order_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity"),
                      CheckConstraint("unit_price_vnd > 0", name="price"),
                      CheckConstraint("subtotal_vnd > 0", name="subtotal"))

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("order_parts.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(60))
    stars: Mapped[int]
    decision_no: Mapped[str] = mapped_column(String(60))
    unit_price_vnd: Mapped[int]
    quantity: Mapped[int]
    subtotal_vnd: Mapped[int] = mapped_column(default=_line_subtotal)
    vat_rate: Mapped[int | None]  # the product's VAT rate at purchase (percent, included in the price)
    order_combo_id: Mapped[int | None] = mapped_column(ForeignKey("order_combos.id"), index=True)

    part = relationship("OrderPart", back_populates="lines")
    order_combo = relationship("OrderCombo", back_populates="lines")
    product = relationship("Product")

    @property
    def subtotal(self) -> int:
        return self.subtotal_vnd
