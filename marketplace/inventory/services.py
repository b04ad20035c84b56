"""THE stock ledger. Every function changes one level with a conditional UPDATE and writes its
movement in the caller's transaction; the caller commits (or rolls back both)."""
from __future__ import annotations

import functools

from sqlalchemy import Integer, and_, bindparam, column, func, insert, select, tuple_, union_all, update, values

from ..extensions import db
from ..models_base import upsert, utcnow
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
    """Not that much available. `product_id`, `requested` and `available` name the first short product (in
    (location, product) order); when many were asked at once (`reserve_all`, `sell_all`), `short` holds every
    (location, product) that was short and `available_before` what was available of every one asked."""

    def __init__(self, product_id: int, requested: int, available: int,
                 short: list[tuple[int, int]] | None = None, available_before: dict | None = None):
        super().__init__(f"product {product_id}: {requested} requested, {available} available")
        self.product_id, self.requested, self.available = product_id, requested, available
        self.short = short or []
        self.available_before: dict[tuple[int, int], int] = available_before or {}


def warehouse_of(seller) -> StockLocation:
    """The seller's own warehouse (made on first use)."""
    location = db.session.scalar(select(StockLocation).filter_by(kind="seller_warehouse", seller_id=seller.id))
    if location is None:
        location = StockLocation(kind="seller_warehouse", seller_id=seller.id, name=seller.legal_name)
        db.session.add(location)
        db.session.flush()
    return location


def warehouses_of(sellers) -> dict[int, int]:
    """Each seller's warehouse location ({seller id: location id}): one query for any number of sellers."""
    by_id = {seller.id: seller for seller in sellers}
    if not by_id:
        return {}
    found = dict(db.session.execute(select(StockLocation.seller_id, StockLocation.id).where(
        StockLocation.kind == "seller_warehouse", StockLocation.seller_id.in_(list(by_id)))).all())
    return found | {seller_id: warehouse_of(seller).id for seller_id, seller in by_id.items() if seller_id not in found}


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


def _take_all(wanted: dict[tuple[int, int], int], kind: str, *, on_hand: int, reserved: int,
              reference: str | None, actor_id: int | None) -> None:
    """Take `wanted` ({(location, product): units}) out of what is available, every pair or none: ONE guarded
    UPDATE for all of them (`on_hand`/`reserved`: -1, 0 or +1, times the units) whose returned rows decide,
    then ONE insert of their movements. A pair that could not be taken (too few available, or no level at all)
    raises OutOfStock naming every short pair; the rows it did change are the caller's to roll back (the unit
    of work does, with everything else). On PostgreSQL the rows are locked first in (location, product)
    order, as one reservation after another did: two orders of the same products never wait for each other."""
    pairs = sorted(wanted)
    for pair in pairs:
        _positive(wanted[pair])
    flat = {f"take_{name}_{n}": value for n, (location_id, product_id) in enumerate(pairs)
            for name, value in (("location", location_id), ("product", product_id),
                                ("quantity", wanted[location_id, product_id]))}
    db.session.flush()  # what the session holds goes first (a Core statement does not flush it)
    statement = _take_statement(len(pairs), on_hand, reserved, db.session.get_bind().dialect.name)
    available = {(location_id, product_id): left + wanted[location_id, product_id]
                 for location_id, product_id, left in db.session.execute(statement, flat)}
    if len(available) != len(pairs):  # only now a read: what the short ones have, to say so
        short = [pair for pair in pairs if pair not in available]
        available |= {pair: 0 for pair in short} | {
            (location_id, product_id): max(left, 0) for location_id, product_id, left in db.session.execute(
                select(StockLevel.location_id, StockLevel.product_id, StockLevel.on_hand - StockLevel.reserved)
                .where(tuple_(StockLevel.location_id, StockLevel.product_id).in_(short)))}
        first = short[0]
        raise OutOfStock(first[1], wanted[first], available[first], short, available)
    at = utcnow()
    db.session.execute(_movements_statement(len(pairs)), {
        f"moved_{name}_{n}": value for n, (location_id, product_id) in enumerate(pairs)
        for name, value in (("location_id", location_id), ("product_id", product_id), ("kind", kind),
                            ("on_hand_change", on_hand * wanted[location_id, product_id]),
                            ("reserved_change", reserved * wanted[location_id, product_id]),
                            ("reference", reference), ("actor_id", actor_id), ("at", at))})


# The two statements of _take_all, built once per number of pairs (and direction) with named parameters: the
# same statement again is SQLAlchemy's cached compilation, not a new construction for every order.

@functools.lru_cache(maxsize=128)
def _take_statement(count: int, on_hand: int, reserved: int, dialect: str):
    levels = StockLevel.__table__
    params = [tuple(bindparam(f"take_{name}_{n}", type_=Integer) for name in ("location", "product", "quantity"))
              for n in range(count)]
    if dialect == "postgresql":  # VALUES: what PostgreSQL re-reads right when a locked row has changed meanwhile
        asked = values(column("location_id", Integer), column("product_id", Integer), column("quantity", Integer),
                       name="asked").data(params)
    else:  # SQLite names no VALUES columns; and no CTE either: a statement starting with WITH is not one its
        # driver opens a transaction for (it would commit by itself, half an order with it)
        rows = [select(location.label("location_id"), product.label("product_id"), quantity.label("quantity"))
                for location, product, quantity in params]
        asked = (rows[0] if count == 1 else union_all(*rows)).subquery("asked")
    locked = (select(levels.c.id, asked.c.quantity)
              .join(asked, and_(levels.c.location_id == asked.c.location_id, levels.c.product_id == asked.c.product_id))
              .order_by(levels.c.location_id, levels.c.product_id)
              .with_for_update(of=levels)  # nothing on SQLite, where one writer at a time is the rule
              .subquery("locked"))
    changes = {name: levels.c[name] + locked.c.quantity if sign > 0 else levels.c[name] - locked.c.quantity
               for name, sign in (("on_hand", on_hand), ("reserved", reserved)) if sign}
    return (update(levels).where(levels.c.id == locked.c.id,
                                 levels.c.on_hand - levels.c.reserved >= locked.c.quantity)
            .values(changes).returning(levels.c.location_id, levels.c.product_id,
                                       levels.c.on_hand - levels.c.reserved))


_MOVED = ("location_id", "product_id", "kind", "on_hand_change", "reserved_change", "reference", "actor_id", "at")


@functools.lru_cache(maxsize=128)
def _movements_statement(count: int):
    return insert(StockMovement.__table__).values([{name: bindparam(f"moved_{name}_{n}") for name in _MOVED}
                                                   for n in range(count)])


def reserve_all(wanted: dict[tuple[int, int], int], *, reference: str | None = None) -> None:
    """Hold stock for an order, {(location, product): units}: all of it if that much is available at this
    moment, else nothing (OutOfStock names every short pair). Two statements, however many lines."""
    _take_all(wanted, "reserve", on_hand=0, reserved=1, reference=reference, actor_id=None)


def sell_all(wanted: dict[tuple[int, int], int], *, reference: str | None = None, actor_id: int | None = None,
             kind: str = "sale") -> None:
    """Sales with nothing held beforehand (a counter sale, a transfer out), {(location, product): units}: all of
    them from what is available, or nothing (OutOfStock names every short pair)."""
    _take_all(wanted, kind, on_hand=-1, reserved=0, reference=reference, actor_id=actor_id)


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
    reserve_all({(location_id, product_id): _positive(quantity)}, reference=reference)


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
    sell_all({(location_id, product_id): _positive(quantity)}, reference=reference, actor_id=actor_id, kind=kind)


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
