"""Stock counts of a point: blind (staff never see the expected quantity while counting), then a
variance report, then a manager's approval that writes each variance as a `count` movement."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..inventory import services as stock
from ..models_base import utcnow
from .models import SalesPoint, StockCount, StockCountLine
from .services import PointError

OPEN = ("counting", "submitted")


def open_count(point: SalesPoint) -> StockCount | None:
    return db.session.scalar(select(StockCount).where(StockCount.sales_point_id == point.id,
                                                      StockCount.status.in_(OPEN)))


def start(point: SalesPoint, actor) -> StockCount:
    """A count of every product the point has held (one open count per point); commits."""
    if open_count(point) is not None:
        raise PointError("count_open")
    count = StockCount(sales_point_id=point.id, started_by_id=actor.id)
    for product_id in sorted(stock.levels_of(point.location_id)):
        count.lines.append(StockCountLine(product_id=product_id))
    db.session.add(count)
    db.session.commit()
    return count


def record(count: StockCount, counted: dict[int, int | None]) -> None:
    """Save what staff saw so far ({line id: quantity or None}); commits."""
    if count.status != "counting":
        raise PointError("count_closed")
    lines = {line.id: line for line in count.lines}
    if any(line_id not in lines or (qty is not None and qty < 0) for line_id, qty in counted.items()):
        raise PointError("bad_count")
    for line_id, qty in counted.items():
        lines[line_id].counted = qty
    db.session.commit()


def submit(count: StockCount, actor) -> None:
    """Counting is done: every line must have a number; the ledger's on hand is taken now; commits."""
    if count.status != "counting":
        raise PointError("count_closed")
    missing = [line.id for line in count.lines if line.counted is None]
    if missing:
        raise PointError("uncounted", missing)
    levels = stock.levels_of(db.session.get(SalesPoint, count.sales_point_id).location_id)
    for line in count.lines:
        line.expected = levels[line.product_id].on_hand if line.product_id in levels else 0
    count.status, count.submitted_by_id, count.submitted_at = "submitted", actor.id, utcnow()
    db.session.commit()


def approve(count: StockCount, manager) -> None:
    """Write each variance as a movement with the count as its reason; all or nothing; commits."""
    if count.status != "submitted":
        raise PointError("count_closed")
    point = db.session.get(SalesPoint, count.sales_point_id)
    try:
        for line in count.lines:
            if line.variance:
                stock.adjust(point.location_id, line.product_id, line.variance, kind="count", actor_id=manager.id,
                             reason=f"count {count.number}")
        count.status, count.decided_by_id, count.decided_at = "approved", manager.id, utcnow()
        db.session.commit()
    except stock.StockError as error:
        db.session.rollback()
        raise PointError("held", [getattr(error, "product_id", None)]) from error


def cancel(count: StockCount, manager) -> None:
    if count.status not in OPEN:
        raise PointError("count_closed")
    count.status, count.decided_by_id, count.decided_at = "cancelled", manager.id, utcnow()
    db.session.commit()


def counts_of(point: SalesPoint, limit: int = 20) -> list[StockCount]:
    return db.session.scalars(select(StockCount).where(StockCount.sales_point_id == point.id)
                              .order_by(StockCount.id.desc()).limit(limit)).all()


def count_at(point: SalesPoint, count_id: int) -> StockCount | None:
    count = db.session.get(StockCount, count_id)
    return count if count is not None and count.sales_point_id == point.id else None
