"""Read-only questions about stock, for pages and carts (they never write a level)."""
from __future__ import annotations

from sqlalchemy import select

from ..catalog.models import Product
from ..extensions import db
from .models import StockLevel, StockLocation


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
