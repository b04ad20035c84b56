"""What can be bought of a product at a place, now: one answer for the cart, checkout, the till and the API
(django-oscar's "purchase info"). Is it on sale (the listing rule), at what price, how many are available
there, and if it cannot be bought, why not. The stock ledger's conditional updates stay the guard when the
order or sale is written; this is what the pages show and check first."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..inventory.queries import available_at, online_available
from .services import Listing, listings_by_ids

# Why a product cannot be bought in the quantity asked: no recognition in force (or its seller is not
# verified), nothing available at that place, or less than asked.
WHY_NOT = ("unlisted", "book_instead", "out_of_stock", "short")  # book_instead: an experience has dates


@dataclass(frozen=True)
class PurchaseInfo:
    product_id: int
    listing: Listing | None  # None: not on sale
    available: int  # units that can be had at that place now (never below 0)

    @property
    def price_vnd(self) -> int | None:
        return self.listing.product.price_vnd if self.listing is not None else None

    def why_not(self, quantity: int = 1) -> str | None:
        """None when `quantity` units can be bought; otherwise one of WHY_NOT."""
        if self.listing is None:
            return "unlisted"
        if self.listing.product.is_service:
            return "book_instead"  # places in a dated session, booked on its page (`experiences`), not goods
        if self.available <= 0:
            return "out_of_stock"
        if quantity > self.available:
            return "short"
        return None


def purchase_info(product_ids: Iterable[int], location_id: int | None = None) -> dict[int, PurchaseInfo]:
    """For each product: with no location, what its seller can ship from its warehouse (an online order by
    post); with a location, what that shelf holds (a pickup at a sales point, a sale at the counter)."""
    ids = list(dict.fromkeys(product_ids))
    infos = purchase_info_at((pid, location_id) for pid in ids)
    return {pid: infos[pid, location_id] for pid in ids}


def purchase_info_at(pairs: Iterable[tuple[int, int | None]]) -> dict[tuple[int, int | None], PurchaseInfo]:
    """The same answer for many (product, place) pairs at once, a place being a location or None for the
    seller's warehouse (gift combos fulfilled at several places): one listing query and two stock queries
    whatever the number of pairs."""
    pairs = list(dict.fromkeys(pairs))
    ids = list(dict.fromkeys(pid for pid, _ in pairs))
    listings = {listing.product.id: listing for listing in listings_by_ids(ids)}
    online = online_available([pid for pid, location_id in pairs if location_id is None])
    shelves = available_at(list({location_id for _, location_id in pairs if location_id is not None}), ids)
    return {(pid, location_id): PurchaseInfo(pid, listings.get(pid), max(
                online.get(pid, 0) if location_id is None else shelves.get((location_id, pid), 0), 0))
            for pid, location_id in pairs}
