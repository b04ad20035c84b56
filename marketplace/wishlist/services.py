"""Keeping favourites, for a guest (the session) or a signed-in shopper (the database). Adding twice keeps
one (the unique key, through INSERT … ON CONFLICT DO NOTHING); only listable products are shown."""
from __future__ import annotations

from flask import session
from sqlalchemy import delete, func, select

from ..accounts.models import User
from ..catalog.services import Listing, listings_by_ids, with_stock
from ..extensions import db
from ..models_base import upsert
from ..security import MAX_ID
from .models import MAX_ITEMS, WishlistItem

SESSION_KEY = "wishlist"


class WishlistFull(ValueError):
    pass


def _guest_ids() -> list[int]:
    stored = session.get(SESSION_KEY, [])
    return [pid for pid in stored if type(pid) is int and 0 < pid <= MAX_ID][:MAX_ITEMS] if isinstance(
        stored, list) else []


def ids(user) -> list[int]:
    """The shopper's favourites, newest first."""
    if user.is_authenticated:
        return list(db.session.scalars(select(WishlistItem.product_id).where(WishlistItem.user_id == user.id)
                                       .order_by(WishlistItem.id.desc())))
    return _guest_ids()


def _insert(user_id: int, product_ids: list[int]) -> None:
    if not product_ids:
        return
    db.session.execute(upsert(WishlistItem).values([{"user_id": user_id, "product_id": pid}
                                                            for pid in product_ids])
                       .on_conflict_do_nothing(index_elements=["user_id", "product_id"]))


def add(user, product_id: int) -> None:
    """Keep a listable product (the caller checked it is), in the caller's unit of work. The shopper's row is
    locked first (PostgreSQL; SQLite has one writer), so taps at the same moment count one after another
    and the cap holds; a product kept already is simply kept."""
    if user.is_authenticated:
        db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
        kept = set(ids(user))
        if product_id in kept:
            return
        if len(kept) >= MAX_ITEMS:
            raise WishlistFull()
        _insert(user.id, [product_id])
    else:
        kept = _guest_ids()
        if product_id not in kept:
            if len(kept) >= MAX_ITEMS:
                raise WishlistFull()
            session[SESSION_KEY] = [product_id, *kept]


def remove(user, product_id: int) -> None:
    if user.is_authenticated:
        db.session.execute(delete(WishlistItem).where(WishlistItem.user_id == user.id,
                                                      WishlistItem.product_id == product_id))
    else:
        session[SESSION_KEY] = [pid for pid in _guest_ids() if pid != product_id]


def listings(user) -> tuple[list[Listing], int]:
    """The favourites on sale now, with their stock (one query each), and how many are no longer on sale."""
    wanted = ids(user)
    found = with_stock(listings_by_ids(wanted))
    return found, len(wanted) - len(found)


def merge_guest(user) -> None:
    """At sign-in: the guest's favourites join the account's (up to MAX_ITEMS), and leave the session."""
    guest = _guest_ids()
    session.pop(SESSION_KEY, None)
    if not guest:
        return
    room = MAX_ITEMS - len(ids(user))
    known = {listing.product.id for listing in listings_by_ids(guest)}  # an edited cookie names nothing real
    _insert(user.id, [pid for pid in guest if pid in known][:max(room, 0)])


def holds(user, product_id: int) -> bool:
    return product_id in ids(user) if not user.is_authenticated else db.session.scalar(
        select(func.count(WishlistItem.id)).where(WishlistItem.user_id == user.id,
                                                  WishlistItem.product_id == product_id)) > 0

