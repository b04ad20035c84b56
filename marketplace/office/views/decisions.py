"""The office's decisions: the verification queue, recognitions and change requests, the catalogue import,
the dashboard, orders and transfers to confirm."""
from __future__ import annotations

import os
import tempfile

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ... import ocop
from ...audit import AuditLog
from ...catalog.importer import OPTIONAL, REQUIRED, read_table
from ...catalog.tables import ImportFileError
from ...certification.models import EvaluationRecord, ProductChangeRequest
from ...certification.services import IDENTITY_LABELS, change_requests_of, identity_locked_by, unlisted_reasons
from ...exports import table_response
from ...extensions import db
from ...forms import whole_number
from ...orders import payments, refunds
from ...orders import services as order_services
from ...payments.models import REFUND_METHODS
from ...products.models import Product
from ...scope import in_scope
from ...sellers.models import VERIFICATION_LABELS, VERIFICATION_STATUSES, Seller
from ...unit_of_work import run
from .. import services
from ..dashboard import EXPIRY_HORIZON_DAYS, csv_rows, indicators
from ..forms import ChangeDecisionForm, DecisionForm, EvaluationForm, ImportForm, RevokeForm
from .common import bp


def _seller_in_scope(seller_id: int) -> Seller:
    seller = db.session.get(Seller, seller_id)
    if seller is None or not in_scope(current_user, seller):
        abort(404)
    return seller


@bp.get("/")
def queue():
    status = request.args.get("status", "pending")
    if status not in VERIFICATION_STATUSES:
        status = "pending"
    return render_template("office/queue.html", sellers=services.sellers_in_scope(current_user, status),
                           status=status, statuses=VERIFICATION_STATUSES, labels=VERIFICATION_LABELS)


@bp.get("/sellers/<int:seller_id>")
def seller(seller_id: int):
    found = _seller_in_scope(seller_id)
    history = db.session.scalars(db.select(AuditLog).filter_by(object_type="sellers", object_id=found.id)
                                 .order_by(AuditLog.at.desc())).all()
    actions = [action for action in services.SELLER.actions if services.SELLER.allows(found.verification_status, action)]
    return render_template("office/seller.html", seller=found, form=DecisionForm(), history=history,
                           actions=actions, needs_reason=services.NEEDS_REASON,
                           decisions=services.DECISION_LABELS, statuses=VERIFICATION_LABELS)


