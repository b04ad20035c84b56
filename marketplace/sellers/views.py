"""Seller sign-up, the seller's page in the console, and certificate downloads. (The seller's products are
the catalogue's pages, its stock the inventory's, its orders the orders'.)"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.services import roles_required
from ..accounts.views import auth_limits, begin_session
from ..extensions import db
from ..security import attachment
from ..unit_of_work import run
from . import documents, services
from .forms import SellerSignUpForm
from .models import SellerDocument

bp = Blueprint("sellers", __name__, url_prefix="/seller")


@bp.route("/join", methods=["GET", "POST"])
@auth_limits
def join():
    form = SellerSignUpForm()
    if form.validate_on_submit():
        seller = run(services.register_seller, account=form.account(), seller=form.seller(),
                     document=form.checked_document)
        begin_session(seller.members[0])
        flash(_("Thank you. The provincial OCOP office will check your registration certificate."), "success")
        return redirect(url_for("sellers.dashboard"))
    return render_template("sellers/join.html", form=form), 200 if not form.errors else 422


@bp.get("/")
@roles_required("seller")
def dashboard():
    return render_template("sellers/dashboard.html", seller=current_user.seller)


@bp.get("/documents/<int:document_id>")
@roles_required("seller", "office")
def document(document_id: int):
    found = db.session.get(SellerDocument, document_id)
    if found is None or not services.can_read_document(current_user, found):
        abort(404)  # not 403: do not tell others that the document exists
    return attachment(documents.send(found.stored_name, mimetype=found.content_type,
                                     download_name=f"certificate-{found.seller_id}.{found.stored_name.rsplit('.', 1)[-1]}"))
