"""The rules of the sales points: who acts where, receiving, counter sales, returns and voids.
Stock changes only through the inventory services, in the same transaction as the document that
explains them (a receipt, a sale, a return); nothing is deleted, only reversed.

Nothing here commits or rolls back: the view or command runs each call as one unit of work
(`unit_of_work.run`), which also holds the money the document moves (`money`). A sale changes state only through `SALE` (a claimed transition, logged), and
stock levels are always taken in product order, so two documents never wait for each other."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import exists, select

from .. import ocop
from ..accounts.services import create_user
from ..audit import audit
from ..catalog.purchase import purchase_info
from ..catalog.services import Listing, listings_by_ids
from ..collation import by_name, vi_sort_key
from ..combos import services as combos
from ..extensions import db
from ..inventory import services as stock
from ..inventory.models import SalesPoint, StockLevel, StockLocation
from ..models_base import utcnow
from ..products.models import Product
from ..scope import covers, in_scope
from ..sellers.models import Seller
from ..text import fold
from ..transitions import Refused, StateMachine, claim
from . import money
from .models import (
    SALE_STATES,
    CounterReturn,
    CounterReturnLine,
    CounterSale,
    CounterSaleLine,
    GoodsReceipt,
    GoodsReceiptLine,
    SalesPointStaff,
)


class PointError(ValueError):
    """Why a document was refused: `code`, and the products or lines concerned."""

    def __init__(self, code: str, items: list | None = None):
        super().__init__(code)
        self.code, self.items = code, items or []


# --- Points and their staff (the office) -------------------------------------------------------------

POINT_FIELDS = ("code", "name", "name_en", "kind", "province_code", "ward_code", "street", "street_en", "opening_hours",
                "opening_hours_en", "phone", "gift_wrap_vnd", "margin_bp", "active")


def _state(point: SalesPoint) -> dict:
    return {name: getattr(point, name) for name in POINT_FIELDS}


def create_point(officer, values: dict) -> SalesPoint:
    """A new point with its own stock location; audited. A code already taken fails on flush
    (IntegrityError)."""
    if not covers(officer, values["province_code"]):
        raise PermissionError("a point outside the officer's province")
    location = StockLocation(kind="sales_point", name=values["name"])
    point = SalesPoint(location=location, **values)
    db.session.add(point)
    db.session.flush()
    audit(officer, "sales_point.create", point, None, _state(point))
    return point


def update_point(officer, point: SalesPoint, values: dict) -> SalesPoint:
    if not in_scope(officer, point) or not covers(officer, values["province_code"]):
        raise PermissionError("a point outside the officer's province")
    before = _state(point)
    for name, value in values.items():
        setattr(point, name, value)
    point.location.name = point.name
    audit(officer, "sales_point.update", point, before, _state(point))
    return point


def map_url(point: SalesPoint) -> str:
    """A map search for the address (OpenStreetMap: no key, no tracking script on our page)."""
    ward = ocop.ward(point.ward_code)
    address = ", ".join(filter(None, [point.street, ward.name if ward else None, ocop.province_name(point.province_code)]))
    return "https://www.openstreetmap.org/search?query=" + quote(address)




def points_managed_by(officer) -> list[SalesPoint]:
    query = select(SalesPoint).order_by(SalesPoint.province_code, by_name(SalesPoint.name))
    if officer.province_code is not None:
        query = query.where(SalesPoint.province_code == officer.province_code)
    return db.session.scalars(query).all()


def add_staff(officer, point: SalesPoint, email: str, name: str, password: str, role: str) -> SalesPointStaff:
    """A staff account for one point (AccountError when the email is taken); audited."""
    if not in_scope(officer, point):
        raise PermissionError("a point outside the officer's province")
    user = create_user(email, name, password, role="staff")
    db.session.flush()
    member = SalesPointStaff(user_id=user.id, sales_point_id=point.id, role=role)
    db.session.add(member)
    db.session.flush()
    audit(officer, "sales_point.staff_add", point, None, {"user": user.email, "role": role})
    return member


def set_staff_active(officer, member: SalesPointStaff, active: bool) -> None:
    """Staff who leave are switched off, never deleted: their sales keep their name."""
    if not in_scope(officer, member.sales_point):
        raise PermissionError("a point outside the officer's province")
    member.user.is_active_account = active
    audit(officer, "sales_point.staff_" + ("on" if active else "off"), member.sales_point, None,
          {"user": member.user.email})


# --- Who acts where ----------------------------------------------------------------------------------

def membership(user) -> SalesPointStaff | None:
    if not user.is_authenticated or user.role != "staff":
        return None
    return db.session.scalar(select(SalesPointStaff).where(SalesPointStaff.user_id == user.id))


def point_of(user, point_id: int) -> SalesPoint | None:
    """The point, if this user works there and it is open; None otherwise (the views answer 404)."""
    member = membership(user)
    if member is None or member.sales_point_id != point_id or not member.sales_point.active:
        return None
    return member.sales_point


def is_manager(user, point: SalesPoint) -> bool:
    member = membership(user)
    return member is not None and member.sales_point_id == point.id and member.role == "manager"


# --- The till ---------------------------------------------------------------------------------------------

def till_lines(point: SalesPoint, items: dict[int, int], boxes: dict[int, int] | None = None
               ) -> tuple[list[dict], int, list[dict]]:
    """The lines being rung up (product id -> quantity) as the till shows them: the listing (None when no
    longer on sale), what the shelf has available, the subtotal; the total; and the point's gift combos rung
    up whole (combo id -> boxes) with their offer (None when not on sale here)."""
    infos = purchase_info(items, point.location_id)
    lines = [{"product_id": pid, "quantity": qty, "listing": infos[pid].listing, "available": infos[pid].available,
              "subtotal": (infos[pid].price_vnd or 0) * qty} for pid, qty in items.items()]
    offers = point_combos(point, list(boxes or {}))
    combo_lines = [{"combo_id": cid, "quantity": qty, "offer": offers.get(cid),
                    "available": offers[cid].available if cid in offers else 0,
                    "subtotal": offers[cid].price_vnd * qty if cid in offers else 0} for cid, qty in (boxes or {}).items()]
    return lines, sum(line["subtotal"] for line in lines + combo_lines), combo_lines


def point_combos(point: SalesPoint, combo_ids: list[int] | None = None) -> dict[int, combos.ComboOffer]:
    """The gift combos this point packs that are on sale (these only, when given), as offers at its shelf."""
    if combo_ids is not None:
        found = combos.offers_by_ids(combo_ids)
        return {cid: offer for cid, offer in found.items() if offer.listable and offer.combo.sales_point_id == point.id}
    return combos.offers(combos.find_combos(combos.ComboFilters(point_id=point.id)))


# --- The shelf -------------------------------------------------------------------------------------------

@dataclass
class ShelfItem:
    listing: Listing
    on_hand: int
    available: int
    reorder_level: int


def shelf(point: SalesPoint, only_in_stock: bool = True) -> list[ShelfItem]:
    """What the point holds that may be sold (the listing rule decides), by name."""
    levels = stock.levels_of(point.location_id)
    wanted = [pid for pid, lv in levels.items() if lv.on_hand > 0 or not only_in_stock]
    items = [ShelfItem(listing, levels[listing.product.id].on_hand, levels[listing.product.id].available,
                       levels[listing.product.id].reorder_level) for listing in listings_by_ids(wanted)]
    return sorted(items, key=lambda item: vi_sort_key(item.listing.product.name))


def find_on_shelf(point: SalesPoint, text: str, limit: int = 12) -> list[ShelfItem]:
    """By GTIN (what a barcode scanner types) or by words of the name, without diacritics; only what is
    on this shelf and on sale. A scan is one indexed lookup, whatever the size of the shelf."""
    text = (text or "").strip()
    if text.isdigit():
        ids = list(db.session.scalars(select(Product.id).where(Product.gtin == text)))
    else:
        words = fold(text).split()
        held = select(StockLevel.product_id).where(StockLevel.location_id == point.location_id,
                                                   StockLevel.on_hand > 0)
        names = db.session.execute(select(Product.id, Product.name).where(Product.id.in_(held))).all()
        ids = sorted((pid for pid, name in names if all(w in fold(name) for w in words)),
                     key=lambda pid: vi_sort_key(dict(names)[pid]))
    return shelf_items(point, ids)[:limit]


def shelf_items(point: SalesPoint, product_ids: list[int]) -> list[ShelfItem]:
    """These products, if on this shelf and on sale, in the order given."""
    levels = stock.levels_of(point.location_id, product_ids)
    listings = listings_by_ids([pid for pid in product_ids if pid in levels and levels[pid].on_hand > 0])
    return [ShelfItem(listing, levels[listing.product.id].on_hand, levels[listing.product.id].available,
                      levels[listing.product.id].reorder_level) for listing in listings]


def set_reorder_levels(point: SalesPoint, levels: dict[int, int]) -> None:
    """The manager's alert thresholds ({product id: level})."""
    for product_id in sorted(levels):
        stock.set_reorder_level(point.location_id, product_id, levels[product_id])


