"""Transfers to a sales point, from another point or from a seller's warehouse. Stock leaves the source
when sent (a `transfer_out` movement), is in transit, and arrives as counted (`transfer_in`); a shortfall
stays recorded on the line. A transfer changes state only through `TRANSFER` (a claimed transition,
logged), in the caller's unit of work; stock levels are taken in product order."""
from __future__ import annotations

from sqlalchemy import or_, select

from ..catalog.services import listings_by_ids
from ..extensions import db
from ..inventory import services as stock
from ..inventory.models import SalesPoint
from ..models_base import utcnow
from ..transitions import Refused, StateMachine
from .models import TRANSFER_STATES, StockTransfer, StockTransferLine
from .services import PointError

# THE stock transfer's states: it leaves the source when sent (created `sent`) and arrives once.
TRANSFER = StateMachine("stock_transfer", StockTransfer, "status", {
    "receive": ({"sent"}, "received"),
}, states=TRANSFER_STATES)


def send(from_location_id: int, to_point: SalesPoint, actor, items: dict[int, int],
         note: str | None = None, client_key: str | None = None) -> StockTransfer:
    """Send `items` ({product id: quantity}) to a point; only products on sale; all or nothing. The
    transfer keeps the page's `client_key` (see `unit_of_work.run_once`).
    Raises PointError: empty, bad_destination, not_for_sale (products), out_of_stock (products)."""
    items = {pid: qty for pid, qty in items.items() if qty}
    if not items:
        raise PointError("empty")
    if not to_point.active or to_point.location_id == from_location_id:
        raise PointError("bad_destination")
    if any(qty < 0 for qty in items.values()):
        raise PointError("empty")
    listable = {listing.product.id for listing in listings_by_ids(list(items))}
    refused = [pid for pid in items if pid not in listable]
    if refused:
        raise PointError("not_for_sale", refused)
    transfer = StockTransfer(from_location_id=from_location_id, to_location_id=to_point.location_id,
                             sent_by_id=actor.id, note=note, client_key=client_key)
    db.session.add(transfer)
    db.session.flush()
    for pid in sorted(items):
        transfer.lines.append(StockTransferLine(product_id=pid, quantity_sent=items[pid]))
        try:
            stock.sell(from_location_id, pid, items[pid], reference=transfer.number, actor_id=actor.id,
                       kind="transfer_out")
        except stock.OutOfStock as error:
            raise PointError("out_of_stock", [error.product_id]) from error
    return transfer


def receive(transfer: StockTransfer, actor, received: dict[int, int]) -> StockTransfer:
    """The destination counts what arrived ({line id: quantity}; a line left out arrived in full).
    Received once: a second submission (another till, a double tap) is refused and changes nothing.
    Raises PointError: too_many, already_received."""
    lines = {line.id: line for line in transfer.lines}
    if any(line_id not in lines or qty < 0 or qty > lines[line_id].quantity_sent for line_id, qty in received.items()):
        raise PointError("too_many")
    try:
        TRANSFER.apply(transfer, "receive", actor_id=actor.id, received_by_id=actor.id, received_at=utcnow())
    except Refused as refused:
        raise PointError("already_received") from refused
    for line in sorted(transfer.lines, key=lambda line: line.product_id):
        line.quantity_received = received.get(line.id, line.quantity_sent)
        if line.quantity_received:
            stock.receive(transfer.to_location_id, line.product_id, line.quantity_received,
                          reference=transfer.number, actor_id=actor.id, kind="transfer_in")
    return transfer


def transfers_touching(location_id: int, limit: int = 100) -> list[StockTransfer]:
    return db.session.scalars(select(StockTransfer).where(or_(StockTransfer.from_location_id == location_id,
                                                              StockTransfer.to_location_id == location_id))
                              .order_by(StockTransfer.id.desc()).limit(limit)).all()


def transfer_touching(location_id: int, transfer_id: int) -> StockTransfer | None:
    transfer = db.session.get(StockTransfer, transfer_id)
    if transfer is None or location_id not in (transfer.from_location_id, transfer.to_location_id):
        return None
    return transfer


def in_transit(location_id: int) -> dict[int, int]:
    """Units per product sent to this location and not yet received."""
    totals: dict[int, int] = {}
    for transfer in db.session.scalars(select(StockTransfer).where(StockTransfer.to_location_id == location_id,
                                                                   StockTransfer.status == "sent")):
        for line in transfer.lines:
            totals[line.product_id] = totals.get(line.product_id, 0) + line.quantity_sent
    return totals
