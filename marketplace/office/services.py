"""The office's decisions on sellers: scoped to the officer's province, audited, announced by email."""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..catalog.models import Product
from ..certification.models import ProductChangeRequest
from ..certification.services import identity_of
from ..extensions import db
from ..models_base import utcnow
from ..outbox.services import queue_email
from ..sellers.models import Seller
from .models import AuditLog

# action: (the statuses it applies to, the status it leads to, whether a reason is required)
TRANSITIONS = {
    "approve": ({"pending"}, "verified", False),
    "reject": ({"pending"}, "rejected", True),
    "suspend": ({"verified"}, "suspended", True),
    "reinstate": ({"suspended"}, "verified", False),
}


class DecisionError(ValueError):
    pass


def in_scope(officer, seller: Seller) -> bool:
    """An officer of a province acts on that province's sellers; one without a province, on all."""
    return officer.role == "office" and (officer.province_code is None or officer.province_code == seller.province_code)


def sellers_in_scope(officer, status: str | None = "pending"):
    query = select(Seller).order_by(Seller.created_at, Seller.id)
    if status:
        query = query.where(Seller.verification_status == status)
    if officer.province_code is not None:
        query = query.where(Seller.province_code == officer.province_code)
    return db.session.scalars(query).all()


def audit(actor, action: str, obj, before: dict | None, after: dict | None) -> None:
    db.session.add(AuditLog(actor_id=actor.id, action=action, object_type=obj.__tablename__, object_id=obj.id,
                            before=before, after=after))


def decide(officer, seller: Seller, action: str, reason: str | None = None) -> Seller:
    """Approve, reject, suspend or reinstate a seller; commits with its audit entry and email.
    Suspending unlists all the seller's products at once (the listing rule needs a verified seller)."""
    if not in_scope(officer, seller):
        raise PermissionError("seller outside the officer's province")
    if action not in TRANSITIONS:
        raise DecisionError(_("Unknown action."))
    allowed_from, to_status, needs_reason = TRANSITIONS[action]
    if seller.verification_status not in allowed_from:
        raise DecisionError(_("This seller cannot be changed that way now."))
    reason = (reason or "").strip() or None
    if needs_reason and not reason:
        raise DecisionError(_("Give the reason: the seller will read it."))
    before = {"verification_status": seller.verification_status, "status_reason": seller.status_reason}
    seller.verification_status = to_status
    seller.status_reason = reason
    if to_status == "verified":
        seller.verified_at = utcnow()
    audit(officer, f"seller.{action}", seller, before,
          {"verification_status": seller.verification_status, "status_reason": seller.status_reason})
    _announce(seller, action, reason)
    db.session.commit()
    return seller


def _announce(seller: Seller, action: str, reason: str | None) -> None:
    with force_locale("vi"):  # the producers' language; the shop is Vietnamese first
        subject = {
            "approve": _("Your seller account is verified"),
            "reject": _("Your seller registration was not accepted"),
            "suspend": _("Your seller account is suspended"),
            "reinstate": _("Your seller account is active again"),
        }[action]
        body = _("Hello %(name)s,\n\n%(subject)s.", name=seller.legal_name, subject=subject)
        if reason:
            body += "\n\n" + _("Reason: %(reason)s", reason=reason)
        body += "\n\n" + _("Chợ OCOP — the provincial OCOP office")
    for address in seller.email_addresses:
        queue_email(address, subject, body)


# --- Evaluation records -----------------------------------------------------------------------

def products_in_scope(officer):
    query = select(Product).join(Seller).order_by(Product.name)
    if officer.province_code is not None:
        query = query.where(Seller.province_code == officer.province_code)
    return db.session.scalars(query).all()


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
    """Record a council result for a product of the officer's province; audited, committed."""
    from ..certification.services import new_record
    if not in_scope(officer, product.seller):
        raise PermissionError("product outside the officer's province")
    try:
        record = new_record(product, **values)
    except ValueError as error:
        raise DecisionError(str(error)) from error
    db.session.flush()
    audit(officer, "recognition.record", record, None, _record_state(record))
    db.session.commit()
    return record


