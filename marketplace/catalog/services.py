"""Catalogue queries for the storefront and the API. Every one goes through the listing rule,
and every page costs a fixed number of queries whatever its number of items."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from sqlalchemy import desc, func, or_
from sqlalchemy.orm import contains_eager, selectinload

from .. import ocop
from ..certification.models import EvaluationRecord
from ..certification.services import Badge, badges, check_identity, listable_select
from ..collation import by_name
from ..extensions import db
from ..inventory.queries import held_at_points, online_available, online_in_stock_condition
from ..pagecache import per_catalogue_version
from ..products.images import check_uploads, save_photo
from ..products.models import CARRY_ON_LIQUID_ML, Product, ProductImage
from ..sellers.models import Seller

SORTS = ("newest", "price_asc", "price_desc", "stars", "name")
_ORDER = {
    "newest": (desc(EvaluationRecord.decision_date), desc(Product.id)),
    "price_asc": (Product.price_vnd, Product.id),
    "price_desc": (desc(Product.price_vnd), Product.id),
    "stars": (desc(EvaluationRecord.stars), desc(EvaluationRecord.score), Product.id),
    "name": (by_name(Product.name), Product.id),
}


@dataclass
class Listing:
    """A listable product with the recognition that allows it and the badges it earns."""
    product: Product
    record: EvaluationRecord
    badges: list[Badge] = field(default_factory=list)
    online: int | None = None  # units its seller can ship now (None: not asked, see `with_stock`)
    at_points: bool = False  # some open sales point has it on the shelf

    @property
    def out_of_stock(self) -> bool:
        """Nothing to ship by post (the card says so, and where it can be had in person)."""
        return self.online == 0

    @property
    def seller(self) -> Seller:
        return self.product.seller

    @property
    def national_five_star(self) -> bool:
        return any(b.code == "national_5" for b in self.badges)


@dataclass
class Filters:
    group: str | None = None  # a code prefix: "I", "I.5", "I.5.a"
    province: int | None = None
    stars_min: int | None = None
    price_min: int | None = None
    price_max: int | None = None
    seller_id: int | None = None
    provinces: tuple[int, ...] | None = None  # a region's provinces
    gifts: bool = False  # only what travels and keeps as a gift (ocop.GIFT_GROUPS)
    carry_on: bool = False  # no liquid over 100 ml
    in_stock: bool = False  # only what its seller can ship now (the home page's promoted rows)
    sort: str = "newest"
    page: int = 1
    per_page: int = 24


@dataclass
class Page:
    items: list[Listing]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def listings_from_rows(rows) -> list[Listing]:
    return [Listing(product, record, badges(product, record, product.seller)) for product, record in rows]


def with_stock(listings: list[Listing]) -> list[Listing]:
    """Fill in what can be had of each listing now (two queries for any number): cards show 'out of stock'
    instead of promising what cannot be sent."""
    ids = [listing.product.id for listing in listings]
    online, held = online_available(ids), held_at_points(ids)
    for listing in listings:
        listing.online, listing.at_points = online[listing.product.id], listing.product.id in held
    return listings


def _with_seller_and_images(query):
    return query.options(contains_eager(Product.seller), selectinload(Product.images))


def group_condition(code: str):
    return or_(Product.group_code == code, Product.group_code.like(code + ".%"))


def _filtered(filters: Filters, today: dt.date | None, *entities):
    query = listable_select(*entities, today=today)
    if filters.group:
        query = query.where(group_condition(filters.group))
    if filters.province:
        query = query.where(Seller.province_code == filters.province)
    if filters.stars_min:
        query = query.where(EvaluationRecord.stars >= filters.stars_min)
    if filters.price_min is not None:
        query = query.where(Product.price_vnd >= filters.price_min)
    if filters.price_max is not None:
        query = query.where(Product.price_vnd <= filters.price_max)
    if filters.seller_id:
        query = query.where(Product.seller_id == filters.seller_id)
    if filters.provinces is not None:
        query = query.where(Seller.province_code.in_(filters.provinces))
    if filters.gifts:
        query = query.where(or_(*(group_condition(code) for code in ocop.GIFT_GROUPS)))
    if filters.carry_on:
        query = query.where(or_(Product.liquid_ml.is_(None), Product.liquid_ml <= CARRY_ON_LIQUID_ML))
    if filters.in_stock:
        query = query.where(online_in_stock_condition())
    return query


def find_listings(filters: Filters, today: dt.date | None = None, count: bool = True) -> Page:
    """A page of listable products with their stock; `count=False` skips counting them all (total is then
    the page's)."""
    query = (
        _with_seller_and_images(_filtered(filters, today))
        .order_by(*_ORDER.get(filters.sort, _ORDER["newest"]))
        .limit(filters.per_page)
        .offset((filters.page - 1) * filters.per_page)
    )
    items = with_stock(listings_from_rows(db.session.execute(query).unique().all()))
    total = db.session.scalar(_filtered(filters, today, func.count(Product.id))) if count else len(items)
    return Page(items, total or 0, filters.page, filters.per_page)


def get_listing(product_id: int, today: dt.date | None = None) -> Listing | None:
    query = _with_seller_and_images(listable_select(today=today).where(Product.id == product_id))
    found = listings_from_rows(db.session.execute(query).unique().all())
    return found[0] if found else None


def listings_by_ids(ids: list[int], today: dt.date | None = None, photos: bool = True) -> list[Listing]:
    """The listable products among `ids`, in that order, in one query (search results, carts); `photos=False`
    for who shows none (placing an order)."""
    if not ids:
        return []
    query = listable_select(today=today).where(Product.id.in_(ids))
    query = _with_seller_and_images(query) if photos else query.options(contains_eager(Product.seller))
    found = {listing.product.id: listing for listing in listings_from_rows(db.session.execute(query).unique().all())}
    return [found[i] for i in ids if i in found]


def listable_names(ids: list[int], today: dt.date | None = None) -> list[tuple[int, str, str | None]]:
    """(id, name, English name) of the listable products among `ids`, in that order: what a suggestion
    list shows, without loading whole listings."""
    if not ids:
        return []
    found = {row.id: tuple(row) for row in db.session.execute(
        listable_select(Product.id, Product.name, Product.name_en, today=today).where(Product.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


# The home page promotes only what can be sent now: a shopper who follows a promotion can buy it.

def national_five_star(limit: int = 8, today: dt.date | None = None) -> list[Listing]:
    query = _with_seller_and_images(
        listable_select(today=today).where(EvaluationRecord.stars == 5, EvaluationRecord.level == "national",
                                           online_in_stock_condition())
    ).order_by(desc(EvaluationRecord.score), Product.id).limit(limit)
    return with_stock(listings_from_rows(db.session.execute(query).unique().all()))


def newly_recognised(limit: int = 8, today: dt.date | None = None) -> list[Listing]:
    return find_listings(Filters(sort="newest", per_page=limit, in_stock=True), today, count=False).items


@per_catalogue_version
def counts_by_group_and_province(today: dt.date | None = None) -> tuple[dict[str, int], dict[int, int]]:
    """Listable products per top group and per province, in one pass (the home page)."""
    by_group: dict[str, int] = {}
    by_province: dict[int, int] = {}
    query = listable_select(Product.group_code, Seller.province_code, func.count(Product.id), today=today)
    for group_code, province_code, count in db.session.execute(query.group_by(Product.group_code,
                                                                               Seller.province_code)):
        by_group[ocop.top_group(group_code)] = by_group.get(ocop.top_group(group_code), 0) + count
        by_province[province_code] = by_province.get(province_code, 0) + count
    return by_group, by_province


@per_catalogue_version
def counts_by_subgroup(code: str, today: dt.date | None = None) -> dict[str, int]:
    query = listable_select(Product.group_code, func.count(Product.id), today=today).where(group_condition(code))
    counts: dict[str, int] = {}
    for group_code, count in db.session.execute(query.group_by(Product.group_code)):
        counts[ocop.subgroup(group_code)] = counts.get(ocop.subgroup(group_code), 0) + count
    return counts


def get_verified_seller(seller_id: int) -> Seller | None:
    seller = db.session.get(Seller, seller_id)
    return seller if seller is not None and seller.is_verified else None


# --- The seller console: writing listings ----------------------------------------------------

def save_product(seller: Seller, values: dict, photos=(), product: Product | None = None) -> Product:
    """Create or update one of the seller's listings with its new photos, in the caller's unit of work.
    Photos are checked and written first; if any is refused nothing is saved.
    What the council evaluated is locked while a recognition holds: a change of it raises
    `IdentityLocked` (naming the fields) before anything is written."""

    if product is not None and product.seller_id != seller.id:
        raise PermissionError("another seller's product")
    check_identity(product, values)
    check_uploads(list(photos), seller)
    stored = [save_photo(upload.stream) for upload in photos]
    product = product or Product(seller=seller)
    for name, value in values.items():
        setattr(product, name, value)
    start = len(product.images)
    for offset, photo in enumerate(stored):
        product.images.append(ProductImage(filename=photo.filename, thumbnail=photo.thumbnail, widths=photo.widths,
                                           position=start + offset, alt=product.name, alt_en=product.name_en))
    db.session.add(product)
    db.session.flush()
    return product
