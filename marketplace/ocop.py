"""The OCOP domain vocabulary: product groups, entity types, star bands, validity, places.

Facts only (DESIGN §1); nothing here touches the database or a request.
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import phonenumbers
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from stdnum import ean
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.vn import mst
from vietnam_provinces import Province, Ward

from .collation import vi_sort_key

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _now() -> dt.datetime:
    return dt.datetime.now(VN_TZ)


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar day in Vietnam of a stored moment."""
    return moment.astimezone(VN_TZ).date()


def today() -> dt.date:
    """Today's date in Vietnam: the day recognitions are checked against."""
    return _now().date()


# --- Stars and scores (Decision 148/QĐ-TTg of 2023) --------------------------------------

MIN_LISTED_STARS = 3
STAR_BANDS = {1: (0, 30), 2: (30, 50), 3: (50, 70), 4: (70, 90), 5: (90, 100.0001)}


def stars_for_score(score: float) -> int:
    """The star level a council score out of 100 earns."""
    if score < 0 or score > 100:
        raise ValueError(_("score must be between 0 and 100"))
    for stars, (low, high) in STAR_BANDS.items():
        if low <= score < high:
            return stars
    raise AssertionError("unreachable")


# --- Legal basis and scorecard parts -------------------------------------------------------

DECISION_148 = "148/QĐ-TTg"
DECISION_1048 = "1048/QĐ-TTg"
DECISION_148_DATE = dt.date(2023, 2, 24)
# Part maxima: A product and community strength, B marketing (the story), C quality.
PART_MAXIMA = {DECISION_148: (40, 25, 35), DECISION_1048: (35, 25, 40)}


def legal_basis_for(decision_date: dt.date) -> str:
    return DECISION_148 if decision_date >= DECISION_148_DATE else DECISION_1048


# --- Recognition ----------------------------------------------------------------------------

VALIDITY_MONTHS = 36
# Council decisions of this programme (it began in 2018; the bound keeps a typo like 9999 out).
FIRST_DECISION_YEAR, LAST_DECISION_YEAR = 2000, 2100
EXPIRY_WARNING_DAYS = 30


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_valid_until(decision_date: dt.date) -> dt.date:
    """A certificate is valid 36 months from the decision date (first day it is no longer valid)."""
    return add_months(decision_date, VALIDITY_MONTHS)


LEVELS = {
    "district": _l("District"),
    "provincial": _l("Provincial"),
    "national": _l("National"),
}


# --- Product groups (Decision 148, Appendix I) ---------------------------------------------

@dataclass(frozen=True)
class Group:
    code: str
    label: object  # a lazy string
    parent: str | None = None
    shipped: bool = True

    @property
    def is_top(self) -> bool:
        return self.parent is None


_GROUPS = [
    Group("I", _l("Food")),
    Group("I.1", _l("Fresh food"), "I"),
    Group("I.2", _l("Raw and pre-processed food"), "I"),
    Group("I.3", _l("Processed food"), "I"),
    Group("I.4", _l("Condiments and fish sauce"), "I"),
    Group("I.5", _l("Tea"), "I"),
    Group("I.6", _l("Coffee and cocoa"), "I"),
    Group("II", _l("Beverages")),
    Group("II.1", _l("Alcoholic beverages"), "II"),
    Group("II.2", _l("Non-alcoholic beverages"), "II"),
    Group("III", _l("Herbal products")),
    Group("III.1", _l("Functional foods and traditional medicine"), "III"),
    Group("III.2", _l("Herbal cosmetics"), "III"),
    Group("III.3", _l("Essential oils"), "III"),
    Group("IV", _l("Handicrafts")),
    Group("IV.1", _l("Household and decorative goods"), "IV"),
    Group("IV.2", _l("Textiles and garments"), "IV"),
    Group("V", _l("Ornamental flowers, plants and animals")),
    Group("V.1", _l("Flowers"), "V"),
    Group("V.2", _l("Ornamental plants"), "V"),
    Group("V.3", _l("Ornamental animals"), "V"),
    Group("VI", _l("Community tourism and tourist sites"), shipped=False),
]
GROUPS = {g.code: g for g in _GROUPS}
TOP_GROUPS = [g for g in _GROUPS if g.is_top]
# A product's group code is a sub-group ("I.5") or a finer line of it ("I.5.a");
# group VI has no sub-groups and is used as is.
# What a visitor can carry home or send as a gift: processed food, condiments, tea, coffee, drinks, herbal
# goods and crafts (not fresh produce, plants and animals, or a tour).
GIFT_GROUPS = ("I.2", "I.3", "I.4", "I.5", "I.6", "II", "III", "IV")

