"""What a point's manager, the office and a seller read: sales by day, product, seller and payment
method (net of returns, voids left out), stock on hand with its value at sale price, reorder alerts."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import ocop
from ..certification.services import listable_select
from ..collation import vi_sort_key
from ..extensions import db
from ..inventory.models import SalesPoint, StockLevel
from ..orders.models import Order, OrderPart
from ..products.models import Product
from ..sellers.models import Seller
from ..settlements import services as ledger
from ..settlements.statements import midnight
from ..transitions import StatusChange
from .models import CounterSale, CounterSaleLine, StockTransfer, StockTransferLine
from .transfers import in_transit


@dataclass
class Tally:
    units: int = 0
    amount: int = 0
    sales: set = field(default_factory=set)

    def add(self, sale_id: int, units: int, amount: int) -> None:
        self.units += units
        self.amount += amount
        self.sales.add(sale_id)


@dataclass
class SalesReport:
    since: dt.date
    until: dt.date  # inclusive
    by_day: dict[dt.date, Tally]
    by_product: dict[str, Tally]
    by_seller: dict[str, Tally]
    by_payment: dict[str, Tally]
    by_point: dict[str, Tally]

    @property
    def total(self) -> int:
        return sum(t.amount for t in self.by_day.values())

    @property
    def peak(self) -> int:
        return max([t.amount for t in self.by_day.values()] or [0])

    @property
    def day_runs(self) -> list[tuple[dt.date, dt.date, Tally | None]]:
        """The days for the chart: each day with a sale, and each run of days without one folded into one
        row (first day, last day, None), so a quiet month is not thirty rows of 0 ₫."""
        runs: list[tuple[dt.date, dt.date, Tally | None]] = []
        for day, tally in sorted(self.by_day.items()):
            if tally.amount:
                runs.append((day, day, tally))
            elif runs and runs[-1][2] is None:
                runs[-1] = (runs[-1][0], day, None)
            else:
                runs.append((day, day, None))
        return runs


def sales_report(point_ids: list[int] | None, since: dt.date, until: dt.date,
                 seller_id: int | None = None) -> SalesReport:
    """Completed counter sales from `since` to `until` (Vietnam days) at these points (None: all),
    optionally only one seller's lines; each line counts what was not brought back."""
    start = dt.datetime.combine(since, dt.time(), ocop.VN_TZ)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), ocop.VN_TZ)
    query = (select(CounterSale.id, CounterSale.sold_at, CounterSale.payment_method, SalesPoint.name,
                    CounterSaleLine.name, Seller.legal_name, CounterSaleLine.quantity,
                    CounterSaleLine.returned_quantity, CounterSaleLine.unit_price_vnd)
             .join(CounterSaleLine, CounterSaleLine.sale_id == CounterSale.id)
             .join(SalesPoint, SalesPoint.id == CounterSale.sales_point_id)
             .join(Seller, Seller.id == CounterSaleLine.seller_id)
             .where(CounterSale.status == "completed", CounterSale.sold_at >= start, CounterSale.sold_at < end))
    if point_ids is not None:
        query = query.where(CounterSale.sales_point_id.in_(point_ids))
    if seller_id is not None:
        query = query.where(CounterSaleLine.seller_id == seller_id)
    days = {since + dt.timedelta(days=n): Tally() for n in range((until - since).days + 1)}
    report = SalesReport(since, until, days, {}, {}, {}, {})
    for sale_id, sold_at, method, point_name, name, seller, quantity, returned, price in db.session.execute(query):
        units = quantity - returned
        if not units:
            continue
        amount = units * price
        for key, table in ((ocop.local_date(sold_at), report.by_day), (name, report.by_product),
                           (seller, report.by_seller), (method, report.by_payment), (point_name, report.by_point)):
            table.setdefault(key, Tally()).add(sale_id, units, amount)
    return report


@dataclass
class Pickups:
    orders: int = 0
    goods_vnd: int = 0
    collected_vnd: int = 0  # paid at the counter when handed over (the rest was paid online)


def pickups_handed_over(location_id: int, since: dt.date, until: dt.date) -> Pickups:
    """Online orders handed over at this point in the period (by the status log's hand-overs: one part of
    an order may be collected while another waits), and the money the counter took for those parts: part
    of the day's cash and card, though not a counter sale."""
    start = dt.datetime.combine(since, dt.time(), ocop.VN_TZ)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), ocop.VN_TZ)
    rows = db.session.execute(
        select(Order.id, Order.payment_method, OrderPart.goods_vnd)
        .join(OrderPart, OrderPart.order_id == Order.id)
        .join(StatusChange, StatusChange.object_id == OrderPart.id)
        .where(StatusChange.machine == "order_part", StatusChange.action == "hand_over",
               StatusChange.at >= start, StatusChange.at < end, OrderPart.location_id == location_id)).all()
    result = Pickups(orders=len({order_id for order_id, _method, _goods in rows}))
    for _order_id, method, goods in rows:
        result.goods_vnd += goods
        result.collected_vnd += goods if method == "at_point" else 0
    return result


def sales_rows(report: SalesReport) -> list[list]:
    rows = [["view", "key", "sales", "units", "amount_vnd"]]
    for view, table in (("day", report.by_day), ("product", report.by_product), ("seller", report.by_seller),
                        ("payment", report.by_payment), ("point", report.by_point)):
        for key, tally in sorted(table.items(), key=lambda item: str(item[0])):
            rows.append([view, key.isoformat() if isinstance(key, dt.date) else key, len(tally.sales), tally.units,
                         tally.amount])
    return rows


