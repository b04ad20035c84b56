"""The catalogue import: how a provincial office loads its recognition decisions.

A file is checked whole before anything is written: one bad row and nothing is imported, and
every bad row is reported with its line number and reasons. Importing the same file twice changes
nothing; a newer decision for the same product adds a record that supersedes the older one.

Scope: the operator's CLI (no officer) imports nationwide; an officer of a province imports only rows of that
province and only for its sellers. On every path an import creates sellers (verified: the office vouches for
its own council decision) but never changes an existing one — not its name, type, province, ward or flags, and
never its verification, which is the office's decision with its audit and email. A row naming an existing
seller of another province, or one that is not verified, is a row error. The price of an existing product is
the seller's: an import sets it only when it creates the product.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask_babel import gettext as _

from .. import ocop
from ..certification.models import EvaluationRecord
from ..certification.services import recognition_problems
from ..extensions import db
from ..inventory import services as stock
from ..inventory.models import StockMovement
from ..models_base import utcnow
from ..products.models import MAX_PRICE, Product
from ..sellers.models import Seller
from . import tables

REQUIRED = ("seller_name", "entity_type", "registration_no", "province", "product_name", "group_code",
            "price_vnd", "unit", "stars", "decision_no", "decision_date", "issuer", "level")
OPTIONAL = ("ward", "women_led", "ethnic_minority_led", "product_name_en", "description", "story", "score",
            "valid_until", "gi", "planting_area_code", "gtin", "stock", "liquid_ml")
COLUMNS = REQUIRED + OPTIONAL
_YES = {"yes", "y", "true", "1", "x", "có", "co"}
_NO = {"no", "n", "false", "0", "không", "khong", ""}
_MONEY = re.compile(r"^\d{1,3}([.,\s]\d{3})+$|^\d+$")
MAX_ROWS = 10_000  # rows per file
MAX_STOCK = 1_000_000  # units received by one row
LONGEST_TEXT = 10_000  # a description or a story; the other texts are as long as their column
TEXT_COLUMNS = {"seller_name": Seller.legal_name, "product_name": Product.name, "unit": Product.unit,
                "decision_no": EvaluationRecord.decision_no, "issuer": EvaluationRecord.issuer,
                "product_name_en": Product.name_en, "description": Product.description,
                "story": EvaluationRecord.story, "gi": Product.geographical_indication,
                "planting_area_code": Product.planting_area_code}


@dataclass
class RowError:
    line: int
    reasons: list[str]

    def __str__(self) -> str:
        return _("line %(line)d: %(reasons)s", line=self.line, reasons="; ".join(self.reasons))


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    sellers_created: int = 0
    products_created: int = 0
    products_updated: int = 0
    records_created: int = 0
    records_updated: int = 0
    stock_received: int = 0
    effects: list[RowEffect] = field(default_factory=list)  # what each row did, by line (for the audit)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changed(self) -> int:
        return (self.sellers_created + self.products_created + self.products_updated
                + self.records_created + self.records_updated)


@dataclass
class RowEffect:
    """What one row did; `*_changes` are {field: [before, after]} as JSON values."""
    line: int
    registration_no: str
    seller_id: int
    product_id: int
    product: str
    decision_no: str
    seller: str = "unchanged"  # created | unchanged
    product_effect: str = "unchanged"  # created | updated | unchanged
    product_changes: dict = field(default_factory=dict)
    record_effect: str = "unchanged"  # created | updated | unchanged
    record_changes: dict = field(default_factory=dict)
    stock_received: int = 0
    price_kept: dict | None = None  # {"file": …, "product": …} when the file's price was not applied

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class _Row:
    line: int
    seller: dict
    product: dict
    record: dict
    stock: int | None = None


# --- Reading --------------------------------------------------------------------------------

def read_table(path: str | Path) -> list[tuple[int, dict]]:
    """(line number, {column: text}) for each non-empty row of the import file (CSV in UTF-8, or XLSX)."""
    return tables.read_table(path, REQUIRED, max_columns=len(COLUMNS) + 20, max_rows=MAX_ROWS)


# --- Checking -------------------------------------------------------------------------------

def parse_date(text: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            found = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if ocop.FIRST_DECISION_YEAR <= found.year <= ocop.LAST_DECISION_YEAR + 3:  # and 36 months after it
            return found
    raise ValueError(_("“%(value)s” is not a date (YYYY-MM-DD or DD/MM/YYYY)", value=text))


def _flag(text: str, column: str) -> bool:
    folded = text.casefold()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise ValueError(_("%(column)s must be yes or no", column=column))


def parse_price(text: str) -> int:
    """A price in đồng as people type it ("185.000", "185,000 ₫", "185000")."""
    cleaned = text.replace("₫", "").replace("đ", "").strip()
    if not _MONEY.match(cleaned):
        raise ValueError(_("price_vnd “%(value)s” must be a whole number of đồng", value=text))
    amount = int(re.sub(r"[.,\s]", "", cleaned))
    if not 0 < amount <= MAX_PRICE:
        raise ValueError(_("price_vnd must be more than 0 and at most %(most)s", most=f"{MAX_PRICE:,}".replace(",", ".")))
    return amount


def _score(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation as error:
        raise ValueError(_("score “%(value)s” is not a number", value=text)) from error
    if not value.is_finite():  # NaN, sNaN, Infinity: not a score, and NaN fails every comparison
        raise ValueError(_("score “%(value)s” is not a number", value=text))
    if not Decimal(0) <= value <= Decimal(100):
        raise ValueError(_("score %(value)s must be between 0 and 100", value=text))
    return value


class _Scope:
    """Which sellers a row may name: the import's one home for the scope rule.

    The operator (no officer) and a nationwide officer import for every province, a provincial officer for
    theirs; an existing seller must be verified and keep its province, and a new seller gets one province."""

    def __init__(self, officer=None):
        self.province_code = getattr(officer, "province_code", None)
        self.sellers: dict[str, Seller | None] = {}  # registration number: the existing seller, or None
        self.new: dict[str, tuple[int, int]] = {}  # registration number of a new seller: (province, first line)

    def seller(self, registration_no: str) -> Seller | None:
        if registration_no not in self.sellers:
            self.sellers[registration_no] = db.session.scalar(
                db.select(Seller).filter_by(registration_no=registration_no))
        return self.sellers[registration_no]

    def problems(self, line: int, registration_no: str | None, province_code: int | None) -> list[str]:
        own = self.province_code
        if own is not None and province_code is not None and province_code != own:
            # Refused whole; who the row names in that province is not this officer's business.
            return [_("the row is for another province (%(province)s): an officer of %(own)s imports only for "
                      "%(own)s", province=ocop.short_province_name(province_code),
                      own=ocop.short_province_name(own))]
        if registration_no is None:
            return []
        seller = self.seller(registration_no)
        if seller is None:
            return self._new_seller(line, registration_no, province_code)
        reasons = []
        expected = province_code if province_code is not None else own
        if expected is not None and seller.province_code != expected:
            reasons.append(_("seller %(number)s belongs to %(province)s", number=registration_no,
                             province=ocop.short_province_name(seller.province_code)))
            if own is not None:
                return reasons  # another province's seller: its status is not this officer's business
        if not seller.is_verified:
            reasons.append(_("seller %(number)s is not verified: the office decides on it in the verification "
                             "queue", number=registration_no))
        return reasons

    def _new_seller(self, line: int, registration_no: str, province_code: int | None) -> list[str]:
        """A seller the file creates gets one province, whichever rows name it."""
        if province_code is None:
            return []
        first_province, first_line = self.new.setdefault(registration_no, (province_code, line))
        if first_province == province_code:
            return []
        return [_("seller %(number)s is given %(province)s on line %(line)d: a seller has one province",
                  number=registration_no, province=ocop.short_province_name(first_province), line=first_line)]


def _check_row(line: int, values: dict, scope: _Scope) -> tuple[_Row | None, list[str]]:
    reasons = tables.nul_reasons(values)
    field_value = tables.cell_reader(values, REQUIRED, reasons)

    entity_type = field_value("entity_type", lambda t: _choice(t, ocop.ENTITY_TYPES, "entity_type"))
    registration_no = field_value("registration_no",
                                  lambda t: ocop.normalize_registration_no(entity_type or "enterprise", t))
    province = field_value("province", ocop.find_province)
    ward = None
    if province is not None:
        ward = field_value("ward", lambda t: ocop.find_ward(int(province.code), t))
    women_led = field_value("women_led", lambda t: _flag(t, "women_led")) or False
    minority_led = field_value("ethnic_minority_led", lambda t: _flag(t, "ethnic_minority_led")) or False
    group_code = field_value("group_code", ocop.normalize_group_code)
    price = field_value("price_vnd", parse_price)
    stars = field_value("stars", _stars)
    score = field_value("score", _score)
    decision_date = field_value("decision_date", parse_date)
    valid_until = field_value("valid_until", parse_date)
    level = field_value("level", lambda t: _choice(t.lower(), ocop.LEVELS, "level"))
    gtin = field_value("gtin", ocop.normalize_gtin)
    stock = field_value("stock", _stock)
    liquid_ml = field_value("liquid_ml", _liquid_ml)
    texts = {c: field_value(c) for c in TEXT_COLUMNS}
    for column, text in texts.items():
        longest = TEXT_COLUMNS[column].type.length or LONGEST_TEXT
        if text is not None and len(text) > longest:
            reasons.append(_("%(column)s is longer than %(n)d characters", column=column, n=longest))

    if stars is not None and level and decision_date:
        reasons.extend(recognition_problems(stars, score, level, decision_date, valid_until))
    reasons.extend(scope.problems(line, registration_no, int(province.code) if province is not None else None))
    if reasons:
        return None, reasons

    return _Row(
        line=line,
        seller={
            "legal_name": texts["seller_name"], "entity_type": entity_type, "registration_no": registration_no,
            "province_code": int(province.code), "ward_code": int(ward.code) if ward else None,
            "women_led": women_led, "ethnic_minority_led": minority_led,
        },
        product={
            "name": texts["product_name"], "name_en": texts["product_name_en"], "group_code": group_code,
            "price_vnd": price, "unit": texts["unit"], "description": texts["description"],
            "story": texts["story"], "geographical_indication": texts["gi"],
            "planting_area_code": texts["planting_area_code"], "gtin": gtin, "liquid_ml": liquid_ml,
        },
        record={
            "stars": stars, "score": score, "decision_no": texts["decision_no"], "decision_date": decision_date,
            "issuer": texts["issuer"], "level": level,
            "valid_until": valid_until or ocop.default_valid_until(decision_date),
            "legal_basis": ocop.legal_basis_for(decision_date), "story": texts["story"],
        },
        stock=stock,
    ), []


def _choice(text: str, choices: dict, column: str) -> str:
    if text not in choices:
        raise ValueError(_("%(column)s “%(value)s” must be one of: %(choices)s",
                           column=column, value=text, choices=", ".join(choices)))
    return text


def _stock(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_STOCK:
        raise ValueError(_("stock “%(value)s” must be a whole number of units, 0 or more", value=text))
    return int(text)


def _liquid_ml(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 0 < int(text) <= 100_000:
        raise ValueError(_("liquid_ml “%(value)s” must be a whole number of millilitres", value=text))
    return int(text)


def _stars(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= 5:
        raise ValueError(_("stars “%(value)s” must be a whole number from 1 to 5", value=text))
    return int(text)


def check_rows(rows: list[tuple[int, dict]], officer=None) -> tuple[list[_Row], list[RowError]]:
    """Every row checked, the scope included (reads the sellers the rows name; writes nothing)."""
    return _check(rows, _Scope(officer))


def _check(rows: list[tuple[int, dict]], scope: _Scope) -> tuple[list[_Row], list[RowError]]:
    checked, errors = [], []
    for line, values in rows:
        row, reasons = _check_row(line, values, scope)
        if reasons:
            errors.append(RowError(line, reasons))
        else:
            checked.append(row)
    return checked, errors


# --- Writing --------------------------------------------------------------------------------

def _plain(value):
    """A value as JSON keeps it (dates as ISO text, decimals as text)."""
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    return value


def _apply(obj, values: dict) -> dict:
    """Set the given non-empty values; what changed, as {field: [before, after]}."""
    changes = {}
    for name, value in values.items():
        if value is not None and getattr(obj, name) != value:
            changes[name] = [_plain(getattr(obj, name)), _plain(value)]
            setattr(obj, name, value)
    return changes


def _write(rows: list[_Row], result: ImportResult, scope: _Scope, officer=None) -> None:
    """Write checked rows. An existing seller is read, never changed: `_Scope` has checked it."""
    sellers = {number: seller for number, seller in scope.sellers.items() if seller is not None}
    # Oldest decision first, so the newest decision's product details win.
    for row in sorted(rows, key=lambda r: (r.record["decision_date"], r.line)):
        reg = row.seller["registration_no"]
        seller = sellers.get(reg)
        seller_effect = "unchanged"
        if seller is None:  # the office vouches for its own council decision
            seller = Seller(verification_status="verified", verified_at=utcnow(), **row.seller)
            db.session.add(seller)
            db.session.flush()
            sellers[reg] = seller
            result.sellers_created += 1
            seller_effect = "created"

        product = db.session.scalar(db.select(Product).filter_by(seller_id=seller.id, name=row.product["name"]))
        price_kept = None
        if product is None:
            product = Product(seller_id=seller.id, status="active", **row.product)
            db.session.add(product)
            db.session.flush()
            result.products_created += 1
            product_effect, product_changes = "created", {}
        else:  # the price is the seller's once the product exists
            values = {name: value for name, value in row.product.items() if name != "price_vnd"}
            product_changes = _apply(product, values)
            product_effect = "updated" if product_changes else "unchanged"
            result.products_updated += bool(product_changes)
            if product.price_vnd != row.product["price_vnd"]:
                price_kept = {"file": row.product["price_vnd"], "product": product.price_vnd}

        record = db.session.scalar(db.select(EvaluationRecord).filter_by(
            product_id=product.id, decision_no=row.record["decision_no"]))
        if record is None:
            record = EvaluationRecord(product_id=product.id, **row.record)
            db.session.add(record)
            result.records_created += 1
            record_effect, record_changes = "created", {}
        else:
            record_changes = _apply(record, row.record)
            record_effect = "updated" if record_changes else "unchanged"
            result.records_updated += bool(record_changes)
        db.session.flush()
        received = _receive_once(seller, product, row, officer) if row.stock else 0
        result.stock_received += received
        result.effects.append(RowEffect(
            line=row.line, registration_no=reg, seller_id=seller.id, product_id=product.id, product=product.name,
            decision_no=row.record["decision_no"], seller=seller_effect, product_effect=product_effect,
            product_changes=product_changes, record_effect=record_effect, record_changes=record_changes,
            stock_received=received, price_kept=price_kept))
    result.effects.sort(key=lambda effect: effect.line)


def _receive_once(seller, product, row: _Row, officer=None) -> int:
    """The row's stock goes into the seller's warehouse once: importing the file again adds nothing."""
    location = stock.warehouse_of(seller)
    reference = f"import {row.record['decision_no']}"[:60]
    if db.session.scalar(db.select(StockMovement.id).filter_by(location_id=location.id, product_id=product.id,
                                                               kind="receive", reference=reference)):
        return 0
    stock.receive(location.id, product.id, row.stock, reference=reference, reason="catalogue import",
                  actor_id=getattr(officer, "id", None))
    return row.stock


def import_rows(rows: list[tuple[int, dict]], officer=None) -> ImportResult:
    """Check every row, then write them, in the caller's unit of work (all or nothing). Nothing is written
    when a row is bad. `officer` is the acting office user (their province bounds the import); None is
    the operator's CLI, nationwide."""
    scope = _Scope(officer)
    checked, errors = _check(rows, scope)
    result = ImportResult(errors=errors, rows=len(rows))
    if not errors:
        _write(checked, result, scope, officer)
    return result


def import_file(path: str | Path, officer=None) -> ImportResult:
    return import_rows(read_table(path), officer=officer)
