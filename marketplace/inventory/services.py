"""THE stock ledger. Every function changes one level with a conditional UPDATE and writes its
movement in the caller's transaction; the caller commits (or rolls back both)."""
from __future__ import annotations

from sqlalchemy import func, select, update

from ..extensions import db
from ..models_base import upsert
from .models import StockLevel, StockLocation, StockMovement

# Products whose available units went up in this transaction (a receipt, a release, a return), kept on the
# session for whoever waits for them when it commits (the "back in stock" emails, catalog.alerts).
_RAISED = "stock_raised"


def take_raised(session) -> set[int]:
    """The products whose stock went up in the transaction now committing, once."""
    return session.info.pop(_RAISED, set())


class StockError(ValueError):
    pass


class OutOfStock(StockError):
    def __init__(self, product_id: int, requested: int, available: int):
        super().__init__(f"product {product_id}: {requested} requested, {available} available")
        self.product_id, self.requested, self.available = product_id, requested, available


def warehouse_of(seller) -> StockLocation:
    """The seller's own warehouse (made on first use)."""
    location = db.session.scalar(select(StockLocation).filter_by(kind="seller_warehouse", seller_id=seller.id))
    if location is None:
        location = StockLocation(kind="seller_warehouse", seller_id=seller.id, name=seller.legal_name)
        db.session.add(location)
        db.session.flush()
    return location


def level(location_id: int, product_id: int) -> StockLevel | None:
    return db.session.scalar(select(StockLevel).filter_by(location_id=location_id, product_id=product_id)
                             .execution_options(populate_existing=True))


def _ensure_level(location_id: int, product_id: int) -> None:
    """A zero level row, made once even when two transactions ask at the same moment."""
    db.session.execute(upsert(StockLevel).values(location_id=location_id, product_id=product_id,
                                                         on_hand=0, reserved=0, reorder_level=0)
                       .on_conflict_do_nothing(index_elements=["location_id", "product_id"]))


def _change(location_id: int, product_id: int, kind: str, *, on_hand: int = 0, reserved: int = 0, guard=None,
            reason: str | None = None, reference: str | None = None, actor_id: int | None = None,
            client_key: str | None = None) -> None:
    if guard is None or on_hand > 0:
        _ensure_level(location_id, product_id)  # taking stock needs a level already: no row, nothing to take
    statement = (update(StockLevel)
                 .where(StockLevel.location_id == location_id, StockLevel.product_id == product_id)
                 .values(on_hand=StockLevel.on_hand + on_hand, reserved=StockLevel.reserved + reserved)
                 .execution_options(synchronize_session=False))
    if guard is not None:
        statement = statement.where(guard)
    if db.session.execute(statement).rowcount != 1:
        current = level(location_id, product_id)
        available = current.available if current else 0
        raise OutOfStock(product_id, max(-on_hand, reserved, 0), available)
    if on_hand - reserved > 0:
        db.session.info.setdefault(_RAISED, set()).add(product_id)
    db.session.add(StockMovement(location_id=location_id, product_id=product_id, kind=kind, on_hand_change=on_hand,
                                 reserved_change=reserved, reason=reason, reference=reference, actor_id=actor_id,
                                 client_key=client_key))


def _positive(quantity: int) -> int:
    if not isinstance(quantity, int) or quantity <= 0:
        raise StockError("quantity must be a whole number above 0")
    return quantity


def receive(location_id: int, product_id: int, quantity: int, *, reason: str | None = None,
            reference: str | None = None, actor_id: int | None = None, kind: str = "receive",
            client_key: str | None = None) -> None:
    _change(location_id, product_id, kind, on_hand=_positive(quantity), reason=reason, reference=reference,
            actor_id=actor_id, client_key=client_key)


def adjust(location_id: int, product_id: int, change: int, *, reason: str, actor_id: int | None = None,
           kind: str = "adjust", client_key: str | None = None) -> None:
    """Correct on hand by `change` (a count, damage, a found box); never below what is reserved."""
    if not isinstance(change, int) or change == 0:
        raise StockError("an adjustment changes the quantity")
    if not (reason or "").strip():
        raise StockError("an adjustment needs a reason")
    _change(location_id, product_id, kind, on_hand=change, guard=StockLevel.on_hand + change >= StockLevel.reserved,
            reason=reason.strip(), actor_id=actor_id, client_key=client_key)


def reserve(location_id: int, product_id: int, quantity: int, *, reference: str | None = None) -> None:
    """Hold stock for an order: only if that much is available at this moment."""
    quantity = _positive(quantity)
    _change(location_id, product_id, "reserve", reserved=quantity,
            guard=StockLevel.on_hand - StockLevel.reserved >= quantity, reference=reference)


def release(location_id: int, product_id: int, quantity: int, *, reference: str | None = None,
            actor_id: int | None = None) -> None:
    """Give back what an order held (cancelled, or unpaid in time)."""
    quantity = _positive(quantity)
    _change(location_id, product_id, "release", reserved=-quantity, guard=StockLevel.reserved >= quantity,
            reference=reference, actor_id=actor_id)


def commit_reserved(location_id: int, product_id: int, quantity: int, *, reference: str | None = None,
                    kind: str = "online_order", actor_id: int | None = None) -> None:
    """An order held this much and is now paid or handed over: it leaves on hand."""
    quantity = _positive(quantity)
    _change(location_id, product_id, kind, on_hand=-quantity, reserved=-quantity,
            guard=StockLevel.reserved >= quantity, reference=reference, actor_id=actor_id)


def sell(location_id: int, product_id: int, quantity: int, *, reference: str | None = None,
         actor_id: int | None = None, kind: str = "sale") -> None:
    """A sale with nothing held beforehand (a counter sale): only from what is available."""
    quantity = _positive(quantity)
    _change(location_id, product_id, kind, on_hand=-quantity,
            guard=StockLevel.on_hand - StockLevel.reserved >= quantity, reference=reference, actor_id=actor_id)


def set_reorder_level(location_id: int, product_id: int, reorder_level: int) -> None:
    if reorder_level < 0:
        raise StockError("the reorder level cannot be negative")
    _ensure_level(location_id, product_id)
    db.session.execute(update(StockLevel).where(StockLevel.location_id == location_id,
                                                StockLevel.product_id == product_id)
                       .values(reorder_level=reorder_level).execution_options(synchronize_session=False))


def ledger_totals(location_id: int, product_id: int) -> tuple[int, int]:
    """What the ledger says on hand and reserved are: always equal to the level."""
    on_hand, reserved = db.session.execute(
        select(func.coalesce(func.sum(StockMovement.on_hand_change), 0),
               func.coalesce(func.sum(StockMovement.reserved_change), 0))
        .where(StockMovement.location_id == location_id, StockMovement.product_id == product_id)).one()
    return int(on_hand), int(reserved)


def history(location_id: int, product_id: int, limit: int = 100) -> list[StockMovement]:
    return db.session.scalars(select(StockMovement).where(StockMovement.location_id == location_id,
                                                          StockMovement.product_id == product_id)
                              .order_by(StockMovement.id.desc()).limit(limit)).all()


def levels_of(location_id: int, product_ids: list[int] | None = None) -> dict[int, StockLevel]:
    """The location's levels by product (only these products when given)."""
    query = select(StockLevel).where(StockLevel.location_id == location_id)
    if product_ids is not None:
        query = query.where(StockLevel.product_id.in_(product_ids))
    return {lv.product_id: lv for lv in db.session.scalars(query.execution_options(populate_existing=True))}
