"""THE listing rule and the badges: one SQL expression, one Python predicate, one badge list.

A product is listable when it is active, its seller is verified, and its *effective* recognition
(the newest decision that has taken effect, so a newer re-evaluation supersedes an older one)
is not revoked, is 3★ or more, and `decision_date <= today < valid_until`.

The Python predicate computes the effective record from the product's records; the SQL expression
uses `superseded_on`, which the models keep on every flush, so each record is tested on its own
(no correlated subquery per product). The listing-rule tests hold the two to the same answers.
Catalog pages, search, cart, checkout, combos and the API all ask here.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.exc import IntegrityError

from .. import ocop
from ..extensions import db
from ..i18n import date as format_date
from ..models_base import utcnow
from ..products.models import Product
from ..sellers.models import Seller
from ..transitions import claim
from .models import EvaluationRecord, ProductChangeRequest

# --- The rule in SQL ------------------------------------------------------------------------

def in_force_condition(today: dt.date):
    """True for the record in force for its product on `today`: taken effect, not yet superseded
    by a newer decision, not expired. At most one record of a product matches on any day."""
    return and_(
        EvaluationRecord.decision_date <= today,
        or_(EvaluationRecord.superseded_on.is_(None), EvaluationRecord.superseded_on > today),
        EvaluationRecord.valid_until > today,
    )


def listable_condition(today: dt.date | None = None):
    """The listing rule over Product, Seller and EvaluationRecord (see `listable_select`)."""
    today = today or ocop.today()
    return and_(
        Product.status == "active",
        Seller.verification_status == "verified",
        in_force_condition(today),
        EvaluationRecord.revoked_at.is_(None),
        EvaluationRecord.stars >= ocop.MIN_LISTED_STARS,
    )


def listable_select(*entities, today: dt.date | None = None) -> Select:
    """SELECT of listable products joined to their seller and the recognition in force.
    Defaults to rows of (Product, EvaluationRecord)."""
    return (
        select(*(entities or (Product, EvaluationRecord)))
        .select_from(Product)
        .join(Seller, Product.seller_id == Seller.id)
        .join(EvaluationRecord, EvaluationRecord.product_id == Product.id)
        .where(listable_condition(today))
    )


def listable_ids(today: dt.date | None = None) -> Select:
    return listable_select(Product.id, today=today)


# --- The rule in Python ---------------------------------------------------------------------

def effective_record(records: Iterable[EvaluationRecord], today: dt.date | None = None):
    today = today or ocop.today()
    started = [r for r in records if r.decision_date <= today]
    return max(started, key=lambda r: (r.decision_date, r.id or 0), default=None)


def recognition_in_force(record: EvaluationRecord | None, today: dt.date | None = None) -> bool:
    today = today or ocop.today()
    return (
        record is not None
        and record.revoked_at is None
        and record.stars >= ocop.MIN_LISTED_STARS
        and record.decision_date <= today < record.valid_until
    )


def listed_record(product: Product, today: dt.date | None = None) -> EvaluationRecord | None:
    """The recognition that makes the product listable, or None when it must not be shown."""
    if product.status != "active" or product.seller is None or not product.seller.is_verified:
        return None
    record = effective_record(product.records, today)
    return record if recognition_in_force(record, today) else None


def is_listable(product: Product, today: dt.date | None = None) -> bool:
    return listed_record(product, today) is not None


def unlisted_reasons(product: Product, today: dt.date | None = None) -> list[str]:
    """Why a product is not shown, for the seller console and the office."""
    today = today or ocop.today()
    reasons = []
    if product.status != "active":
        reasons.append(str(_l("the listing is not active")))
    if product.seller is None or not product.seller.is_verified:
        reasons.append(str(_l("the seller is not verified")))
    record = effective_record(product.records, today)
    if record is None:
        reasons.append(str(_l("no OCOP recognition in force")))
    elif record.revoked_at is not None:
        reasons.append(str(_l("the recognition was revoked")))
    elif record.stars < ocop.MIN_LISTED_STARS:
        reasons.append(str(_l("the product is rated under 3 stars")))
    elif record.valid_until <= today:
        reasons.append(str(_l("the recognition has expired")))
    return reasons


# --- The identity of a certified product -----------------------------------------------------
#
# What the council evaluated cannot change while a recognition holds: otherwise "Chè La Bằng, 4★" becomes
# "Whisky nhập khẩu" and keeps the stars. The net weight is part of the unit ("hộp 500 g"), which is locked;
# `weight_grams` is the *shipping* weight (packing included), not evaluated, so the seller keeps it.
# The seller is never able to change `seller_id` (no form or service takes it).

IDENTITY_FIELDS = ("name", "group_code", "unit", "gtin")
IDENTITY_LABELS = {
    "name": _l("Name in Vietnamese"),
    "group_code": _l("Product group"),
    "unit": _l("Unit and packaging (net weight)"),
    "gtin": _l("GTIN / EAN-13 barcode"),
}


def identity_locked_by(product: Product, today: dt.date | None = None) -> EvaluationRecord | None:
    """The recognition that locks the product's identity, or None when the seller may change everything.

    It locks while it is not revoked and not expired: the one in force today (at any star level: the
    council's result names this product whatever it scored) and any decided for a later date. A decision
    superseded by a newer one that has taken effect no longer locks (even when that newer one is revoked:
    the product then has no recognition in force, as the listing rule says). When several lock, the one
    that holds the longest is named."""
    today = today or ocop.today()
    records = list(product.records)
    current = effective_record(records, today)
    candidates = [r for r in records if r is current or r.decision_date > today]
    holding = [r for r in candidates if r.revoked_at is None and r.valid_until > today]
    return max(holding, key=lambda r: (r.valid_until, r.decision_date, r.id or 0), default=None)


def identity_of(product: Product, fields=IDENTITY_FIELDS) -> dict:
    return {name: getattr(product, name) for name in fields}


def identity_changes(product: Product, values: dict) -> dict:
    """The identity fields `values` would change ({field: new value})."""
    return {name: values[name] for name in IDENTITY_FIELDS
            if name in values and values[name] != getattr(product, name)}


def field_labels(fields) -> str:
    return ", ".join(str(IDENTITY_LABELS[name]) for name in fields)


class IdentityLocked(ValueError):
    """A change to what the council evaluated while a recognition holds: nothing is saved."""

    def __init__(self, fields, record: EvaluationRecord):
        super().__init__(f"identity locked by {record.decision_no}: {', '.join(fields)}")
        self.fields, self.record = tuple(fields), record

    def message(self) -> str:
        """For the seller, in the current language."""
        return _("%(fields)s cannot change while the OCOP recognition %(number)s is in force (valid until "
                 "%(date)s). Ask the office to change it, or create a new product.",
                 fields=field_labels(self.fields), number=self.record.decision_no,
                 date=format_date(self.record.valid_until))


def check_identity(product: Product | None, values: dict, today: dt.date | None = None) -> None:
    """Raise IdentityLocked when `values` would change a locked identity field of `product`.
    Every path that writes a seller's product asks here (a new product has nothing to lock)."""
    if product is None or product.id is None:
        return
    changed = identity_changes(product, values)
    if changed:
        record = identity_locked_by(product, today)
        if record is not None:
            raise IdentityLocked(changed, record)


class ChangeRequestError(ValueError):
    pass


def pending_change_request(product: Product) -> ProductChangeRequest | None:
    return db.session.scalar(select(ProductChangeRequest).where(ProductChangeRequest.product_id == product.id,
                                                                ProductChangeRequest.status == "pending"))


def change_requests_of(product: Product) -> list[ProductChangeRequest]:
    return db.session.scalars(select(ProductChangeRequest).where(ProductChangeRequest.product_id == product.id)
                              .order_by(ProductChangeRequest.created_at.desc(), ProductChangeRequest.id.desc())).all()


def request_identity_change(user, product: Product, values: dict, reason: str) -> ProductChangeRequest:
    """The seller asks the office to change locked identity fields, in the caller's unit of work. Only the
    fields that differ
    are kept; at most one request waits per product (the database refuses a second one too)."""
    if user.seller_id != product.seller_id:
        raise PermissionError("another seller's product")
    reason = (reason or "").strip()
    if not reason:
        raise ChangeRequestError(_("Say why the change is needed: the office will read it."))
    changed = identity_changes(product, {k: v for k, v in values.items() if k in IDENTITY_FIELDS})
    if not changed:
        raise ChangeRequestError(_("Nothing to change: give at least one new value."))
    if identity_locked_by(product) is None:
        raise ChangeRequestError(_("This product is not locked by a recognition: edit it directly."))
    if pending_change_request(product) is not None:
        raise ChangeRequestError(_("A request for this product is already waiting for the office."))
    change = ProductChangeRequest(product_id=product.id, requested=changed, reason=reason, status="pending",
                                  requested_by_id=user.id)
    db.session.add(change)
    try:
        db.session.flush()
    except IntegrityError as error:  # another request was saved meanwhile
        raise ChangeRequestError(_("A request for this product is already waiting for the office.")) from error
    return change


# --- Recording recognitions -----------------------------------------------------------------

def recognition_problems(stars: int, score, level: str, decision_date: dt.date,
                         valid_until: dt.date | None) -> list[str]:
    """What is wrong with a council result, whatever brings it (a form or the import file)."""
    problems = []
    if not ocop.FIRST_DECISION_YEAR <= decision_date.year <= ocop.LAST_DECISION_YEAR:
        return [_("decision_date %(date)s is not a date of this programme", date=decision_date.isoformat())]
    if score is not None and ocop.stars_for_score(float(score)) != stars:
        low, high = ocop.STAR_BANDS[stars]
        problems.append(_("score %(score)s is outside the %(stars)d★ band (%(low)d to under %(high)d)",
                          score=score, stars=stars, low=low, high=min(high, 100)))
    if stars == 5 and level != "national":
        problems.append(_("a 5★ recognition is granted at national level"))
    if valid_until is not None and valid_until <= decision_date:
        problems.append(_("valid_until must be after decision_date"))
    elif valid_until is not None and valid_until > ocop.default_valid_until(decision_date):
        problems.append(_("a recognition is valid at most %(months)d months, until %(date)s",
                          months=ocop.VALIDITY_MONTHS, date=ocop.default_valid_until(decision_date).isoformat()))
    return problems


def new_record(product: Product, *, stars: int, decision_no: str, decision_date: dt.date, issuer: str,
               level: str, score=None, score_a=None, score_b=None, score_c=None,
               valid_until: dt.date | None = None, story: str | None = None,
               story_en: str | None = None) -> EvaluationRecord:
    """A council result for the product, with the defaults the rules give (36 months, legal basis)."""
    problems = recognition_problems(stars, score, level, decision_date, valid_until)
    if problems:
        raise ValueError("; ".join(problems))
    record = EvaluationRecord(
        stars=stars, score=score, score_a=score_a, score_b=score_b, score_c=score_c, decision_no=decision_no,
        decision_date=decision_date, issuer=issuer, level=level,
        valid_until=valid_until or ocop.default_valid_until(decision_date),
        legal_basis=ocop.legal_basis_for(decision_date), story=story, story_en=story_en)
    product.records.append(record)
    return record


def revoke(record: EvaluationRecord, reason: str) -> None:
    """End a recognition early: one guarded update, so two revocations at once cannot both happen."""
    if not claim(record, EvaluationRecord.revoked_at.is_(None), revoked_at=utcnow(), revoked_reason=reason):
        raise ValueError("already revoked")


def expiring(records, today: dt.date | None = None, days: int = ocop.EXPIRY_WARNING_DAYS):
    """Records in force that end within `days` (the 30-day warning)."""
    today = today or ocop.today()
    return [r for r in records if recognition_in_force(r, today) and (r.valid_until - today).days <= days]


# --- Badges -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Badge:
    code: str
    label: str


def badges(product: Product, record: EvaluationRecord, seller: Seller | None = None) -> list[Badge]:
    """Every badge the site shows, from the recognition in force, the seller and the product."""
    seller = seller or product.seller
    found = [Badge("stars", _l("%(stars)d★ OCOP", stars=record.stars))]
    if record.stars == 5 and record.level == "national":
        found.append(Badge("national_5", _l("National 5★")))
    if product.geographical_indication:
        found.append(Badge("gi", _l("Geographical indication")))
    if product.planting_area_code:
        found.append(Badge("planting_area", _l("Planting-area code")))
    if seller.entity_type in ("cooperative", "cooperative_group"):
        found.append(Badge("cooperative", _l("Cooperative")))
    if seller.women_led:
        found.append(Badge("women_led", _l("Women-led")))
    if seller.ethnic_minority_led:
        found.append(Badge("ethnic_minority_led", _l("Ethnic-minority-led")))
    return found
