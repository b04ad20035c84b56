"""The office's verification queue."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.services import roles_required
from ..extensions import db
from ..sellers.models import VERIFICATION_STATUSES, Seller
from . import services
from .forms import DecisionForm
from .models import AuditLog

bp = Blueprint("office", __name__, url_prefix="/office")


@bp.before_request
@roles_required("office")
def office_only():
    return None


def _seller_in_scope(seller_id: int) -> Seller:
    seller = db.session.get(Seller, seller_id)
    if seller is None or not services.in_scope(current_user, seller):
        abort(404)
    return seller


@bp.get("/")
def queue():
    status = request.args.get("status", "pending")
    if status not in VERIFICATION_STATUSES:
        status = "pending"
    return render_template("office/queue.html", sellers=services.sellers_in_scope(current_user, status),
                           status=status, statuses=VERIFICATION_STATUSES)


@bp.get("/sellers/<int:seller_id>")
def seller(seller_id: int):
    found = _seller_in_scope(seller_id)
    history = db.session.scalars(db.select(AuditLog).filter_by(object_type="sellers", object_id=found.id)
                                 .order_by(AuditLog.at.desc())).all()
    return render_template("office/seller.html", seller=found, form=DecisionForm(), history=history,
                           transitions=services.TRANSITIONS)


@bp.post("/sellers/<int:seller_id>/decision")
def decide(seller_id: int):
    found = _seller_in_scope(seller_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.decide(current_user, found, form.action.data, form.reason.data)
        except services.DecisionError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("office.seller", seller_id=seller_id), code=303)
        flash(_("Saved. The seller is told by email."), "success")
        return redirect(url_for("office.queue"), code=303)
    flash(_("The form was not accepted; try again."), "error")
    return redirect(url_for("office.seller", seller_id=seller_id), code=303)
