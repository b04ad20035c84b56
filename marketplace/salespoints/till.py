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
        self._combos_key = f"till-combos-{point.id}"

    def _read(self, key: str) -> dict[int, int]:
        """Lines as id -> quantity; anything else the session holds (an edited cookie) is dropped here, so a
        page or a sale never sees an id no row can have or a quantity that is not one."""
        stored = session.get(key)
        if not isinstance(stored, dict):
            return {}
        lines = {}
        for ident, quantity in stored.items():
            if (isinstance(ident, str) and ident.isascii() and ident.isdigit() and 0 < int(ident) <= MAX_ID
                    and type(quantity) is int and 0 < quantity <= MOST_UNITS):
                lines[int(ident)] = quantity
        return lines

    def _write(self, key: str, lines: dict[int, int]) -> None:
        session[key] = {str(k): v for k, v in lines.items()}

    @property
    def items(self) -> dict[int, int]:
        """The products rung up: product id -> quantity."""
        return self._read(self._lines_key)

    @property
    def combos(self) -> dict[int, int]:
        """The point's gift combos rung up whole: combo id -> boxes."""
        return self._read(self._combos_key)

    def add(self, product_id: int, quantity: int, combo: bool = False) -> None:
        key = self._combos_key if combo else self._lines_key
        lines = self._read(key)
        lines[product_id] = min(lines.get(product_id, 0) + quantity, MOST_UNITS)
        self._write(key, lines)

    def set(self, product_id: int, quantity: int, combo: bool = False) -> None:
        """A line's new quantity; 0 takes it off."""
        key = self._combos_key if combo else self._lines_key
        lines = self._read(key)
        if quantity:
            lines[product_id] = quantity
        else:
            lines.pop(product_id, None)
        self._write(key, lines)

    def transfer_note(self, create: bool = True) -> str | None:
        """The note a VietQR transfer for this sale carries: one per sale being rung up."""
        if create and self._note_key not in session:
            session[self._note_key] = f"OCOP {self.point.code} {secrets.token_hex(3).upper()}"
        return session.get(self._note_key)

    def clear(self) -> None:
        session.pop(self._lines_key, None)
        session.pop(self._combos_key, None)
        session.pop(self._note_key, None)

    # The names a search found (several matched), shown once on the next page.
    @staticmethod
    def remember_matches(product_ids: list[int]) -> None:
        session["till-matches"] = product_ids

    @staticmethod
    def take_matches() -> list[int]:
        return session.pop("till-matches", [])
