"""The office's decisions on sellers: scoped to the officer's province, audited, announced by email."""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..audit import AuditLog, audit
from ..catalog.importer import import_rows
from ..catalog.services import Page
from ..certification.models import EvaluationRecord, ProductChangeRequest
from ..certification.services import identity_of, new_record, revoke
from ..collation import by_name, fold_text, folded
from ..extensions import db
from ..models_base import utcnow
from ..outbox.services import queue_email
from ..products.models import Product
from ..scope import in_scope
from ..sellers.models import VERIFICATION_STATUSES, Seller
from ..transitions import Refused, StateMachine

# The office's decisions on a seller: {action: (the statuses it applies to, the status it leads to)}.
SELLER = StateMachine("seller", Seller, "verification_status", {
    "approve": ({"pending"}, "verified"),
    "reject": ({"pending"}, "rejected"),
    "suspend": ({"verified"}, "suspended"),
    "reinstate": ({"suspended"}, "verified"),
}, states=VERIFICATION_STATUSES)
NEEDS_REASON = {"reject", "suspend"}
# How the seller's history reads each decision (the audit log keeps the code "seller.<action>").
DECISION_LABELS = {"approve": _l("Approved"), "reject": _l("Rejected"), "suspend": _l("Suspended"),
                   "reinstate": _l("Reinstated")}


class DecisionError(ValueError):
    pass


def sellers_in_scope(officer, status: str | None = "pending"):
    query = select(Seller).order_by(Seller.created_at, Seller.id)
    if status:
        query = query.where(Seller.verification_status == status)
    if officer.province_code is not None:
        query = query.where(Seller.province_code == officer.province_code)
    return db.session.scalars(query).all()


def decide(officer, seller: Seller, action: str, reason: str | None = None) -> Seller:
    """Approve, reject, suspend or reinstate a seller, with its audit entry and email, in the caller's unit
    of work. Suspending unlists all the seller's products at once (the listing rule needs a verified
    seller). A second decision on the same state (a double submit, two officers) is refused."""
    if not in_scope(officer, seller):
        raise PermissionError("seller outside the officer's province")
    if action not in SELLER.actions:
        raise DecisionError(_("Unknown action."))
    reason = (reason or "").strip() or None
    if action in NEEDS_REASON and not reason:
        raise DecisionError(_("Give the reason: the seller will read it."))
    before = {"verification_status": seller.verification_status, "status_reason": seller.status_reason}
    values = {"status_reason": reason}
    if SELLER.target(action) == "verified":
        values["verified_at"] = utcnow()
    try:
        SELLER.apply(seller, action, actor_id=officer.id, reason=reason, **values)
    except Refused as error:
        raise DecisionError(_("This seller cannot be changed that way now.")) from error
    audit(officer, f"seller.{action}", seller, before,
          {"verification_status": seller.verification_status, "status_reason": seller.status_reason})
    _announce(seller, action, reason)
    return seller


def _announce(seller: Seller, action: str, reason: str | None) -> None:
    with force_locale("vi"):  # the producers' language; the shop is Vietnamese first
        subject = {
            "approve": _("Your seller account is verified"),
            "reject": _("Your seller registration was not accepted"),
            "suspend": _("Your seller account is suspended"),
            "reinstate": _("Your seller account is active again"),
        }[action]
        paragraphs = [_("Reason: %(reason)s", reason=reason)] if reason else []
        for address in seller.email_addresses:
            queue_email(address, subject, "notice", name=seller.legal_name, paragraphs=paragraphs, signed_office=True)


# --- Evaluation records -----------------------------------------------------------------------

OFFICE_PAGE = 50


def products_in_scope(officer, words: str = "", page: int = 1) -> Page:
    """A page of the officer's products by name, narrowed by what was typed: a word of the product's
    name, its producer's name, its GTIN or a decision number (with or without accents, any case)."""
    query = select(Product).join(Seller)
    if officer.province_code is not None:
        query = query.where(Seller.province_code == officer.province_code)
    for word in fold_text(words).split()[:8]:  # % and _ are typed characters here, not wildcards
        query = query.where(or_(*(folded(column).contains(word, autoescape=True) for column in
                                  (Product.name, Seller.legal_name, Product.gtin)),
                                Product.records.any(folded(EvaluationRecord.decision_no)
                                                    .contains(word, autoescape=True))))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(query.options(selectinload(Product.seller), selectinload(Product.records))
                               .order_by(by_name(Product.name), Product.id)
                               .limit(OFFICE_PAGE).offset((page - 1) * OFFICE_PAGE)).all()
    return Page(items, total, page, OFFICE_PAGE)


def products_with_pending_changes(officer) -> set[int]:
    """Ids of the officer's products whose seller waits for a decision on a change of identity."""
    query = (select(ProductChangeRequest.product_id).join(Product, Product.id == ProductChangeRequest.product_id)
             .join(Seller, Seller.id == Product.seller_id).where(ProductChangeRequest.status == "pending"))
    if officer.province_code is not None:
        query = query.where(Seller.province_code == officer.province_code)
    return set(db.session.scalars(query))


