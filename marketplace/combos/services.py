"""THE combo rules, one home each:

- **on sale** (`listable_combo_condition`, `ComboOffer.listable`): the combo is active, its sales point (if
  any) is open, it has items, and every item is listable by THE listing rule — so a recognition that ends,
  is revoked, or a seller suspended takes the combo off every page, search and the API at once, with
  nothing run at midnight;
- **what can be had** (`ComboOffer.available`): min over items of ⌊available ÷ quantity⌋ at the place that
  fulfils it (the point's shelf, or each producer's warehouse), read through the catalogue's purchase info;
- **the price shared among the items** (`apportion`), by list price, so each producer's share is known and
  the shares add up to the combo's price;
- **curating** (`save_combo`, `set_status`): by the office of a province (any point of it, or the producers'
  warehouses) or a point's manager (their point only); audited.

Placing an order for a combo is checkout's (orders/checkout.py), through the stock ledger; nothing here
commits."""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import BigInteger, and_, cast, exists, func, or_, select
from sqlalchemy.orm import selectinload

from .. import ocop
from ..audit import audit
from ..catalog.purchase import PurchaseInfo, purchase_info_at
from ..certification.services import listable_ids
from ..extensions import db
from ..i18n import vnd
from ..inventory.models import SalesPoint
from ..products.images import save_photo
from ..products.models import CARRY_ON_LIQUID_ML, MAX_PRICE, Product
from ..scope import covers
from .models import MAX_ITEM_QUANTITY, MAX_ITEMS, MIN_PRICE_PERCENT, OCCASIONS, Combo, ComboItem

CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}$", re.ASCII)  # "HUE-SOUVENIR-01"


# --- On sale: the listing rule over every item ---------------------------------------------------------

def listable_combo_condition(today: dt.date | None = None):
    """True for a combo on sale today: active, fulfilled by an open point or by the producers, with items,
    none of them unlisted (THE listing rule, as one subquery), and its price not below MIN_PRICE_PERCENT of
    what its items cost now (a producer who raises a price is never paid less than that)."""
    unlisted_item = exists().where(ComboItem.combo_id == Combo.id, ComboItem.product_id.not_in(listable_ids(today)))
    point_open = or_(Combo.sales_point_id.is_(None),
                     exists().where(SalesPoint.id == Combo.sales_point_id, SalesPoint.active.is_(True)))
    big = BigInteger()  # đồng × 100 is beyond a 32-bit integer
    list_price = (select(func.sum(cast(Product.price_vnd, big) * ComboItem.quantity))
                  .join(Product, Product.id == ComboItem.product_id)
                  .where(ComboItem.combo_id == Combo.id).scalar_subquery())
    return and_(Combo.status == "active", point_open, exists().where(ComboItem.combo_id == Combo.id), ~unlisted_item,
                cast(Combo.price_vnd, big) * 100 >= list_price * MIN_PRICE_PERCENT)


@dataclass
class ComboFilters:
    province: int | None = None
    region: str | None = None
    occasion: str | None = None
    price_max: int | None = None
    point_id: int | None = None
    carry_on: bool = False  # no liquid over 100 ml in the box
    ids: list[int] | None = None  # the matches of a search, in its order


def _loaded(query):
    return query.options(selectinload(Combo.items).selectinload(ComboItem.product), selectinload(Combo.sales_point))


def find_combos(filters: ComboFilters | None = None, today: dt.date | None = None, limit: int = 100) -> list[Combo]:
    """Combos on sale, by filters; in the search's order when `ids` are given, else occasion then price."""
    filters = filters or ComboFilters()
    query = select(Combo).where(listable_combo_condition(today))
    if filters.province:
        query = query.where(Combo.province_code == filters.province)
    if filters.region:
        query = query.where(Combo.province_code.in_(ocop.provinces_of_region(filters.region)))
    if filters.occasion:
        query = query.where(Combo.occasion == filters.occasion)
    if filters.price_max is not None:
        query = query.where(Combo.price_vnd <= filters.price_max)
    if filters.point_id:
        query = query.where(Combo.sales_point_id == filters.point_id)
    if filters.carry_on:
        query = query.where(~exists().where(ComboItem.combo_id == Combo.id, ComboItem.product_id == Product.id,
                                            Product.liquid_ml > CARRY_ON_LIQUID_ML))
    if filters.ids is not None:
        found = {combo.id: combo for combo in db.session.scalars(_loaded(query.where(Combo.id.in_(filters.ids))))}
        return [found[i] for i in filters.ids if i in found][:limit]
    return list(db.session.scalars(_loaded(query.order_by(Combo.price_vnd, Combo.id).limit(limit))))