# --- Receiving -----------------------------------------------------------------------------------------

@dataclass
class ReceiptLine:
    product_id: int
    quantity: int
    batch: str | None = None
    best_before: dt.date | None = None


def sellers_products_for_sale(seller_id: int) -> list[Listing]:
    ids = db.session.scalars(select(Product.id).where(Product.seller_id == seller_id)).all()
    return sorted(listings_by_ids(list(ids)), key=lambda listing: vi_sort_key(listing.product.name))


def receive_goods(point: SalesPoint, staff, seller_id: int, lines: list[ReceiptLine],
                  note: str | None = None, client_key: str | None = None) -> GoodsReceipt:
    """Record a seller's delivery and move it onto the shelf; only listable products of that seller, and
    nothing already past its best-before date. The receipt keeps the page's `client_key` (see
    `unit_of_work.run_once`)."""
    if not lines:
        raise PointError("empty")
    expired = [line.product_id for line in lines if line.best_before is not None and line.best_before < ocop.today()]
    if expired:
        raise PointError("past_best_before", expired)
    listable = {listing.product.id: listing for listing in listings_by_ids([line.product_id for line in lines])}
    refused = [line.product_id for line in lines
               if line.product_id not in listable or listable[line.product_id].seller.id != seller_id]
    if refused:
        raise PointError("not_for_sale", refused)
    receipt = GoodsReceipt(sales_point_id=point.id, seller_id=seller_id, received_by_id=staff.id, note=note,
                           client_key=client_key)
    db.session.add(receipt)
    db.session.flush()
    for line in sorted(lines, key=lambda line: line.product_id):
        receipt.lines.append(GoodsReceiptLine(product_id=line.product_id, quantity=line.quantity,
                                              batch=line.batch, best_before=line.best_before))
        stock.receive(point.location_id, line.product_id, line.quantity, reference=receipt.number,
                      actor_id=staff.id, reason=f"batch {line.batch}" if line.batch else None)
    return receipt


