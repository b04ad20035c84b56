from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import ocop
from ..extensions import db
from ..models_base import Timestamped, one_of

PRODUCT_STATUSES = ("draft", "active", "archived")
VAT_RATES = (0, 5, 8, 10)  # percent; None: the seller does not charge VAT (a household on flat tax) or did not say
MAX_PRICE = 1_000_000_000  # đồng: no OCOP product costs more; a larger filter or price is a typing mistake
CARRY_ON_LIQUID_ML = 100  # a liquid over this goes in checked baggage on a flight, not in the cabin


class Product(Timestamped, db.Model):
    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price_vnd > 0", name="price_positive"),
        CheckConstraint("weight_grams IS NULL OR weight_grams > 0", name="weight_positive"),
        CheckConstraint("liquid_ml IS NULL OR liquid_ml > 0", name="liquid_positive"),
        CheckConstraint("vat_rate IS NULL OR vat_rate IN (0, 5, 8, 10)", name="vat_rate"),
        CheckConstraint("rating_count >= 0 AND rating_total >= rating_count AND rating_total <= 5 * rating_count",
                        name="rating"),
        one_of("status", PRODUCT_STATUSES),
        UniqueConstraint("seller_id", "name", name="uq_products_seller_name"),
        Index("ix_products_status_group", "status", "group_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    story: Mapped[str | None] = mapped_column(Text)  # the seller's draft; the page shows the evaluated one
    group_code: Mapped[str] = mapped_column(String(12))
    price_vnd: Mapped[int]
    unit: Mapped[str] = mapped_column(String(60))
    unit_en: Mapped[str | None] = mapped_column(String(60))
    weight_grams: Mapped[int | None]  # shipping weight of one unit
    liquid_ml: Mapped[int | None]  # a liquid, gel or paste (fish sauce, honey, liquor, oil): its volume
    gtin: Mapped[str | None] = mapped_column(String(14), index=True)
    geographical_indication: Mapped[str | None] = mapped_column(String(200))
    planting_area_code: Mapped[str | None] = mapped_column(String(40))
    shelf_life: Mapped[str | None] = mapped_column(String(100))
    standards: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    vat_rate: Mapped[int | None]  # percent included in the price (VAT_RATES); copied onto each order line
    # Verified buyers' visible reviews: how many and their stars added up (kept by `reviews`, in the same
    # transaction as a review written or hidden), so a card shows the average without another query.
    rating_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_total: Mapped[int] = mapped_column(default=0, server_default="0")

    seller = relationship("Seller", back_populates="products")
    images = relationship("ProductImage", order_by="ProductImage.position", back_populates="product",
                          cascade="all, delete-orphan")
    records = relationship("EvaluationRecord", back_populates="product",
                           order_by="EvaluationRecord.decision_date.desc()")

    @property
    def top_group(self) -> str:
        return ocop.top_group(self.group_code)

    @property
    def subgroup(self) -> str:
        return ocop.subgroup(self.group_code)

    @property
    def group_label(self):
        return ocop.group_label(self.group_code)

    @property
    def checked_baggage(self) -> bool:
        """A liquid over 100 ml: it flies in checked baggage, not in the cabin."""
        return self.liquid_ml is not None and self.liquid_ml > CARRY_ON_LIQUID_ML

    @property
    def rating(self) -> float | None:
        """The average of the visible reviews' stars (None: no review yet)."""
        return self.rating_total / self.rating_count if self.rating_count else None

    @property
    def is_service(self) -> bool:
        return not ocop.GROUPS[self.top_group].shipped


class ProductImage(db.Model):
    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))  # under UPLOAD_DIR, at most 1600 px
    thumbnail: Mapped[str | None] = mapped_column(String(200))  # 480 px JPEG
    widths: Mapped[str | None] = mapped_column(String(40))  # of its WebP renditions (products/images.py)
    position: Mapped[int] = mapped_column(default=0)
    alt: Mapped[str | None] = mapped_column(String(300))
    alt_en: Mapped[str | None] = mapped_column(String(300))

    product = relationship("Product", back_populates="images")