def revoke_recognition(officer, record, reason: str):
    from ..certification.services import revoke
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
        body = _("Hello %(name)s,\n\n%(subject)s.", name=record.product.seller.legal_name, subject=subject)
        body += "\n\n" + _("Reason: %(reason)s", reason=reason)
    for address in record.product.seller.email_addresses:
        queue_email(address, subject, body)
    db.session.commit()


# --- Changes of a certified product's identity ----------------------------------------------------

CHANGE_ACTIONS = {"approve": "approved", "refuse": "refused"}


def _claim_change_request(change: ProductChangeRequest, to_status: str, officer, note: str | None) -> bool:
    """pending → approved/refused in one guarded UPDATE; its row count decides who decided."""
    # TODO: use the shared transition helper
    return db.session.execute(
        update(ProductChangeRequest)
        .where(ProductChangeRequest.id == change.id, ProductChangeRequest.status == "pending")
        .values(status=to_status, decided_by_id=officer.id, decided_at=utcnow(), decision_note=note,
                updated_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount == 1


def decide_change_request(officer, change: ProductChangeRequest, action: str,
                          note: str | None = None) -> ProductChangeRequest:
    """Approve (the requested values replace the product's) or refuse (a note is required) a seller's
    request to change what the council evaluated; audited, the seller told by email; commits.
    Decided once: a double submit or a second officer is told so, and nothing else changes."""
    product = change.product
    if not in_scope(officer, product.seller):
        raise PermissionError("product outside the officer's province")
    if action not in CHANGE_ACTIONS:
        raise DecisionError(_("Unknown action."))
    note = (note or "").strip() or None
    if action == "refuse" and not note:
        raise DecisionError(_("Give the reason: the seller will read it."))
    if not _claim_change_request(change, CHANGE_ACTIONS[action], officer, note):
        db.session.rollback()
        raise DecisionError(_("This request has already been decided."))
    requested = dict(change.requested)
    before = {"status": "pending", "values": identity_of(product, requested)}
    try:
        if action == "approve":
            for name, value in requested.items():
                setattr(product, name, value)
            after = {"status": "approved", "values": identity_of(product, requested), "note": note}
        else:
            after = {"status": "refused", "values": before["values"], "requested": requested, "note": note}
        audit(officer, f"product_change.{action}", change, before, after)
        _announce_change(product, action, before["values"], note)
        db.session.commit()
    except IntegrityError as error:  # the seller has another product of that name: nothing changes
        db.session.rollback()
        raise DecisionError(_("The seller already has another product with this name.")) from error
    db.session.refresh(change)
    return change


def _announce_change(product, action: str, old: dict, note: str | None) -> None:
    with force_locale("vi"):
        name = old.get("name") or product.name
        subject = {
            "approve": _("Your change to “%(name)s” is approved", name=name),
            "refuse": _("Your change to “%(name)s” was not accepted", name=name),
        }[action]
        body = _("Hello %(name)s,\n\n%(subject)s.", name=product.seller.legal_name, subject=subject)
        if action == "approve":
            body += "\n\n" + _("The product now reads: %(name)s, group %(group)s, %(unit)s.",
                                 name=product.name, group=product.group_code, unit=product.unit)
        if note:
            body += "\n\n" + _("Reason: %(reason)s", reason=note)
        body += "\n\n" + _("Chợ OCOP — the provincial OCOP office")
    for address in product.seller.email_addresses:
        queue_email(address, subject, body)


def rows_outside_scope(officer, rows) -> list[int]:
    """Line numbers of import rows whose province is not the officer's (a nationwide officer: none)."""
    if officer.province_code is None:
        return []
    from .. import ocop
    outside = []
    for line, values in rows:
        try:
            if int(ocop.find_province(values.get("province", "")).code) != officer.province_code:
                outside.append(line)
        except ValueError:
            continue  # the import itself reports an unknown province
    return outside


def audit_import(officer, result) -> None:
    db.session.add(AuditLog(actor_id=officer.id, action="catalogue.import", object_type="catalogue", object_id=0,
                            before=None, after={"rows": result.rows, "products_created": result.products_created,
                                                "records_created": result.records_created,
                                                "records_updated": result.records_updated}))
    db.session.commit()