def get_combo(combo_id: int) -> Combo | None:
    """A combo whatever its state (the curators' pages); the shop's pages ask `get_offer`."""
    return db.session.get(Combo, combo_id)


def combo_by_code(code: str) -> Combo | None:
    return db.session.scalar(select(Combo).where(Combo.code == code))


# --- What a combo costs and what can be had ---------------------------------------------------------

def apportion(total: int, weights: list[int]) -> list[int]:
    """`total` đồng split by `weights` (each item's list price × quantity): every share at least 1 đồng,
    the shares adding up to `total` exactly (the largest remainders get the odd đồng)."""
    if not weights or total < len(weights) or any(w <= 0 for w in weights):
        raise ValueError("a price of at least one đồng per item, and positive weights")
    rest, whole = total - len(weights), sum(weights)
    shares = [rest * w // whole for w in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(rest * weights[i] % whole), i))
    for i in by_remainder[:rest - sum(shares)]:
        shares[i] += 1
    return [1 + share for share in shares]


@dataclass(frozen=True)
class ItemOffer:
    item: ComboItem
    info: PurchaseInfo  # on sale?, list price, available at the place that fulfils it

    @property
    def quantity(self) -> int:
        return self.item.quantity

    @property
    def can_fill(self) -> int:
        """Boxes this item allows."""
        return self.info.available // self.item.quantity


@dataclass
class ComboOffer:
    """A combo as the shop offers it now (django-oscar's purchase info, for a box)."""
    combo: Combo
    items: list[ItemOffer] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.combo.id

    @property
    def price_vnd(self) -> int:
        return self.combo.price_vnd

    @property
    def point(self) -> SalesPoint | None:
        return self.combo.sales_point

    @property
    def location_id(self) -> int | None:
        """Where every item comes from: the point's shelf; None for each producer's warehouse."""
        return self.point.location_id if self.point is not None else None

    @property
    def listable(self) -> bool:
        return (self.combo.status == "active" and (self.point is None or self.point.active) and bool(self.items)
                and all(item.info.listing is not None for item in self.items)
                and self.price_vnd * 100 >= self.list_price_vnd * MIN_PRICE_PERCENT)

    @property
    def available(self) -> int:
        return min((item.can_fill for item in self.items), default=0) if self.listable else 0

    def why_not(self, quantity: int = 1) -> str | None:
        """None when `quantity` boxes can be bought; otherwise unlisted, out_of_stock or short."""
        if not self.listable:
            return "unlisted"
        if self.available <= 0:
            return "out_of_stock"
        if quantity > self.available:
            return "short"
        return None

    @property
    def list_price_vnd(self) -> int:
        """What the items cost bought one by one (the box's price may be below, or above with the box)."""
        return sum(item.info.price_vnd * item.quantity for item in self.items if item.info.listing is not None)

    @property
    def sellers(self) -> list:
        found = {item.info.listing.seller.id: item.info.listing.seller for item in self.items if item.info.listing}
        return list(found.values())

    @property
    def checked_baggage(self) -> list:
        """The items that fly in checked baggage (liquids over 100 ml); empty: carry-on friendly."""
        return [item.item.product for item in self.items if item.item.product.checked_baggage]

    @property
    def parcels(self) -> int:
        """Parcels a delivered box arrives in: one from a point, one per producer otherwise."""
        return 1 if self.point is not None else len(self.sellers)

    def shares(self) -> list[int]:
        """Each item's share of one box's price (by list price now), in the order of `items`."""
        return apportion(self.price_vnd, [item.info.price_vnd * item.quantity for item in self.items])

    def unit_prices(self) -> list[tuple[int, int, int]]:
        """One box's price shared unit by unit: (product id, unit price, units), the units of one product
        differing by at most one đồng, so every line is a whole price × quantity (the counter's receipt, and
        a return of one item, refund exactly what it was sold for)."""
        owners = [item.item.product_id for item in self.items for _unit in range(item.quantity)]
        weights = [item.info.price_vnd for item in self.items for _unit in range(item.quantity)]
        grouped: dict[tuple[int, int], int] = {}
        for owner, share in zip(owners, apportion(self.price_vnd, weights), strict=True):
            grouped[owner, share] = grouped.get((owner, share), 0) + 1
        return [(owner, share, units) for (owner, share), units in grouped.items()]


def offers(combos: Iterable[Combo]) -> dict[int, ComboOffer]:
    """Each combo with its items' purchase info at the place that fulfils it, in a fixed number of queries."""
    combos = list(combos)
    place = {combo.id: combo.sales_point.location_id if combo.sales_point is not None else None for combo in combos}
    infos = purchase_info_at((item.product_id, place[combo.id]) for combo in combos for item in combo.items)
    return {combo.id: ComboOffer(combo, [ItemOffer(item, infos[item.product_id, place[combo.id]])
                                         for item in combo.items]) for combo in combos}


def get_offer(combo_id: int) -> ComboOffer | None:
    """The combo as the shop offers it, or None when it is not on sale."""
    combo = db.session.scalar(_loaded(select(Combo).where(Combo.id == combo_id, listable_combo_condition())))
    return offers([combo])[combo.id] if combo is not None else None


def offers_by_ids(ids: Iterable[int]) -> dict[int, ComboOffer]:
    """Offers for these combos whether on sale or not (a cart, an order being placed): each says why not."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    return offers(db.session.scalars(_loaded(select(Combo).where(Combo.id.in_(ids)))))




# --- Curating -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Curator:
    """Who curates: an officer (their province; none: nationwide), a point's manager (their point), or the
    operator's command line (`user` None: every province)."""
    user: object | None = None
    point: SalesPoint | None = None  # a manager's own point

    def may_fulfil_at(self, point: SalesPoint | None) -> bool:
        if self.point is not None:
            return point is not None and point.id == self.point.id
        if self.user is None:
            return True
        return point is None or covers(self.user, point.province_code)

    def may_change(self, combo: Combo) -> bool:
        if self.point is not None:
            return combo.sales_point_id == self.point.id
        return self.user is None or covers(self.user, combo.managed_in)

    def home_province(self, point: SalesPoint | None, province_code: int) -> int:
        """The province whose office answers for a combo: the point's; else the officer's; else the story's."""
        if point is not None:
            return point.province_code
        return getattr(self.user, "province_code", None) or province_code


@dataclass
class ComboFields:
    code: str
    name: str
    name_en: str | None
    story: str | None
    story_en: str | None
    occasion: str
    province_code: int
    price_vnd: int
    point: SalesPoint | None
    items: list[tuple[Product, int]]


class ComboError(ValueError):
    """Why a combo cannot be saved, in the user's language (one reason per problem)."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def problems(fields: ComboFields, curator: Curator, existing: Combo | None) -> list[str]:
    """What stops these fields being saved by this curator, in the user's language (empty: nothing)."""
    found = []
    if not CODE.match(fields.code):
        found.append(_("The code is 2 to 40 capital letters, digits or dashes, e.g. HUE-GIFT-01."))
    if not fields.name.strip():
        found.append(_("The combo needs a Vietnamese name."))
    if fields.occasion not in OCCASIONS:
        found.append(_("The occasion is one of: %(list)s.", list=", ".join(OCCASIONS)))
    if ocop.province(fields.province_code) is None:
        found.append(_("Unknown province."))
    if not 0 < fields.price_vnd <= MAX_PRICE:
        found.append(_("The price is a whole number of đồng above 0."))
    if existing is not None and not curator.may_change(existing):
        found.append(_("This combo is curated by another province or sales point."))
    if not curator.may_fulfil_at(fields.point):
        found.append(_("You may only curate combos fulfilled at your own sales point.") if curator.point is not None
                     else _("That sales point is outside your province."))
    if fields.point is not None and not fields.point.active:
        found.append(_("That sales point is closed."))
    found.extend(_item_problems(fields))
    return found


def _item_problems(fields: ComboFields) -> list[str]:
    found = []
    if not fields.items:
        return [_("A combo holds at least one product.")]
    if len(fields.items) > MAX_ITEMS:
        found.append(_("A combo holds at most %(n)d different products.", n=MAX_ITEMS))
    products = [product for product, _quantity in fields.items]
    if len({product.id for product in products}) != len(products):
        found.append(_("A product is listed twice: give it once with its quantity."))
    for product, quantity in fields.items:
        if not 0 < quantity <= MAX_ITEM_QUANTITY:
            found.append(_("%(name)s: the quantity is 1 to %(n)d.", name=product.name, n=MAX_ITEM_QUANTITY))
    listable = set(db.session.scalars(listable_ids().where(Product.id.in_([p.id for p in products]))))
    for product in products:
        if product.id not in listable:
            found.append(_("%(name)s is not on sale (no OCOP recognition of 3 stars or more in force, or its "
                           "seller is not verified).", name=product.name))
        elif product.is_service:
            found.append(_("%(name)s is a service (a tour, a stay) and cannot go in a box.", name=product.name))
    if fields.price_vnd < sum(quantity for _product, quantity in fields.items):
        found.append(_("The price must be at least one đồng per unit in the box."))
    list_price = sum(product.price_vnd * quantity for product, quantity in fields.items)
    if fields.price_vnd * 100 < list_price * MIN_PRICE_PERCENT:
        found.append(_("The price is at least %(percent)d%% of what the items cost one by one (%(least)s): each "
                       "producer is paid its share of it.", percent=MIN_PRICE_PERCENT,
                       least=vnd(-(-list_price * MIN_PRICE_PERCENT // 100))))
    return found


_AUDITED = ("code", "name", "name_en", "story", "story_en", "occasion", "province_code", "price_vnd", "sales_point_id", "managed_in",
            "status")


def _state(combo: Combo) -> dict:
    state = {name: getattr(combo, name) for name in _AUDITED}
    state["items"] = {str(item.product_id): item.quantity for item in combo.items}
    return state


def save_combo(curator: Curator, fields: ComboFields, combo: Combo | None = None) -> tuple[Combo, bool]:
    """Create the combo, or update `combo` (or the one with this code); audited when a person curates.
    Returns (combo, changed). Raises ComboError with every reason when the fields cannot be saved."""
    combo = combo or combo_by_code(fields.code)
    reasons = problems(fields, curator, combo)
    if reasons:
        raise ComboError(reasons)
    created = combo is None
    if created:
        combo = Combo(code=fields.code)
        db.session.add(combo)
    before = None if created else _state(combo)
    for name in ("code", "name", "name_en", "story", "story_en", "occasion", "province_code", "price_vnd"):
        setattr(combo, name, getattr(fields, name))
    combo.sales_point = fields.point
    combo.managed_in = curator.home_province(fields.point, fields.province_code)
    wanted = {product.id: quantity for product, quantity in fields.items}
    for item in list(combo.items):
        if item.product_id not in wanted:
            combo.items.remove(item)
        else:
            item.quantity = wanted.pop(item.product_id)
    combo.items.extend(ComboItem(product_id=pid, quantity=quantity) for pid, quantity in wanted.items())
    db.session.flush()
    after = _state(combo)
    changed = after != before
    if curator.user is not None and changed:
        audit(curator.user, "combo.create" if created else "combo.update", combo, before, after)
    return combo, changed


def save_with_photo(curator: Curator, fields: ComboFields, combo: Combo | None = None, photo=None) -> Combo:
    """`save_combo`, and the box's photo when one is uploaded (checked and re-encoded like a product's)."""
    combo, _changed = save_combo(curator, fields, combo)
    if photo is not None:
        stored = save_photo(photo)
        combo.photo, combo.thumbnail, combo.photo_widths = stored.filename, stored.thumbnail, stored.widths
        if curator.user is not None:
            audit(curator.user, "combo.photo", combo, None, {"photo": combo.photo})
    return combo


def curated_by(curator: Curator) -> list[Combo]:
    """Every combo this curator may change, on sale or not, by code."""
    query = select(Combo).order_by(Combo.code)
    if curator.point is not None:
        query = query.where(Combo.sales_point_id == curator.point.id)
    elif curator.user is not None and getattr(curator.user, "province_code", None) is not None:
        query = query.where(Combo.managed_in == curator.user.province_code)
    return list(db.session.scalars(_loaded(query)))


def set_status(curator: Curator, combo: Combo, status: str) -> None:
    """Withdraw a combo from sale, or put it back; audited."""
    if not curator.may_change(combo):
        raise PermissionError("a combo outside the curator's scope")
    before = _state(combo)
    combo.status = status
    db.session.flush()
    if curator.user is not None:
        audit(curator.user, "combo.withdraw" if status == "withdrawn" else "combo.restore", combo, before,
              _state(combo))