@bp.post("/sellers/<int:seller_id>/decision")
def decide(seller_id: int):
    found = _seller_in_scope(seller_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            run(services.decide, current_user, found, form.action.data, form.reason.data)
        except services.DecisionError as error:
            flash(str(error), "error")
            return redirect(url_for("office.seller", seller_id=seller_id), code=303)
        flash(_("Saved. The seller is told by email."), "success")
        return redirect(url_for("office.queue"), code=303)
    flash(_("The form was not accepted; try again."), "error")
    return redirect(url_for("office.seller", seller_id=seller_id), code=303)


# --- Evaluation records -------------------------------------------------------------------------

def _product_in_scope(product_id: int):
    product = db.session.get(Product, product_id)
    if product is None or not in_scope(current_user, product.seller):
        abort(404)
    return product


@bp.get("/products")
def products():
    words = (request.args.get("q") or "")[:200]
    page_no = whole_number(request.args.get("page"), most=100000) or 1
    return render_template("office/products.html", page=services.products_in_scope(current_user, words, page_no),
                           q=words, pending=services.products_with_pending_changes(current_user),
                           today=ocop.today())


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
def product(product_id: int):
    found = _product_in_scope(product_id)
    form = EvaluationForm()
    status = 200
    if form.validate_on_submit():
        try:
            run(services.record_evaluation, current_user, found, form.values())
        except services.DecisionError as error:
            form.stars.errors = [str(error)]
        except IntegrityError:
            form.decision_no.errors = [_("This product already has a recognition with this decision number.")]
        else:
            flash(_("Recognition recorded."), "success")
            return redirect(url_for("office.product", product_id=product_id), code=303)
    if form.errors:
        status = 422
    return render_template("office/product.html", product=found, form=form, revoke_form=RevokeForm(),
                           reasons=unlisted_reasons(found), today=ocop.today(), change_form=ChangeDecisionForm(),
                           changes=change_requests_of(found), locked_by=identity_locked_by(found),
                           labels=IDENTITY_LABELS), status


@bp.post("/change-requests/<int:change_id>/decision")
def decide_change(change_id: int):
    """Approve or refuse a seller's request to change what the council evaluated."""
    change = db.session.get(ProductChangeRequest, change_id)
    if change is None or not in_scope(current_user, change.product.seller):
        abort(404)
    product_id = change.product_id
    form = ChangeDecisionForm()
    try:
        if not form.validate_on_submit():
            raise services.DecisionError(_("The form was not accepted; try again."))
        run(services.decide_change_request, current_user, change, form.action.data, form.note.data)
    except services.DecisionError as error:
        flash(str(error), "error")
    else:
        flash(_("Saved. The seller is told by email."), "success")
    return redirect(url_for("office.product", product_id=product_id), code=303)


@bp.post("/recognitions/<int:record_id>/revoke")
def revoke(record_id: int):
    record = db.session.get(EvaluationRecord, record_id)
    if record is None or not in_scope(current_user, record.product.seller):
        abort(404)
    form = RevokeForm()
    try:
        if not form.validate_on_submit():
            raise services.DecisionError(_("Give the reason: the seller will read it."))
        run(services.revoke_recognition, current_user, record, form.reason.data)
        flash(_("Recognition revoked; the product is no longer shown."), "success")
    except services.DecisionError as error:
        flash(str(error), "error")
    return redirect(url_for("office.product", product_id=record.product_id), code=303)


@bp.route("/import", methods=["GET", "POST"])
def import_catalogue():
    """The catalogue import file, uploaded: the same checks as `flask catalog import`, within the officer's
    province, and each row's effect in the audit log."""
    form = ImportForm()
    result, problem = None, None
    if form.validate_on_submit():
        upload = form.file.data
        suffix = os.path.splitext(upload.filename or "")[1].lower()
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            upload.save(handle.name)
            try:  # the officer's province bounds the import: the importer checks every row against it
                result = run(services.import_catalogue, current_user, read_table(handle.name))
            except ImportFileError as error:
                problem = str(error)
    status = 422 if problem or (result is not None and not result.ok) else 200
    return render_template("office/import.html", form=form, result=result, problem=problem,
                           required=REQUIRED, optional=OPTIONAL), status


# --- The programme dashboard --------------------------------------------------------------------

def _dashboard_place() -> int | None:
    """Any officer may look at any province or the whole country; their own province by default."""
    value = request.args.get("province")
    if value == "all":
        return None
    if (code := whole_number(value, most=999)) is not None and ocop.province(code):
        return code
    return current_user.province_code


@bp.get("/dashboard")
def dashboard():
    return render_template("office/dashboard.html", data=indicators(_dashboard_place()),
                           horizon=EXPIRY_HORIZON_DAYS)


@bp.get("/dashboard.csv")
def dashboard_csv():
    name = f"ocop-indicators-{_dashboard_place() or 'all'}-{ocop.today().isoformat()}"
    return table_response(csv_rows(indicators(_dashboard_place())), name, "csv")


# --- Orders: what producers of the province sell, transfers to confirm, refunds to make ------------

ORDER_VIEWS = {  # name: (payment method, payment status)
    "transfers": ("vietqr", "unpaid"),
    "refunds": (None, "refund_due"),
    "all": (None, None),
}


@bp.get("/orders")
def orders():
    view = request.args.get("view", "transfers")
    if view not in ORDER_VIEWS:
        view = "transfers"
    method, status = ORDER_VIEWS[view]
    found = order_services.orders_with_sellers_in(current_user.province_code, method, status)
    return render_template("office/orders.html", orders=found, view=view, views=ORDER_VIEWS,
                           attention=payments.events_needing_attention())


@bp.get("/orders/<number>")
def order(number: str):
    """One order with a producer of the officer's province: its parts, its money and its history."""
    found = order_services.get_order(number)
    if found is None or not any(in_scope(current_user, part.seller) for part in found.parts):
        abort(404)
    from .refunds import RefundForm
    return render_template("office/order.html", order=found, history=order_services.history(found),
                           refunds=refunds.refunds_of(found), still_owed=refunds.still_to_refund(found),
                           refund_form=RefundForm(), refund_methods=REFUND_METHODS)


@bp.post("/orders/<number>/confirm-transfer")
def confirm_transfer(number: str):
    order = order_services.get_order(number)
    if order is None or not payments.may_confirm_transfer(current_user, order):
        abort(404)
    try:
        outcome = run(payments.confirm_transfer, current_user, order)
    except payments.PaymentError:
        flash(_("This order is not waiting for a transfer."), "error")
        return redirect(url_for("office.orders"), code=303)
    if outcome == "refund_due":
        flash(_("Recorded. The order had already been cancelled, so the money is to be refunded."), "error")
    else:
        flash(_("Payment recorded. The buyer and the producers are told."), "success")
    return redirect(url_for("office.orders"), code=303)
