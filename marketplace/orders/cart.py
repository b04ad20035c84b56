"""The cart: in the session for guests, in the database for signed-in shoppers, merged at sign-in.
What it shows always goes through the listing rule and the stock available now."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, session
from flask_login import AnonymousUserMixin, current_user, user_logged_in
from sqlalchemy import delete, select

from ..accounts.services import email_confirmed
from ..catalog.purchase import PurchaseInfo, purchase_info
from ..catalog.services import Listing
from ..combos.services import ComboOffer
from ..combos.services import offers_by_ids as combo_offers
from ..extensions import db
from ..security import MAX_ID
from ..unit_of_work import run
from .models import CartItem
from .services import claim_guest_orders

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
class ComboLine:
    combo_id: int
    quantity: int
    offer: ComboOffer | None  # None: no such combo any more

    @property
    def problem(self) -> str | None:
        return self.offer.why_not(self.quantity) if self.offer is not None else "unlisted"

    @property
    def available(self) -> int:
        return self.offer.available if self.offer is not None else 0

    @property
    def subtotal(self) -> int:
        return self.offer.price_vnd * self.quantity if self.offer is not None else 0


@dataclass
class CartView:
    lines: list[CartLine]
    combos: list[ComboLine] = field(default_factory=list)

    @property
    def all_lines(self) -> list:
        return [*self.lines, *self.combos]

    @property
    def total(self) -> int:
        return sum(line.subtotal for line in self.all_lines if line.problem is None)

    @property
    def can_check_out(self) -> bool:
        return bool(self.all_lines) and all(line.problem is None for line in self.all_lines)

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.all_lines)

    @property
    def items(self) -> dict[int, int]:
        return {line.product_id: line.quantity for line in self.lines}

    @property
    def combo_items(self) -> dict[int, int]:
        return {line.combo_id: line.quantity for line in self.combos}

    def units_wanted(self) -> dict[int, int]:
        """Every unit of every product the cart asks for, boxes opened (what a pickup point must hold)."""
        wanted = dict(self.items)
        for line in self.combos:
            for item in line.offer.items if line.offer is not None else ():
                wanted[item.item.product_id] = wanted.get(item.item.product_id, 0) + item.quantity * line.quantity
        return wanted


# A cart line is a product or a gift combo: ("product", id) or ("combo", id).
Key = tuple[str, int]
KINDS = ("product", "combo")


def _session_key(key: Key) -> str:
    return str(key[1]) if key[0] == "product" else f"c{key[1]}"


def _from_session(text: str) -> Key | None:
    kind, digits = ("combo", text[1:]) if text.startswith("c") else ("product", text)
    return (kind, int(digits)) if digits.isascii() and digits.isdigit() and 0 < int(digits) <= MAX_ID else None


def _items(user) -> dict[Key, int]:
    if user.is_authenticated:
        return {("product", item.product_id) if item.product_id else ("combo", item.combo_id): item.quantity
                for item in db.session.scalars(select(CartItem).where(CartItem.user_id == user.id))}
    stored = session.get(SESSION_KEY, {})
    items = {}
    for text, quantity in (stored.items() if isinstance(stored, dict) else ()):
        key = _from_session(str(text))
        if key is not None and type(quantity) is int and quantity > 0:
            items[key] = quantity
    return items


def count(user) -> int:
    """Units in the cart, for the header's badge (one small query for a signed-in person, none for a guest)."""
    return sum(_items(user).values())


def _store(user, items: dict[Key, int]) -> None:
    if user.is_authenticated:
        db.session.execute(delete(CartItem).where(CartItem.user_id == user.id))
        db.session.add_all(CartItem(user_id=user.id, quantity=qty, **{f"{kind}_id": ident})
                           for (kind, ident), qty in items.items())
    else:
        session[SESSION_KEY] = {_session_key(key): qty for key, qty in items.items()}


def view(user) -> CartView:
    items = _items(user)
    products = {ident: qty for (kind, ident), qty in items.items() if kind == "product"}
    combos = {ident: qty for (kind, ident), qty in items.items() if kind == "combo"}
    infos = purchase_info(products)
    found = combo_offers(combos)
    return CartView([CartLine(qty, infos[pid]) for pid, qty in products.items()],
                    [ComboLine(cid, qty, found.get(cid)) for cid, qty in combos.items()])


class CartError(ValueError):
    pass


def _can_have(key: Key) -> tuple[str | None, int]:
    """Why not (or None) and how many can be had now, of a product or a combo."""
    kind, ident = key
    if kind == "combo":
        offer = combo_offers([ident]).get(ident)
        return (offer.why_not(), offer.available) if offer is not None else ("unlisted", 0)
    info = purchase_info([ident])[ident]
    return info.why_not(), info.available


def set_quantity(user, product_id: int, quantity: int, add: bool = False, kind: str = "product") -> int:
    """Put a listable product (or a combo on sale, `kind="combo"`) in the cart, capped by what can be had
    now and by the limit per order, in the caller's unit of work; returns the quantity."""
    key = (kind, product_id)
    why_not, available = _can_have(key)
    if why_not:
        raise CartError(why_not)
    items = _items(user)
    wanted = (items.get(key, 0) + quantity) if add else quantity
    capped = max(1, min(wanted, available, max_units()))
    items[key] = capped
    _store(user, items)
    return capped


def remove(user, product_id: int, kind: str = "product") -> None:
    items = _items(user)
    items.pop((kind, product_id), None)
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
    guest = _items(AnonymousUserMixin())
    session.pop(SESSION_KEY, None)
    if not guest:
        return
    items = _items(user)
    for key, quantity in guest.items():
        why_not, available = _can_have(key)
        if why_not == "unlisted":
            continue  # not on sale (or no such thing at all: an edited cookie): nothing to keep
        items[key] = max(1, min(items.get(key, 0) + quantity, max(available, 1), max_units()))
    _store(user, items)


def init_app(app) -> None:
    """Whoever signs in (the sign-in page, sign-up, a seller's join page) finds the cart they filled as a
    guest, and whoever confirms an address finds the orders placed with it as a guest: the accounts package
    only signs people in and confirms addresses, and knows nothing of carts or orders."""
    user_logged_in.connect(_merge_at_sign_in, app)
    email_confirmed.connect(_claim_at_confirmation, app)
    app.add_template_global(lambda: count(current_user), "cart_count")


def _claim_at_confirmation(_app, user) -> None:
    claim_guest_orders(user)  # inside the confirming transaction


def _merge_at_sign_in(_app, user) -> None:
    run(merge_guest_cart, user)