def receipts_of(point: SalesPoint, limit: int = 50) -> list[GoodsReceipt]:
    return db.session.scalars(select(GoodsReceipt).where(GoodsReceipt.sales_point_id == point.id)
                              .order_by(GoodsReceipt.id.desc()).limit(limit)).all()


# --- Counter sales -------------------------------------------------------------------------------------

def complete_sale(point: SalesPoint, staff, items: dict[int, int], payment_method: str,
                  cash_given_vnd: int | None = None, payment_reference: str | None = None,
                  seen_total: int | None = None, client_key: str | None = None,
                  boxes: dict[int, int] | None = None) -> CounterSale:
    """Sell `items` ({product id: quantity}) and the point's gift combos (`boxes`, {combo id: boxes}) from the
    shelf; all lines or none (the caller's unit of work), at the total the till showed (`seen_total`), if it
    showed one. A combo's items become lines of their own, each with its share of the combo's price. The sale
    keeps the till page's `client_key` (see `unit_of_work.run_once`).
    Raises PointError: empty, not_for_sale (products), combo_not_for_sale, price_changed (the new total),
    cash_short, out_of_stock (products)."""
    boxes = boxes or {}
    if not items and not boxes:
        raise PointError("empty")
    if any(quantity < 1 for quantity in [*items.values(), *boxes.values()]):
        raise PointError("empty", [pid for pid, quantity in items.items() if quantity < 1])
    offers = point_combos(point, list(boxes))
    if len(offers) != len(boxes):
        raise PointError("combo_not_for_sale")
    combo_lines = [(offers[cid], boxes[cid], unit) for cid in sorted(boxes) for unit in offers[cid].unit_prices()]
    listings = {listing.product.id: listing for listing in listings_by_ids(
        list(dict.fromkeys([*items, *(pid for _offer, _n, (pid, _price, _units) in combo_lines)])))}
    refused = [pid for pid in items if pid not in listings]
    if refused:
        raise PointError("not_for_sale", refused)
    total = (sum(listings[pid].product.price_vnd * quantity for pid, quantity in items.items())
             + sum(offers[cid].price_vnd * n for cid, n in boxes.items()))
    if seen_total is not None and seen_total != total:
        raise PointError("price_changed", [total])
    if payment_method == "cash" and (cash_given_vnd is None or cash_given_vnd < total):
        raise PointError("cash_short")
    sale = CounterSale(sales_point_id=point.id, sold_by_id=staff.id, payment_method=payment_method,
                       payment_reference=payment_reference, total_vnd=total,
                       cash_given_vnd=cash_given_vnd if payment_method == "cash" else None, client_key=client_key)
    db.session.add(sale)
    db.session.flush()

    def line(pid: int, unit_price: int, quantity: int, offer=None) -> CounterSaleLine:
        product, record = listings[pid].product, listings[pid].record
        return CounterSaleLine(product_id=pid, seller_id=product.seller_id, name=product.name, unit=product.unit,
                               stars=record.stars, unit_price_vnd=unit_price, quantity=quantity,
                               combo_id=offer.id if offer else None, combo_name=offer.combo.name if offer else None)

    sale.lines.extend(line(pid, listings[pid].product.price_vnd, items[pid]) for pid in sorted(items))
    sale.lines.extend(line(pid, price, units * n, offer) for offer, n, (pid, price, units) in combo_lines)
    wanted: dict[int, int] = {}
    for sold in sale.lines:
        wanted[sold.product_id] = wanted.get(sold.product_id, 0) + sold.quantity
    for pid in sorted(wanted):  # levels taken in product order: two sales never wait for each other
        try:
            stock.sell(point.location_id, pid, wanted[pid], reference=sale.number, actor_id=staff.id, kind="sale")
        except stock.OutOfStock as error:
            raise PointError("out_of_stock", [error.product_id]) from error
    money.sale_posted(sale)
    return sale


