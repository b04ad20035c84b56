"""Stock counts of a point: blind (staff never see the expected quantity while counting), then a
variance report, then a manager's approval that writes each variance as a `count` movement.

A count changes only through `COUNT` (claimed transitions, logged), in the caller's unit of work.
Saving numbers is a transition from `counting` to itself: it holds the count's row while the lines are
written, so no number lands on a count submitted, approved or cancelled meanwhile, and the log shows
who entered numbers when.

The point keeps selling while it counts. So a line's expected quantity is the ledger's on hand when its
number was entered, and the approval adds the variance (counted − expected then) to on hand as it is at
approval: a box sold between counting and approving stays sold, and is not counted back on the shelf."""
from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..inventory import services as stock
from ..inventory.models import SalesPoint
from ..models_base import utcnow
from ..transitions import Refused, StateMachine
from ..unit_of_work import lock
from .models import COUNT_STATES, StockCount, StockCountLine
from .services import PointError

OPEN = ("counting", "submitted")

# THE stock count's states.
COUNT = StateMachine("stock_count", StockCount, "status", {
    "record": ({"counting"}, "counting"),
    "submit": ({"counting"}, "submitted"),
    "approve": ({"submitted"}, "approved"),
    "cancel": (set(OPEN), "cancelled"),
}, states=COUNT_STATES)


def open_count(point: SalesPoint) -> StockCount | None:
    return db.session.scalar(select(StockCount).where(StockCount.sales_point_id == point.id,
                                                      StockCount.status.in_(OPEN)))


def start(point: SalesPoint, actor) -> StockCount:
    """A count of every product the point has held. One open count per point: the new count is written,
    then the open ones are counted under a lock on the point (PostgreSQL; SQLite has one writer at a
    time), so two counts started at once cannot both stay."""
    count = StockCount(sales_point_id=point.id, started_by_id=actor.id)
    for product_id in sorted(stock.levels_of(point.location_id)):
        count.lines.append(StockCountLine(product_id=product_id))
    db.session.add(count)
    lock(f"stock-count-of-point:{point.id}")
    db.session.flush()
    opened = db.session.scalar(select(func.count(StockCount.id)).where(StockCount.sales_point_id == point.id,
                                                                       StockCount.status.in_(OPEN)))
    if opened > 1:
        raise PointError("count_open")
    return count


def _move(count: StockCount, action: str, actor, **values) -> None:
    try:
        COUNT.apply(count, action, actor_id=actor.id if actor is not None else None, **values)
    except Refused as refused:
        raise PointError("count_closed") from refused


def _lines(count: StockCount) -> list[StockCountLine]:
    """The count's lines as they are now (read after the count's row is ours), in product order."""
    return db.session.scalars(select(StockCountLine).where(StockCountLine.count_id == count.id)
                              .order_by(StockCountLine.product_id)
                              .execution_options(populate_existing=True)).all()


def record(count: StockCount, counted: dict[int, int | None], actor) -> None:
    """Save what staff saw so far ({line id: quantity or None}) while the count is still open for counting.
    Raises PointError: bad_count, count_closed."""
    lines = {line.id: line for line in count.lines}
    if any(line_id not in lines or (qty is not None and qty < 0) for line_id, qty in counted.items()):
        raise PointError("bad_count")
    _move(count, "record", actor)
    lines = {line.id: line for line in _lines(count)}
    levels = stock.levels_of(db.session.get(SalesPoint, count.sales_point_id).location_id)
    for line_id, qty in counted.items():
        line = lines[line_id]
        if qty != line.counted:  # what the ledger says now, beside what staff see now
            line.counted = qty
            line.expected = levels[line.product_id].on_hand if line.product_id in levels else 0


def submit(count: StockCount, actor) -> None:
    """Counting is done: every line must have a number. Raises PointError: count_closed, uncounted (line ids)."""
    _move(count, "submit", actor, submitted_by_id=actor.id, submitted_at=utcnow())
    missing = [line.id for line in _lines(count) if line.counted is None]
    if missing:
        raise PointError("uncounted", missing)


def approve(count: StockCount, manager) -> None:
    """Write each variance (counted − expected when counted) as a movement with the count as its reason, once;
    all or nothing.
    Raises PointError: count_closed, held (the product a variance would take below what is reserved)."""
    _move(count, "approve", manager, decided_by_id=manager.id, decided_at=utcnow())
    point = db.session.get(SalesPoint, count.sales_point_id)
    for line in _lines(count):
        if line.variance:
            try:
                stock.adjust(point.location_id, line.product_id, line.variance, kind="count", actor_id=manager.id,
                             reason=f"count {count.number}")
            except stock.StockError as error:
                raise PointError("held", [line.product_id]) from error


def cancel(count: StockCount, manager) -> None:
    """Raises PointError: count_closed."""
    _move(count, "cancel", manager, decided_by_id=manager.id, decided_at=utcnow())


def counts_of(point: SalesPoint, limit: int = 20) -> list[StockCount]:
    return db.session.scalars(select(StockCount).where(StockCount.sales_point_id == point.id)
                              .order_by(StockCount.id.desc()).limit(limit)).all()


def count_at(point: SalesPoint, count_id: int) -> StockCount | None:
    count = db.session.get(StockCount, count_id)
    return count if count is not None and count.sales_point_id == point.id else None
