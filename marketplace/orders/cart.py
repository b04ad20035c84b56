"""The cart: in the session for guests, in the database for signed-in shoppers, merged at sign-in.
What it shows always goes through the listing rule and the stock available now."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, session
from flask_login import user_logged_in
from sqlalchemy import delete, select

from ..catalog.purchase import PurchaseInfo, purchase_info
from ..catalog.services import Listing
from ..extensions import db
from ..unit_of_work import run
from .models import CartItem

SESSION_KEY = "cart"


def max_units() -> int:
    """At most this many units of one product per order (MAX_UNITS_PER_LINE): nobody holds a whole shelf."""
    return current_app.config["MAX_UNITS_PER_LINE"]


@dataclass
class CartLine:
    quantity: int
    info: PurchaseInfo  # whether it is on sale, its price, what can be shipped now

    @property
    def product_id(self) -> int:
        return self.info.product_id

    @property
    def listing(self) -> Listing | None:  # None: no longer on sale
        return self.info.listing

    @property
    def available(self) -> int:
        return self.info.available

    @property
    def problem(self) -> str | None:
        return self.info.why_not(self.quantity)

    @property
    def subtotal(self) -> int:
        return self.listing.product.price_vnd * self.quantity if self.listing else 0


@dataclass
class CartView:
    lines: list[CartLine]

    @property
    def total(self) -> int:
        return sum(line.subtotal for line in self.lines if line.problem is None)

    @property
    def can_check_out(self) -> bool:
        return bool(self.lines) and all(line.problem is None for line in self.lines)

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)


def _items(user) -> dict[int, int]:
    if user.is_authenticated:
        return {item.product_id: item.quantity
                for item in db.session.scalars(select(CartItem).where(CartItem.user_id == user.id))}
    return {int(k): v for k, v in session.get(SESSION_KEY, {}).items()}


def _store(user, items: dict[int, int]) -> None:
    if user.is_authenticated:
        db.session.execute(delete(CartItem).where(CartItem.user_id == user.id))
        db.session.add_all(CartItem(user_id=user.id, product_id=pid, quantity=qty) for pid, qty in items.items())
    else:
        session[SESSION_KEY] = {str(pid): qty for pid, qty in items.items()}


def view(user) -> CartView:
    items = _items(user)
    infos = purchase_info(items)
    return CartView([CartLine(qty, infos[pid]) for pid, qty in items.items()])


class CartError(ValueError):
    pass


def set_quantity(user, product_id: int, quantity: int, add: bool = False) -> int:
    """Put a listable product in the cart, capped by what can be shipped now and by the limit per order,
    in the caller's unit of work; returns the quantity."""
    info = purchase_info([product_id])[product_id]
    if info.why_not():
        raise CartError(info.why_not())
    available = info.available
    items = _items(user)
    wanted = (items.get(product_id, 0) + quantity) if add else quantity
    capped = max(1, min(wanted, available, max_units()))
    items[product_id] = capped
    _store(user, items)
    return capped


def remove(user, product_id: int) -> None:
    items = _items(user)
    items.pop(product_id, None)
    _store(user, items)


def clear(user) -> None:
    """Empty a shopper's saved cart in the caller's transaction (a guest's: forget_guest_cart)."""
    if user.is_authenticated:
        db.session.execute(delete(CartItem).where(CartItem.user_id == user.id))


def forget_guest_cart(user) -> None:
    if not user.is_authenticated:
        session.pop(SESSION_KEY, None)


def merge_guest_cart(user) -> None:
    """At sign-in: the guest's lines join the shopper's saved cart (quantities add up, capped)."""
    guest = {int(k): v for k, v in session.pop(SESSION_KEY, {}).items()}
    if not guest:
        return
    items = _items(user)
    infos = purchase_info(guest)
    for product_id, quantity in guest.items():
        items[product_id] = max(1, min(items.get(product_id, 0) + quantity, max(infos[product_id].available, 1),
                                       max_units()))
    _store(user, items)


def init_app(app) -> None:
    """Whoever signs in (the sign-in page, sign-up, a seller's join page) finds the cart they filled as a
    guest: the accounts package only signs people in and knows nothing of carts."""
    user_logged_in.connect(_merge_at_sign_in, app)


def _merge_at_sign_in(_app, user) -> None:
    run(merge_guest_cart, user)
