"""Read-only questions about stock, for pages and carts (they never write a level): what a seller can ship,
which sales points are open, which hold a product, which can fill a pickup."""
from __future__ import annotations

from sqlalchemy import select

from ..collation import by_name
from ..extensions import db
from ..products.models import Product
from .models import SalesPoint, StockLevel, StockLocation


def online_available(product_ids: list[int]) -> dict[int, int]:
    """Units each product's seller can ship now: on hand less held, in the seller's warehouse."""
    if not product_ids:
        return {}
    rows = db.session.execute(
        select(Product.id, StockLevel.on_hand - StockLevel.reserved)
        .join(StockLocation, (StockLocation.seller_id == Product.seller_id)
              & (StockLocation.kind == "seller_warehouse"))
        .join(StockLevel, (StockLevel.location_id == StockLocation.id) & (StockLevel.product_id == Product.id))
        .where(Product.id.in_(product_ids)))
    found = {product_id: available for product_id, available in rows}
    return {product_id: max(found.get(product_id, 0), 0) for product_id in product_ids}


def online_in_stock_condition():
    """SQL: the product's seller has something to ship now (for filters that keep only buyable products)."""
    return (select(StockLevel.id)
            .join(StockLocation, StockLocation.id == StockLevel.location_id)
            .where(StockLocation.kind == "seller_warehouse", StockLocation.seller_id == Product.seller_id,
                   StockLevel.product_id == Product.id, StockLevel.on_hand - StockLevel.reserved > 0)
            .exists())


def held_at_points(product_ids: list[int]) -> set[int]:
    """The products among these that some open sales point has on its shelf now, in one query."""
    if not product_ids:
        return set()
    return set(db.session.scalars(
        select(StockLevel.product_id).distinct()
        .join(SalesPoint, SalesPoint.location_id == StockLevel.location_id)
        .where(SalesPoint.active.is_(True), StockLevel.product_id.in_(product_ids),
               StockLevel.on_hand - StockLevel.reserved > 0)))


def available_at(location_ids: list[int], product_ids: list[int]) -> dict[tuple[int, int], int]:
    """Units available now (on hand less held) of each product at each location, in one query; a pair
    without a level is absent (nothing there)."""
    if not location_ids or not product_ids:
        return {}
    rows = db.session.execute(select(StockLevel.location_id, StockLevel.product_id,
                                     StockLevel.on_hand - StockLevel.reserved)
                              .where(StockLevel.location_id.in_(location_ids), StockLevel.product_id.in_(product_ids)))
    return {(location_id, product_id): available for location_id, product_id, available in rows}


def point_at(location_id: int | None) -> SalesPoint | None:
    """The sales point whose shelf this location is (None: a warehouse, or no location)."""
    if location_id is None:
        return None
    return db.session.scalar(select(SalesPoint).where(SalesPoint.location_id == location_id))


def open_points(province_code: int | None = None) -> list[SalesPoint]:
    query = (select(SalesPoint).where(SalesPoint.active.is_(True))
             .order_by(SalesPoint.province_code, by_name(SalesPoint.name)))
    if province_code is not None:
        query = query.where(SalesPoint.province_code == province_code)
    return db.session.scalars(query).all()


def points_holding(product_id: int) -> list[SalesPoint]:
    """Open points with this product available on the shelf now (for the product page)."""
    return db.session.scalars(
        select(SalesPoint).join(StockLevel, StockLevel.location_id == SalesPoint.location_id)
        .where(SalesPoint.active.is_(True), StockLevel.product_id == product_id,
               StockLevel.on_hand - StockLevel.reserved > 0)
        .order_by(SalesPoint.province_code, by_name(SalesPoint.name))).all()


def points_for_pickup(items: dict[int, int]) -> list[SalesPoint]:
    """Open points holding every item in the wanted quantity, available now (one query for all points)."""
    if not items:
        return []
    points = {point.location_id: point for point in open_points()}
    covered: dict[int, int] = {}
    rows = db.session.execute(select(StockLevel.location_id, StockLevel.product_id,
                                     StockLevel.on_hand - StockLevel.reserved)
                              .where(StockLevel.location_id.in_(list(points)), StockLevel.product_id.in_(list(items))))
    for location_id, product_id, available in rows:
        if available >= items[product_id]:
            covered[location_id] = covered.get(location_id, 0) + 1
    return [points[location_id] for location_id, n in covered.items() if n == len(items)]