_GROUP_CODE = re.compile(r"^(I|II|III|IV|V|VI)(\.[1-9])?(\.[a-z])?$")


def subgroups(code: str) -> list[Group]:
    return [g for g in _GROUPS if g.parent == code]


def normalize_group_code(value: str) -> str:
    """Check a product's group code and return it in canonical form, or raise ValueError."""
    code = (value or "").strip()
    code = re.sub(r"\.([A-Z])$", lambda m: "." + m.group(1).lower(), code)
    match = _GROUP_CODE.match(code)
    if not match:
        raise ValueError(_("unknown product group “%(value)s”", value=value))
    top, sub, line = match.groups()
    if top == "VI" and (sub or line):
        raise ValueError(_("unknown product group “%(value)s”", value=value))
    if top != "VI" and not sub:
        raise ValueError(_("group “%(value)s” needs a sub-group, e.g. %(example)s", value=value, example=top + ".1"))
    if sub and (top + sub) not in GROUPS:
        raise ValueError(_("unknown product group “%(value)s”", value=value))
    return code


def top_group(code: str) -> str:
    return code.split(".")[0]


def subgroup(code: str) -> str:
    return ".".join(code.split(".")[:2])


def group_label(code: str):
    group = GROUPS.get(subgroup(code)) or GROUPS.get(top_group(code))
    return group.label if group else code


# --- Entities ---------------------------------------------------------------------------------

ENTITY_TYPES = {
    "cooperative": _l("Cooperative"),
    "cooperative_group": _l("Cooperative group"),
    "enterprise": _l("Enterprise"),
    "farm": _l("Farm"),
    "household": _l("Business household"),
}
# --- Points of sale (Decision 950/QĐ-BCT of 2023) ----------------------------------------------

SALES_POINT_KINDS = {
    "station_airport": _l("Station or airport"),
    "rest_stop": _l("Highway rest stop"),
    "market_supermarket": _l("Market or supermarket"),
    "tourist_site": _l("Tourist site"),
    "craft_village": _l("Craft village"),
    "fair_centre": _l("Fair and exhibition centre"),
    "post_office": _l("Post office"),
    "other": _l("Other place"),
}

# Households and farms may register with the representative's 12-digit personal ID (since July 2025).
PERSONAL_ID_ENTITIES = {"household", "farm"}


def normalize_registration_no(entity_type: str, value: str) -> str:
    """A 10-digit tax code, a 13-digit branch code (0314409058-002), or, for a household
    or farm, the representative's 12-digit personal ID. Raises ValueError with the reason."""
    raw = re.sub(r"[\s.]", "", unicodedata.normalize("NFKC", value or ""))  # fullwidth ０-９ are 0-9
    if not raw:
        raise ValueError(_("registration number is missing"))
    digits = raw.replace("-", "")
    if not re.fullmatch(r"[0-9]+", digits):  # ASCII digits only: one code, one spelling
        raise ValueError(_("registration number “%(value)s” must be digits", value=value))
    if len(digits) == 12:
        if entity_type not in PERSONAL_ID_ENTITIES:
            raise ValueError(_("a 12-digit personal ID is accepted only for households and farms"))
        return digits
    if len(digits) not in (10, 13):
        raise ValueError(_("registration number “%(value)s” must have 10, 12 or 13 digits", value=value))
    try:
        mst.validate(digits)
    except InvalidChecksum as error:
        raise ValueError(_("tax code “%(value)s” has a wrong check digit", value=value)) from error
    except ValidationError as error:
        raise ValueError(_("“%(value)s” is not a valid tax code", value=value)) from error
    return digits if len(digits) == 10 else f"{digits[:10]}-{digits[10:]}"


