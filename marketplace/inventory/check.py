"""The stock invariant, checked from outside: every level equals its ledger, nothing is negative, and
what is reserved is exactly what open orders (and any other holder) account for.

Inventory knows nothing of orders: a package that holds stock registers a function answering
{(location id, product id): units it holds}; the check adds them up. `flask inventory check` prints
every difference and exits non-zero; race tests and the load test end with it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from .models import StockLevel, StockMovement

Holder = Callable[[], dict[tuple[int, int], int]]
_HOLDERS: dict[str, Holder] = {}


def register_holder(name: str, holder: Holder) -> None:
    """`holder()` answers the units it holds per (location, product); registered once per name."""
    _HOLDERS[name] = holder


@dataclass
class Problem:
    location_id: int
    product_id: int
    what: str

    def __str__(self) -> str:
        return f"location {self.location_id}, product {self.product_id}: {self.what}"


def problems() -> list[Problem]:
    """Every level that breaks the invariant (an empty list: the stock is sound)."""
    levels = {(lv.location_id, lv.product_id): (lv.on_hand, lv.reserved)
              for lv in db.session.scalars(select(StockLevel))}
    ledger = {(location_id, product_id): (int(on_hand), int(reserved)) for location_id, product_id, on_hand, reserved
              in db.session.execute(select(StockMovement.location_id, StockMovement.product_id,
                                           func.sum(StockMovement.on_hand_change),
                                           func.sum(StockMovement.reserved_change))
                                    .group_by(StockMovement.location_id, StockMovement.product_id))}
    held: dict[tuple[int, int], int] = {}
    for holder in _HOLDERS.values():
        for key, units in holder().items():
            held[key] = held.get(key, 0) + units
    found = []
    for key in sorted(set(levels) | set(ledger) | set(held)):
        on_hand, reserved = levels.get(key, (0, 0))
        booked = ledger.get(key, (0, 0))
        if on_hand < 0 or reserved < 0 or reserved > on_hand:
            found.append(Problem(*key, f"on hand {on_hand}, reserved {reserved}: negative or more held than there is"))
        if (on_hand, reserved) != booked:
            found.append(Problem(*key, f"level says on hand {on_hand}, reserved {reserved}; "
                                       f"the ledger says {booked[0]}, {booked[1]}"))
        if reserved != held.get(key, 0):
            found.append(Problem(*key, f"reserved {reserved}, but open orders and holds account for "
                                       f"{held.get(key, 0)}"))
    return found
