from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..models_base import Timestamped, one_of
from ..products.models import MAX_PRICE

# The words of a combo, each spelled once (the CHECK constraints, the import, the API and the pages read them).
OCCASIONS = {"tet": _l("Tết"), "souvenir": _l("Souvenir"), "business": _l("Business gift"),
             "family": _l("For the family")}
COMBO_STATUSES = {"active": _l("On sale"), "withdrawn": _l("Withdrawn")}
MAX_ITEMS = 12  # different products in one box
MAX_ITEM_QUANTITY = 20  # units of one product in one box
# A box may cost less than its items bought one by one, but not much less: every producer's share is at least
# this much of its list price, so a curator cannot sell another's goods for nothing.
MIN_PRICE_PERCENT = 70


class Combo(Timestamped, db.Model):
    """A curated box: its texts, the occasion, the province whose story it tells, its price, and where it is
    fulfilled: a sales point packs it from its own shelf, or (no point) each producer ships its items.
    `managed_in` is the province of the office that answers for it (the point's province when a point
    fulfils it): its officers, and that point's manager, may change it."""
    __tablename__ = "combos"
    __table_args__ = (
        one_of("occasion", OCCASIONS),
        one_of("status", COMBO_STATUSES),
        CheckConstraint(f"price_vnd > 0 AND price_vnd <= {MAX_PRICE}", name="price"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    story: Mapped[str | None] = mapped_column(Text)
    story_en: Mapped[str | None] = mapped_column(Text)
    occasion: Mapped[str] = mapped_column(String(10))
    province_code: Mapped[int] = mapped_column(index=True)  # the place it tells of
    price_vnd: Mapped[int]
    sales_point_id: Mapped[int | None] = mapped_column(ForeignKey("sales_points.id"), index=True)
    managed_in: Mapped[int] = mapped_column(index=True)
    photo: Mapped[str | None] = mapped_column(String(200))  # under UPLOAD_DIR
    thumbnail: Mapped[str | None] = mapped_column(String(200))
    photo_widths: Mapped[str | None] = mapped_column(String(40))  # of its WebP renditions (products/images.py)
    status: Mapped[str] = mapped_column(String(10), default="active")

    sales_point = relationship("SalesPoint")
    items = relationship("ComboItem", back_populates="combo", order_by="ComboItem.id",
                         cascade="all, delete-orphan")

    @property
    def occasion_label(self) -> str:
        return str(OCCASIONS[self.occasion])

    @property
    def status_label(self) -> str:
        return str(COMBO_STATUSES[self.status])


class ComboItem(db.Model):
    __tablename__ = "combo_items"
    __table_args__ = (
        CheckConstraint(f"quantity > 0 AND quantity <= {MAX_ITEM_QUANTITY}", name="quantity"),
        UniqueConstraint("combo_id", "product_id", name="uq_combo_items_combo_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    combo_id: Mapped[int] = mapped_column(ForeignKey("combos.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    quantity: Mapped[int]

    combo = relationship("Combo", back_populates="items")
    product = relationship("Product")