def sale_at(point: SalesPoint, sale_id: int) -> CounterSale | None:
    sale = db.session.get(CounterSale, sale_id)
    return sale if sale is not None and sale.sales_point_id == point.id else None


def sales_of(point: SalesPoint, limit: int = 50) -> list[CounterSale]:
    return db.session.scalars(select(CounterSale).where(CounterSale.sales_point_id == point.id)
                              .order_by(CounterSale.id.desc()).limit(limit)).all()


# THE counter sale's states. A return is a transition from `completed` to itself: it claims the sale is
# still standing (and holds its row until the return is committed), so a void and a return of one sale
# never both happen, and it is logged with who took the goods back and why.
SALE = StateMachine("counter_sale", CounterSale, "status", {
    "void": ({"completed"}, "voided"),
    "return": ({"completed"}, "completed"),
}, states=SALE_STATES)


def _lines_in_lock_order(lines) -> list[CounterSaleLine]:
    return sorted(lines, key=lambda line: line.product_id)


def return_goods(sale: CounterSale, staff, quantities: dict[int, int], reason: str,
                 client_key: str | None = None) -> CounterReturn:
    """Goods brought back against a receipt go back on the shelf; the money goes back.
    Raises PointError: no_reason, nothing, voided (or voided meanwhile), too_many (line ids: more than
    was sold less what came back already, counted in the same guarded update that adds the return)."""
    if not (reason or "").strip():
        raise PointError("no_reason")
    lines = {line.id: line for line in sale.lines}
    wanted = {line_id: qty for line_id, qty in quantities.items() if qty}
    if not wanted:
        raise PointError("nothing")
    unknown = [line_id for line_id, qty in wanted.items() if line_id not in lines or qty < 0]
    if unknown:
        raise PointError("too_many", unknown)
    try:
        SALE.apply(sale, "return", actor_id=staff.id, reason=reason.strip())
    except Refused as refused:
        raise PointError("voided") from refused
    back = CounterReturn(sale_id=sale.id, reason=reason.strip(), returned_by_id=staff.id, client_key=client_key,
                         refund_vnd=sum(lines[line_id].unit_price_vnd * qty for line_id, qty in wanted.items()))
    db.session.add(back)
    for line in _lines_in_lock_order(lines[line_id] for line_id in wanted):
        qty = wanted[line.id]
        if not claim(line, CounterSaleLine.returned_quantity + qty <= CounterSaleLine.quantity,
                     returned_quantity=CounterSaleLine.returned_quantity + qty):
            raise PointError("too_many", [line.id])
        back.lines.append(CounterReturnLine(sale_line_id=line.id, quantity=qty))
        stock.receive(sale.sales_point.location_id, line.product_id, qty, reference=sale.number,
                      actor_id=staff.id, kind="return", reason=reason.strip())
    db.session.flush()
    money.return_posted(back)
    return back


