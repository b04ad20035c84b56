from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from ..extensions import db
from ..models_base import SubmittedOnce, UTCDateTime, one_of, utcnow

# The words of the points, each spelled once (value: what a person reads); the CHECK constraints read them.
STAFF_ROLES = {"staff": _l("Staff"), "manager": _l("Manager")}
COUNTER_PAYMENTS = {"cash": _l("Cash"), "card": _l("Card (on the bank's terminal)"), "vietqr": _l("VietQR transfer")}
# The states of the documents that move (the machines are services.SALE, counts.COUNT and transfers.TRANSFER).
SALE_STATES = ("completed", "voided")
TRANSFER_STATES = ("sent", "received")
COUNT_STATES = ("counting", "submitted", "approved", "cancelled")


class SalesPointStaff(db.Model):
    """A staff account works at one point, as staff or as its manager."""
    __tablename__ = "sales_point_staff"
    __table_args__ = (one_of("role", STAFF_ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    sales_point_id: Mapped[int] = mapped_column(ForeignKey("sales_points.id"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="staff")

    user = relationship("User")
    sales_point = relationship("SalesPoint", backref=backref("staff", order_by="SalesPointStaff.id"))


class GoodsReceipt(SubmittedOnce, db.Model):
    """A delivery from a seller to a point, line by line with batch and best-before."""
    __tablename__ = "goods_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    sales_point_id: Mapped[int] = mapped_column(ForeignKey("sales_points.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    received_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    seller = relationship("Seller")
    received_by = relationship("User")
    lines = relationship("GoodsReceiptLine", back_populates="receipt", order_by="GoodsReceiptLine.id")

    @property
    def number(self) -> str:
        return f"NK-{self.id:06d}"


class GoodsReceiptLine(db.Model):
    __tablename__ = "goods_receipt_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("goods_receipts.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity: Mapped[int]
    batch: Mapped[str | None] = mapped_column(String(60))
    best_before: Mapped[dt.date | None]

    receipt = relationship("GoodsReceipt", back_populates="lines")
    product = relationship("Product")


class CounterSale(SubmittedOnce, db.Model):
    """A sale at the counter; never deleted: a void or a return reverses it."""
    __tablename__ = "counter_sales"
    __table_args__ = (
        one_of("payment_method", COUNTER_PAYMENTS),
        CheckConstraint("total_vnd > 0", name="total"),
        one_of("status", SALE_STATES),
        CheckConstraint("cash_given_vnd IS NULL OR cash_given_vnd >= total_vnd", name="cash_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sales_point_id: Mapped[int] = mapped_column(ForeignKey("sales_points.id"), index=True)
    sold_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sold_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    payment_method: Mapped[str] = mapped_column(String(10))
    payment_reference: Mapped[str | None] = mapped_column(String(40))  # VietQR transfer note
    total_vnd: Mapped[int]
    cash_given_vnd: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(10), default="completed")
    void_reason: Mapped[str | None] = mapped_column(Text)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    sales_point = relationship("SalesPoint")
    sold_by = relationship("User", foreign_keys=[sold_by_id])
    voided_by = relationship("User", foreign_keys=[voided_by_id])
    lines = relationship("CounterSaleLine", back_populates="sale", order_by="CounterSaleLine.id")
    returns = relationship("CounterReturn", back_populates="sale", order_by="CounterReturn.id")

    @property
    def number(self) -> str:
        return f"{self.sales_point.code}-{self.id:06d}"

    @property
    def change_vnd(self) -> int:
        return (self.cash_given_vnd or self.total_vnd) - self.total_vnd

    @property
    def refunded_vnd(self) -> int:
        return sum(r.refund_vnd for r in self.returns)


class CounterSaleLine(db.Model):
    """A product as sold: name, price and stars copied at the sale."""
    __tablename__ = "counter_sale_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity"),
                      CheckConstraint("returned_quantity >= 0 AND returned_quantity <= quantity", name="returned"))

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("counter_sales.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    seller_id: Mapped[int] = mapped_column(ForeignKey("sellers.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(60))
    stars: Mapped[int]
    unit_price_vnd: Mapped[int]
    quantity: Mapped[int]
    returned_quantity: Mapped[int] = mapped_column(default=0)
    combo_id: Mapped[int | None] = mapped_column(ForeignKey("combos.id"))  # an item of a gift combo sold whole
    combo_name: Mapped[str | None] = mapped_column(String(200))  # the combo's name at the sale

    sale = relationship("CounterSale", back_populates="lines")

    @property
    def subtotal(self) -> int:
        return self.unit_price_vnd * self.quantity


class CounterReturn(SubmittedOnce, db.Model):
    """Goods brought back against a receipt, with the reason and the money given back."""
    __tablename__ = "counter_returns"
    __table_args__ = (CheckConstraint("refund_vnd > 0", name="refund"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("counter_sales.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    refund_vnd: Mapped[int]
    returned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    returned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sale = relationship("CounterSale", back_populates="returns")
    returned_by = relationship("User")
    lines = relationship("CounterReturnLine", order_by="CounterReturnLine.id")


class CounterReturnLine(db.Model):
    __tablename__ = "counter_return_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("counter_returns.id"), index=True)
    sale_line_id: Mapped[int] = mapped_column(ForeignKey("counter_sale_lines.id"))
    quantity: Mapped[int]

    sale_line = relationship("CounterSaleLine")


class StockTransfer(SubmittedOnce, db.Model):
    """Goods sent from one location (a point, or a seller's warehouse) to a sales point: they leave the
    source when sent, are in transit until received, and arrive as counted on arrival."""
    __tablename__ = "stock_transfers"
    __table_args__ = (one_of("status", TRANSFER_STATES),
                      CheckConstraint("from_location_id <> to_location_id", name="places"))

    id: Mapped[int] = mapped_column(primary_key=True)
    from_location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"), index=True)
    to_location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="sent")
    sent_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(Text)

    from_location = relationship("StockLocation", foreign_keys=[from_location_id])
    to_location = relationship("StockLocation", foreign_keys=[to_location_id])
    sent_by = relationship("User", foreign_keys=[sent_by_id])
    received_by = relationship("User", foreign_keys=[received_by_id])
    lines = relationship("StockTransferLine", back_populates="transfer", order_by="StockTransferLine.id")

    @property
    def number(self) -> str:
        return f"CK-{self.id:06d}"


class StockTransferLine(db.Model):
    __tablename__ = "stock_transfer_lines"
    __table_args__ = (CheckConstraint("quantity_sent > 0", name="sent"),
                      CheckConstraint("quantity_received IS NULL OR (quantity_received >= 0 "
                                      "AND quantity_received <= quantity_sent)", name="received"))

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("stock_transfers.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    quantity_sent: Mapped[int]
    quantity_received: Mapped[int | None]

    transfer = relationship("StockTransfer", back_populates="lines")
    product = relationship("Product")

    @property
    def shortfall(self) -> int:
        return self.quantity_sent - self.quantity_received if self.quantity_received is not None else 0


class StockCount(db.Model):
    """A blind count of a point's shelf: staff enter what they see; a manager approves the variances,
    which are written as `count` movements."""
    __tablename__ = "stock_counts"
    __table_args__ = (one_of("status", COUNT_STATES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sales_point_id: Mapped[int] = mapped_column(ForeignKey("sales_points.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="counting")
    started_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    started_by = relationship("User", foreign_keys=[started_by_id])
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    lines = relationship("StockCountLine", back_populates="count", order_by="StockCountLine.id")

    @property
    def number(self) -> str:
        return f"KK-{self.id:06d}"


class StockCountLine(db.Model):
    __tablename__ = "stock_count_lines"
    __table_args__ = (CheckConstraint("counted IS NULL OR counted >= 0", name="counted"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    count_id: Mapped[int] = mapped_column(ForeignKey("stock_counts.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    counted: Mapped[int | None]  # what staff saw; None until entered
    expected: Mapped[int | None]  # on hand by the ledger when `counted` was entered (hidden while counting)

    count = relationship("StockCount", back_populates="lines")
    product = relationship("Product")

    @property
    def variance(self) -> int:
        return (self.counted or 0) - (self.expected or 0)
