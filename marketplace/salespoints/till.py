"""The till of one point in this browser: the lines being rung up (product id → quantity), the names a search
found, and the VietQR transfer note of this sale; kept in the session until the sale is recorded or cleared.
Nothing here touches stock or money: `services.complete_sale` decides when the sale is recorded."""
from __future__ import annotations

import secrets

from flask import session

from ..security import MAX_ID

MOST_UNITS = 999  # units of one product on one till line (the line form's own bound)


class Till:
    def __init__(self, point):
        self.point = point
        self._lines_key, self._note_key = f"till-{point.id}", f"till-ref-{point.id}"

    @property
    def items(self) -> dict[int, int]:
        """The lines, as product id -> quantity; anything else the session holds (an edited cookie) is
        dropped here, so a page or a sale never sees an id no row can have or a quantity that is not one."""
        stored = session.get(self._lines_key)
        if not isinstance(stored, dict):
            return {}
        lines = {}
        for key, quantity in stored.items():
            if (isinstance(key, str) and key.isascii() and key.isdigit() and 0 < int(key) <= MAX_ID
                    and type(quantity) is int and 0 < quantity <= MOST_UNITS):
                lines[int(key)] = quantity
        return lines

    def _store(self, items: dict[int, int]) -> None:
        session[self._lines_key] = {str(k): v for k, v in items.items()}

    def add(self, product_id: int, quantity: int) -> None:
        items = self.items
        items[product_id] = min(items.get(product_id, 0) + quantity, MOST_UNITS)
        self._store(items)

    def set(self, product_id: int, quantity: int) -> None:
        """A line's new quantity; 0 takes it off."""
        items = self.items
        if quantity:
            items[product_id] = quantity
        else:
            items.pop(product_id, None)
        self._store(items)

    def transfer_note(self, create: bool = True) -> str | None:
        """The note a VietQR transfer for this sale carries: one per sale being rung up."""
        if create and self._note_key not in session:
            session[self._note_key] = f"OCOP {self.point.code} {secrets.token_hex(3).upper()}"
        return session.get(self._note_key)

    def clear(self) -> None:
        session.pop(self._lines_key, None)
        session.pop(self._note_key, None)

    # The names a search found (several matched), shown once on the next page.
    @staticmethod
    def remember_matches(product_ids: list[int]) -> None:
        session["till-matches"] = product_ids

    @staticmethod
    def take_matches() -> list[int]:
        return session.pop("till-matches", [])