def normalize_gtin(value: str) -> str:
    digits = re.sub(r"\s", "", value or "")
    if not (digits.isdigit() and len(digits) in (8, 12, 13, 14)):
        raise ValueError(_("GTIN “%(value)s” must have 8, 12, 13 or 14 digits", value=value))
    if not ean.is_valid(digits):
        raise ValueError(_("GTIN “%(value)s” has a wrong check digit", value=value))
    return digits


_MOBILE = re.compile(r"^0(3|5|7|8|9)[0-9]{8}$", re.ASCII)  # ASCII digits: "091６…" is not another number
_LANDLINE = re.compile(r"^02[0-9]{9}$", re.ASCII)


def normalize_phone(value: str) -> str:
    """A Vietnamese mobile (0912 345 678, +84 912 345 678) or landline (024 3826 1234) as 0XXXXXXXXX."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if not (_MOBILE.match(digits) or _LANDLINE.match(digits)):
        raise ValueError(_("“%(value)s” is not a Vietnamese phone number", value=value))
    return digits


def international_phone(value: str) -> str:
    """A buyer's phone from any country, as E.164 ("+84912345678", "+447911123456"): a number without a
    country code is read as Vietnamese. Raises ValueError with the reason."""
    text = (value or "").strip()
    try:
        number = phonenumbers.parse(text, "VN")
    except phonenumbers.NumberParseException as error:
        raise ValueError(_("“%(value)s” is not a phone number", value=value)) from error
    if not phonenumbers.is_valid_number(number):
        if text.startswith("+") or number.country_code != 84:
            raise ValueError(_("“%(value)s” is not a number in use in that country: check the digits",
                               value=value))
        raise ValueError(_("“%(value)s” is not a phone number (from abroad, start with + and the country code)",
                           value=value))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(stored: str | None) -> str:
    """A stored phone as people read it: a Vietnamese one nationally (0912 345 678), another with its
    country code (+44 7911 123456)."""
    if not stored:
        return ""
    try:
        number = phonenumbers.parse(stored, "VN")
    except phonenumbers.NumberParseException:
        return stored
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == 84
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, style)


# --- Places (34 provinces since 1 July 2025, then communes and wards) --------------------------

def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join((text or "").split())).casefold()


_PROVINCE_PREFIXES = ("tỉnh ", "thành phố ", "tp. ", "tp ")
_WARD_PREFIXES = ("phường ", "xã ", "đặc khu ")


def _strip_prefix(name: str, prefixes) -> str:
    for prefix in prefixes:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


PROVINCES = sorted(Province.iter_all(), key=lambda p: int(p.code))
_PROVINCE_BY_CODE = {int(p.code): p for p in PROVINCES}
_PROVINCE_BY_NAME = {_strip_prefix(_fold(p.name), _PROVINCE_PREFIXES): p for p in PROVINCES}


def province(code: int) -> Province | None:
    return _PROVINCE_BY_CODE.get(int(code)) if code is not None else None


def province_name(code: int) -> str:
    found = province(code)
    return found.name if found else ""


def short_province_name(code: int) -> str:
    """'Hà Nội' for 'Thành phố Hà Nội': for cards and badges where space is short."""
    return _strip_prefix(province_name(code), ("Thành phố ", "Tỉnh "))


def find_province(value: str) -> Province:
    """An official name (with or without 'Tỉnh'/'Thành phố') or official code."""
    text = (value or "").strip()
    if text.isdigit():
        found = province(int(text))
    else:
        found = _PROVINCE_BY_NAME.get(_strip_prefix(_fold(text), _PROVINCE_PREFIXES))
    if not found:
        raise ValueError(_("unknown province “%(value)s”", value=value))
    return found


def wards_of(province_code: int) -> list[Ward]:
    return list(_wards_of(int(province_code)))


@functools.cache
def _wards_of(province_code: int) -> tuple[Ward, ...]:
    """A province's wards in Vietnamese order, sorted once per process (every checkout reads them)."""
    return tuple(sorted(Ward.iter_by_province(province_code), key=lambda w: vi_sort_key(w.name)))