def _nothing_returned():
    return ~exists().where(CounterReturn.sale_id == CounterSale.id)


def void_sale(sale: CounterSale, manager, reason: str) -> CounterSale:
    """A manager cancels a whole sale made by mistake (nothing returned from it yet): every line goes back
    on the shelf and the sale stays on record as voided. Raises PointError: no_reason, not_voidable
    (voided already, something returned, or either of them meanwhile)."""
    if not (reason or "").strip():
        raise PointError("no_reason")
    try:
        SALE.apply(sale, "void", actor_id=manager.id, reason=reason.strip(), guards=(_nothing_returned(),),
                   void_reason=reason.strip(), voided_by_id=manager.id, voided_at=utcnow())
    except Refused as refused:
        raise PointError("not_voidable") from refused
    # PostgreSQL, when this update waited for a return holding the sale, re-checked only the sale's own
    # row: the NOT EXISTS above still saw the statement's earlier snapshot. The row is ours now, and a
    # new statement sees any return committed before it.
    if db.session.scalar(select(exists().where(CounterReturn.sale_id == sale.id))):
        raise PointError("not_voidable")
    for line in _lines_in_lock_order(sale.lines):
        stock.receive(sale.sales_point.location_id, line.product_id, line.quantity, reference=sale.number,
                      actor_id=manager.id, kind="return", reason=f"void: {reason.strip()}")
    money.void_posted(sale)
    return sale


def find_sellers(text: str, limit: int = 20):
    """Verified sellers by registration number (as printed, with or without spaces) or by name."""
    text = (text or "").strip()
    query = select(Seller).where(Seller.verification_status == "verified").order_by(by_name(Seller.legal_name))
    digits = "".join(c for c in text if c.isdigit() or c == "-")
    if digits and len(digits) >= 9:
        return db.session.scalars(query.where(Seller.registration_no == digits).limit(limit)).all()
    words = fold(text).split()
    return [s for s in db.session.scalars(query).all() if all(w in fold(s.legal_name) for w in words)][:limit]
