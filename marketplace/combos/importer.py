"""The combo import: `flask combos import FILE`, a CSV or XLSX with the header
`code,name_vi,name_en,story_vi,story_en,occasion,province,price_vnd,point,items`.

`point` is a sales point's code, or empty for a box each producer ships from its warehouse; `items` is
`GTIN:quantity` pairs separated by `;`. The file is checked whole before anything is written: one bad row
and nothing is imported, every bad row reported by line. A code already known updates that combo (its items
become the file's). The curator's scope holds as on the pages: an officer imports for their province."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import or_, select

from .. import ocop
from ..catalog import tables
from ..catalog.importer import RowError, parse_price
from ..certification.services import listable_ids
from ..extensions import db
from ..inventory.models import SalesPoint
from ..products.models import Product
from ..security import MAX_ID
from .models import MAX_ITEM_QUANTITY, MAX_ITEMS, OCCASIONS, Combo
from .services import ComboError, ComboFields, Curator, combo_by_code, problems, save_combo

COLUMNS = ("code", "name_vi", "name_en", "story_vi", "story_en", "occasion", "province", "price_vnd", "point", "items")
MAX_ROWS = 2_000
TEXT_LIMITS = {"name_vi": 200, "name_en": 200, "story_vi": 10_000, "story_en": 10_000}


@dataclass
class ComboImportResult:
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def read_table(path: str | Path) -> list[tuple[int, dict]]:
    return tables.read_table(path, COLUMNS, max_columns=len(COLUMNS) + 20, max_rows=MAX_ROWS)


def parse_items(text: str, reasons: list[str]) -> list[tuple[Product, int]]:
    """`GTIN:quantity` pairs separated by `;` or new lines (a product without a barcode as `#id:quantity`, its
    number on the shop) as the products on sale they name; each problem is added to `reasons`."""
    pairs: list[tuple[str, str, int]] = []  # (gtin or id, what was typed, quantity)
    for chunk in (part.strip() for part in text.replace("\n", ";").split(";")):
        if not chunk:
            continue
        name, sep, quantity = chunk.partition(":")
        name, quantity = name.strip(), quantity.strip()
        if not sep or not (quantity.isascii() and quantity.isdigit()) or not 0 < int(quantity) <= MAX_ITEM_QUANTITY:
            reasons.append(_("items: “%(value)s” must be GTIN:quantity, the quantity 1 to %(n)d",
                             value=chunk, n=MAX_ITEM_QUANTITY))
        elif name.startswith("#") and name[1:].isascii() and name[1:].isdigit() and 0 < int(name[1:]) <= MAX_ID:
            pairs.append((name, name, int(quantity)))
        else:
            try:
                pairs.append((ocop.normalize_gtin(name), name, int(quantity)))
            except ValueError as error:
                reasons.append(str(error))
    if not pairs and not reasons:
        reasons.append(_("items: a combo holds at least one product (GTIN:quantity)"))
    if len(pairs) > MAX_ITEMS:
        reasons.append(_("A combo holds at most %(n)d different products.", n=MAX_ITEMS))
        return []
    gtins = [key for key, _typed, _q in pairs if not key.startswith("#")]
    ids = [int(key[1:]) for key, _typed, _q in pairs if key.startswith("#")]
    found: dict[str, list[Product]] = {}
    if pairs:
        on_sale = db.session.scalars(select(Product).where(or_(Product.gtin.in_(gtins), Product.id.in_(ids)),
                                                           Product.id.in_(listable_ids())))
        for product in on_sale:
            if product.gtin in gtins:
                found.setdefault(product.gtin, []).append(product)
            if product.id in ids:
                found.setdefault(f"#{product.id}", []).append(product)
    items = []
    for key, typed, quantity in pairs:
        products = found.get(key, [])
        if len(products) == 1:
            items.append((products[0], quantity))
        elif products:
            reasons.append(_("GTIN %(gtin)s names several products on sale", gtin=typed))
        else:
            reasons.append(_("no product on sale has the GTIN %(gtin)s", gtin=typed))
    return items


def _point(code: str, reasons: list[str]) -> SalesPoint | None:
    if not code:
        return None
    point = db.session.scalar(select(SalesPoint).where(SalesPoint.code == code.strip().upper()))
    if point is None:
        reasons.append(_("no sales point has the code “%(code)s”", code=code))
    return point


def _check_row(values: dict, curator: Curator) -> tuple[ComboFields | None, Combo | None, list[str]]:
    reasons: list[str] = []
    for column, limit in TEXT_LIMITS.items():
        if len(values.get(column, "")) > limit:
            reasons.append(_("%(column)s is longer than %(n)d characters", column=column, n=limit))
    province_code = None
    try:
        province_code = int(ocop.find_province(values.get("province", "")).code)
    except ValueError as error:
        reasons.append(str(error))
    price = 0
    try:
        price = parse_price(values.get("price_vnd", ""))
    except ValueError as error:
        reasons.append(str(error))
    occasion = values.get("occasion", "").strip().lower()
    if occasion not in OCCASIONS:
        reasons.append(_("occasion “%(value)s” is one of: %(list)s", value=values.get("occasion", ""),
                         list=", ".join(OCCASIONS)))
    point = _point(values.get("point", ""), reasons)
    items = parse_items(values.get("items", ""), reasons)
    code = values.get("code", "").strip().upper()
    fields = ComboFields(code=code, name=values.get("name_vi", "").strip(), name_en=values.get("name_en") or None,
                         story=values.get("story_vi") or None, story_en=values.get("story_en") or None,
                         occasion=occasion, province_code=province_code or 0, price_vnd=price, point=point,
                         items=items)
    existing = combo_by_code(code) if code else None
    if not reasons:
        reasons.extend(problems(fields, curator, existing))
    return (None if reasons else fields), existing, reasons


def import_rows(rows: list[tuple[int, dict]], officer=None) -> ComboImportResult:
    """Check every row, then write them, in the caller's unit of work (all or nothing)."""
    curator = Curator(officer)
    result = ComboImportResult(rows=len(rows))
    checked, first_line = [], {}
    for line, values in rows:
        fields, existing, reasons = _check_row(values, curator)
        code = values.get("code", "").strip().upper()
        if code in first_line:
            reasons.append(_("the code %(code)s is on line %(line)d too", code=code, line=first_line[code]))
        first_line.setdefault(code, line)
        if reasons:
            result.errors.append(RowError(line, reasons))
        else:
            checked.append((fields, existing))
    if result.errors:
        return result
    for fields, existing in checked:
        try:
            _combo, changed = save_combo(curator, fields, existing)
        except ComboError as error:  # checked above; the rows cannot disagree with one another
            raise AssertionError(error.reasons) from error
        if existing is None:
            result.created += 1
        elif changed:
            result.updated += 1
        else:
            result.unchanged += 1
    return result


def import_file(path: str | Path, officer=None) -> ComboImportResult:
    return import_rows(read_table(path), officer=officer)