@functools.cache
def _folded_wards(province_code: int) -> tuple[tuple[Ward, str], ...]:
    return tuple((w, _fold(w.name)) for w in _wards_of(province_code))


def ward(code: int) -> Ward | None:
    try:
        return Ward.from_code(int(code))
    except (ValueError, TypeError):
        return None


def find_ward(province_code: int, value: str) -> Ward:
    """A ward or commune of the province by official name (prefix optional) or code."""
    text = (value or "").strip()
    candidates = _folded_wards(int(province_code))
    if text.isdigit():
        found = [w for w, _name in candidates if int(w.code) == int(text)]
    else:
        wanted = _fold(text)
        found = [w for w, name in candidates if name == wanted]
        if not found:
            bare = _strip_prefix(wanted, _WARD_PREFIXES)
            found = [w for w, name in candidates if _strip_prefix(name, _WARD_PREFIXES) == bare]
    if len(found) != 1:
        if found:
            raise ValueError(_("ward “%(value)s” is ambiguous in %(province)s",
                               value=value, province=province_name(province_code)))
        raise ValueError(_("“%(value)s” is not a ward or commune of %(province)s",
                           value=value, province=province_name(province_code)))
    return found[0]


# --- Regions (the six socio-economic regions, over the 34 provinces of 2025) -------------------
# How a tourist thinks of the country ("a gift from the Mekong Delta"): the gift page groups by these.

REGIONS = {
    "northern_mountains": _l("Northern midlands and mountains"),
    "red_river_delta": _l("Red River Delta"),
    "central_coast": _l("North Central and Central Coast"),
    "central_highlands": _l("Central Highlands"),
    "southeast": _l("Southeast"),
    "mekong_delta": _l("Mekong Delta"),
}
_REGION_PROVINCES = {
    "northern_mountains": (4, 8, 11, 12, 14, 15, 19, 20, 25),
    "red_river_delta": (1, 22, 24, 31, 33, 37),
    "central_coast": (38, 40, 42, 44, 46, 48, 51, 56),
    "central_highlands": (52, 66, 68),
    "southeast": (75, 79, 80),
    "mekong_delta": (82, 86, 91, 92, 96),
}
REGION_OF = {code: region for region, codes in _REGION_PROVINCES.items() for code in codes}


def region_of(province_code: int) -> str | None:
    return REGION_OF.get(province_code)


def provinces_of_region(region: str) -> tuple[int, ...]:
    return _REGION_PROVINCES.get(region, ())


# --- Foreign visitors: the VAT refund at departure --------------------------------------------------------
# A foreigner may claim the VAT back when leaving through an international border gate, on goods bought with a
# VAT invoice from a registered shop: at least 2,000,000 đồng from one seller on one day, leaving within 60
# days of the purchase.

VAT_REFUND_MIN_VND = 2_000_000
VAT_REFUND_DAYS = 60
DEPARTURE_AIRPORTS = {  # international airports where the refund counters are (IATA code: name)
    "HAN": "Nội Bài (Hà Nội)", "SGN": "Tân Sơn Nhất (TP. Hồ Chí Minh)", "DAD": "Đà Nẵng",
    "CXR": "Cam Ranh (Khánh Hòa)", "PQC": "Phú Quốc (An Giang)", "HPH": "Cát Bi (Hải Phòng)",
    "VCA": "Cần Thơ", "HUI": "Phú Bài (Huế)", "VDO": "Vân Đồn (Quảng Ninh)", "DLI": "Liên Khương (Lâm Đồng)",
}
VAT_INVOICE_MUST_CARRY = (  # what the producer's VAT invoice for a refund must show
    _l("the buyer's full name, passport number and nationality, as on the passport"),
    _l("each good, its quantity, its price with VAT and the VAT amount"),
    _l("the date of the sale (the order's date)"),
    _l("the seller's name, tax code and address, and its signature or e-invoice code"),
)
