from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from .. import ocop
from ..extensions import db
from ..models_base import SubmittedOnce, Timestamped, UTCDateTime, one_of, utcnow

LOCATION_KINDS = ("seller_warehouse", "sales_point")
# Why stock changed, one word per ledger line (the CHECK constraint reads the same tuple).
MOVEMENT_KINDS = ("receive", "adjust", "reserve", "release", "sale", "online_order", "transfer_out",
                  "transfer_in", "count", "return", "damage")


class StockLocation(db.Model):
    """Where stock is: a seller's warehouse, or the shelf of an OCOP sales point (`sales_point`)."""
    __tablename__ = "stock_locations"
    __table_args__ = (
        one_of("kind", LOCATION_KINDS),
        UniqueConstraint("kind", "seller_id", name="uq_stock_locations_kind_seller"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id"), index=True)

    seller = relationship("Seller")


class StockLevel(db.Model):
    __tablename__ = "stock_levels"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved"),
        CheckConstraint("reorder_level >= 0", name="reorder_level"),
        UniqueConstraint("location_id", "product_id", name="uq_stock_levels_location_product"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    reorder_level: Mapped[int] = mapped_column(default=0)

    location = relationship("StockLocation")
    product = relationship("Product")

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMovement(SubmittedOnce, db.Model):
    """One line of the ledger: the change of on hand and of reserved, why, by whom, when.
    Nothing here is ever updated or deleted; a mistake is corrected by another movement. A change typed
    into a form (a seller's receipt or adjustment) keeps the page's key: tapped twice, it is made once."""
    __tablename__ = "stock_movements"
    __table_args__ = (Index("ix_stock_movements_location_product", "location_id", "product_id"),
                      one_of("kind", MOVEMENT_KINDS))

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    kind: Mapped[str] = mapped_column(String(20))
    on_hand_change: Mapped[int] = mapped_column(default=0)
    reserved_change: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str | None] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(String(60))  # an order number, a receipt, a count
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class SalesPoint(Timestamped, db.Model):
    """An OCOP point of sale: the public face of a stock location (its shelf), with its address and hours.
    Its staff and documents (receipts, sales, transfers, counts) are the sales points' (`salespoints`)."""
    __tablename__ = "sales_points"
    __table_args__ = (one_of("kind", ocop.SALES_POINT_KINDS),
                      CheckConstraint("gift_wrap_vnd IS NULL OR gift_wrap_vnd >= 0", name="gift_wrap"),
                      CheckConstraint("margin_bp >= 0 AND margin_bp <= 5000", name="margin"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # printed on receipts: "TN-01"
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))  # for visitors from abroad
    kind: Mapped[str] = mapped_column(String(20))
    province_code: Mapped[int] = mapped_column(index=True)
    ward_code: Mapped[int]
    street: Mapped[str] = mapped_column(String(300))
    street_en: Mapped[str | None] = mapped_column(String(300))
    opening_hours: Mapped[str] = mapped_column(String(200))
    opening_hours_en: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    gift_wrap_vnd: Mapped[int | None]  # the point wraps gifts for this fee (None: it does not)
    # what the point keeps of the goods it sells at its counter for their producers (basis points: 1500 = 15 %)
    margin_bp: Mapped[int] = mapped_column(default=0, server_default="0")
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"), unique=True)

    location = relationship("StockLocation", backref=backref("sales_point", uselist=False))

    @property
    def margin_percent(self) -> Decimal:
        return Decimal(self.margin_bp or 0) / 100

    @property
    def at_airport(self) -> bool:
        """A point at a station or an airport: a visitor collects there on the way out."""
        return self.kind == "station_airport"