def _record_state(record) -> dict:
    return {"stars": record.stars, "decision_no": record.decision_no,
            "decision_date": record.decision_date.isoformat(), "valid_until": record.valid_until.isoformat(),
            "revoked_at": record.revoked_at.isoformat() if record.revoked_at else None,
            "revoked_reason": record.revoked_reason}


def record_evaluation(officer, product, values: dict):
    """Record a council result for a product of the officer's province; audited; in the caller's unit of work."""
    if not in_scope(officer, product.seller):
        raise PermissionError("product outside the officer's province")
    try:
        record = new_record(product, **values)
    except ValueError as error:
        raise DecisionError(str(error)) from error
    db.session.flush()
    audit(officer, "recognition.record", record, None, _record_state(record))
    return record


def revoke_recognition(officer, record, reason: str):
    """Revoke a recognition early, with its audit entry and the seller's email, in the caller's unit of work;
    a second revocation (a double submit) is refused."""
    if not in_scope(officer, record.product.seller):
        raise PermissionError("recognition outside the officer's province")
    reason = (reason or "").strip()
    if not reason:
        raise DecisionError(_("Give the reason: the seller will read it."))
    before = _record_state(record)
    try:
        revoke(record, reason)
    except ValueError as error:
        raise DecisionError(_("This recognition is already revoked.")) from error
    audit(officer, "recognition.revoke", record, before, _record_state(record))
    with force_locale("vi"):
        subject = _("OCOP recognition %(number)s is revoked", number=record.decision_no)
        for address in record.product.seller.email_addresses:
            queue_email(address, subject, "notice", name=record.product.seller.legal_name,
                        paragraphs=[_("Reason: %(reason)s", reason=reason)], signed_office=True)


# --- Changes of a certified product's identity ----------------------------------------------------

CHANGE_REQUEST = StateMachine("product_change", ProductChangeRequest, "status", {
    "approve": ({"pending"}, "approved"),
    "refuse": ({"pending"}, "refused"),
}, states=("pending", "approved", "refused"))


def decide_change_request(officer, change: ProductChangeRequest, action: str,
                          note: str | None = None) -> ProductChangeRequest:
    """Approve (the requested values replace the product's) or refuse (a note is required) a seller's
    request to change what the council evaluated; audited, the seller told by email; in the caller's unit
    of work. Decided once: a double submit or a second officer is told so, and nothing else changes."""
    product = change.product
    if not in_scope(officer, product.seller):
        raise PermissionError("product outside the officer's province")
    if action not in CHANGE_REQUEST.actions:
        raise DecisionError(_("Unknown action."))
    note = (note or "").strip() or None
    if action == "refuse" and not note:
        raise DecisionError(_("Give the reason: the seller will read it."))
    try:
        CHANGE_REQUEST.apply(change, action, actor_id=officer.id, reason=note, decided_by_id=officer.id,
                             decided_at=utcnow(), decision_note=note)
    except Refused as error:
        raise DecisionError(_("This request has already been decided.")) from error
    requested = dict(change.requested)
    before = {"status": "pending", "values": identity_of(product, requested)}
    if action == "approve":
        for name, value in requested.items():
            setattr(product, name, value)
        try:
            db.session.flush()
        except IntegrityError as error:  # the seller has another product of that name: nothing changes
            raise DecisionError(_("The seller already has another product with this name.")) from error
        after = {"status": "approved", "values": identity_of(product, requested), "note": note}
    else:
        after = {"status": "refused", "values": before["values"], "requested": requested, "note": note}
    audit(officer, f"product_change.{action}", change, before, after)
    _announce_change(product, action, before["values"], note)
    return change


def _announce_change(product, action: str, old: dict, note: str | None) -> None:
    with force_locale("vi"):
        name = old.get("name") or product.name
        subject = {
            "approve": _("Your change to “%(name)s” is approved", name=name),
            "refuse": _("Your change to “%(name)s” was not accepted", name=name),
        }[action]
        paragraphs = []
        if action == "approve":
            paragraphs.append(_("The product now reads: %(name)s, group %(group)s, %(unit)s.",
                                name=product.name, group=product.group_code, unit=product.unit))
        if note:
            paragraphs.append(_("Reason: %(reason)s", reason=note))
        for address in product.seller.email_addresses:
            queue_email(address, subject, "notice", name=product.seller.legal_name, paragraphs=paragraphs,
                        signed_office=True)


def audit_import(officer, result) -> None:
    """One entry per row of a web import with what it did (on the row's product), then the summary."""
    for effect in result.effects:
        db.session.add(AuditLog(actor_id=officer.id, action="catalogue.import.row", object_type="products",
                                object_id=effect.product_id, before=None, after=effect.as_dict()))
    db.session.add(AuditLog(actor_id=officer.id, action="catalogue.import", object_type="catalogue", object_id=0,
                            before=None, after={"rows": result.rows, "sellers_created": result.sellers_created,
                                                "products_created": result.products_created,
                                                "products_updated": result.products_updated,
                                                "records_created": result.records_created,
                                                "records_updated": result.records_updated,
                                                "stock_received": result.stock_received}))


def import_catalogue(officer, rows):
    """An officer's import within their province and its audit, one unit of work: written together or not
    at all (a file with a bad row writes nothing, not even an audit entry)."""
    result = import_rows(rows, officer=officer)
    if result.ok:
        audit_import(officer, result)
    return result