@dataclass
class StockRow:
    product_id: int
    name: str
    seller: str
    gtin: str | None
    on_hand: int
    reserved: int
    in_transit: int
    reorder_level: int
    price_vnd: int
    on_sale: bool

    @property
    def value(self) -> int:
        return self.on_hand * self.price_vnd

    @property
    def low(self) -> bool:
        return self.reorder_level > 0 and self.on_hand <= self.reorder_level


def stock_report(location_id: int, seller_id: int | None = None) -> list[StockRow]:
    """Every product the location holds or awaits, with value at sale price; three queries whatever its size."""
    query = (select(Product.id, Product.name, Seller.legal_name, Product.gtin, StockLevel.on_hand,
                    StockLevel.reserved, StockLevel.reorder_level, Product.price_vnd)
             .join(StockLevel, StockLevel.product_id == Product.id).join(Seller, Seller.id == Product.seller_id)
             .where(StockLevel.location_id == location_id))
    if seller_id is not None:
        query = query.where(Product.seller_id == seller_id)
    rows = db.session.execute(query).all()
    held = select(StockLevel.product_id).where(StockLevel.location_id == location_id)
    on_sale = set(db.session.scalars(listable_select().with_only_columns(Product.id).where(Product.id.in_(held))))
    coming = in_transit(location_id)
    report = [StockRow(pid, name, seller, gtin, on_hand, reserved, coming.get(pid, 0), reorder, price, pid in on_sale)
              for pid, name, seller, gtin, on_hand, reserved, reorder, price in rows]
    return sorted(report, key=lambda row: (not row.low, vi_sort_key(row.name)))


def stock_rows(report: list[StockRow]) -> list[list]:
    rows = [["product_id", "product", "seller", "gtin", "on_hand", "held", "in_transit", "reorder_level",
             "price_vnd", "value_vnd", "on_sale"]]
    rows += [[r.product_id, r.name, r.seller, r.gtin or "", r.on_hand, r.reserved, r.in_transit, r.reorder_level,
              r.price_vnd, r.value, "yes" if r.on_sale else "no"] for r in report]
    return rows


@dataclass
class HeldRow:
    name: str
    on_hand: int = 0
    in_transit: int = 0


def seller_points(seller_id: int) -> list[tuple[SalesPoint, list[HeldRow]]]:
    """A seller's goods on the shelf or on their way, at every sales point: two queries in all."""
    held: dict[int, dict[int, HeldRow]] = {}  # location id → product id → row
    points: dict[int, SalesPoint] = {}
    for point, product_id, name, on_hand in db.session.execute(
            select(SalesPoint, Product.id, Product.name, StockLevel.on_hand)
            .join(StockLevel, StockLevel.location_id == SalesPoint.location_id)
            .join(Product, Product.id == StockLevel.product_id)
            .where(Product.seller_id == seller_id, StockLevel.on_hand > 0)):
        points[point.location_id] = point
        held.setdefault(point.location_id, {})[product_id] = HeldRow(name, on_hand)
    for point, product_id, name, quantity in db.session.execute(
            select(SalesPoint, Product.id, Product.name, func.sum(StockTransferLine.quantity_sent))
            .join(StockTransfer, StockTransfer.to_location_id == SalesPoint.location_id)
            .join(StockTransferLine, StockTransferLine.transfer_id == StockTransfer.id)
            .join(Product, Product.id == StockTransferLine.product_id)
            .where(Product.seller_id == seller_id, StockTransfer.status == "sent")
            .group_by(SalesPoint.id, Product.id, Product.name)):
        points[point.location_id] = point
        held.setdefault(point.location_id, {}).setdefault(product_id, HeldRow(name)).in_transit = int(quantity)
    return sorted(((points[location], sorted(rows.values(), key=lambda row: vi_sort_key(row.name)))
                   for location, rows in held.items()), key=lambda pair: vi_sort_key(pair[0].name))


@dataclass
class ConsignmentRow:
    """One producer's goods at a point: on the shelf (units, value at sale price), and over the period what
    the point sold of them, the margin it kept and what it owes the producer (from the money ledger)."""
    seller: str
    units: int = 0
    value_vnd: int = 0
    sold_vnd: int = 0
    margin_vnd: int = 0
    owed_vnd: int = 0


def consignment(point: SalesPoint, since: dt.date, until: dt.date) -> list[ConsignmentRow]:
    """Per producer, what the point holds now and what it sold and owes for the days since–until (inclusive):
    the producers who sold first, then by name."""
    rows: dict[str, ConsignmentRow] = {}
    for row in stock_report(point.location_id):
        held = rows.setdefault(row.seller, ConsignmentRow(row.seller))
        held.units += row.on_hand
        held.value_vnd += row.value
    moved = ledger.at_point(point.id, midnight(since), midnight(until + dt.timedelta(days=1)))
    names = dict(db.session.execute(select(Seller.id, Seller.legal_name).where(Seller.id.in_(moved))).all())
    for seller_id, money in moved.items():
        row = rows.setdefault(names[seller_id], ConsignmentRow(names[seller_id]))
        row.sold_vnd, row.margin_vnd, row.owed_vnd = money.sales_vnd, money.charges_vnd, money.owed_vnd
    return sorted(rows.values(), key=lambda row: (not row.sold_vnd, vi_sort_key(row.seller)))


def consignment_rows(report: list[ConsignmentRow]) -> list[list]:
    rows = [[_("Producer"), _("On the shelf"), _("Value (₫)"), _("Sold (₫)"), _("Margin kept (₫)"),
             _("Producer’s share (₫)")]]
    rows += [[r.seller, r.units, r.value_vnd, r.sold_vnd, r.margin_vnd, r.owed_vnd] for r in report]
    return rows
