"""A seller's own products: the one place that says which products a seller may see and change (another
seller's product does not exist for it)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..collation import by_name
from ..extensions import db
from .models import Product


def seller_product(seller_id: int, product_id: int) -> Product | None:
    """One of this seller's products, or None (also for another seller's product)."""
    product = db.session.get(Product, product_id)
    return product if product is not None and product.seller_id == seller_id else None


def seller_products(seller_id: int) -> list[Product]:
    return db.session.scalars(select(Product).where(Product.seller_id == seller_id)
                              .options(selectinload(Product.records), selectinload(Product.images))
                              .order_by(by_name(Product.name), Product.id)).all()
