"""Seller sign-up, the seller's page in the console, and certificate downloads."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from sqlalchemy.exc import IntegrityError

from .. import ocop
from ..accounts.services import roles_required
from ..catalog import services as catalog
from ..catalog.forms import ChangeRequestForm, ProductForm
from ..products.images import PhotoError
from ..certification import services as certification
from ..certification.services import IDENTITY_FIELDS, IdentityLocked, expiring, unlisted_reasons
from ..accounts.views import auth_limit, begin_session
from ..extensions import db, limiter
from ..forms import submitted_key
from ..unit_of_work import run, run_once
from ..inventory import services as stock
from ..inventory.forms import AdjustForm, ReceiveForm, ReorderForm
from ..inventory.models import StockMovement
from ..security import attachment
from . import services
from .documents import path_of
from .forms import SellerSignUpForm
from .models import SellerDocument

bp = Blueprint("sellers", __name__, url_prefix="/seller")


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(auth_limit, methods=["POST"])
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
    return attachment(send_file(path_of(found.stored_name), mimetype=found.content_type, as_attachment=True,
                                download_name=f"certificate-{found.seller_id}.{found.stored_name.rsplit('.', 1)[-1]}"))


# --- The console: listings ------------------------------------------------------------------------

def _own_product(product_id: int):
    product = catalog.seller_product(current_user.seller_id, product_id)
    if product is None:
        abort(404)  # another seller's product does not exist for this one
    return product


@bp.get("/products")
@roles_required("seller")
def products():
    today = ocop.today()
    rows = [(p, unlisted_reasons(p, today), expiring(p.records, today)) for p in
            catalog.seller_products(current_user.seller_id)]
    return render_template("sellers/products.html", rows=rows, today=today)


@bp.route("/products/new", methods=["GET", "POST"])
@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@roles_required("seller")
def edit_product(product_id: int | None = None):
    product = _own_product(product_id) if product_id else None
    form = ProductForm(obj=product)
    locked_by = certification.identity_locked_by(product) if product else None
    if locked_by is not None:
        form.lock(product, IDENTITY_FIELDS)
    refused = None
    if form.validate_on_submit():
        try:
            run(catalog.save_product, current_user.seller, form.values(), form.uploads(), product)
        except IdentityLocked as error:  # a crafted POST: the page never sends a locked field
            refused = error.message()
            form.restore(product, IDENTITY_FIELDS)
        except PhotoError as error:
            form.photos.errors = [str(error)]
        except IntegrityError:
            form.name.errors = [_("You already have a product with this name.")]
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("sellers.products"), code=303)
    status = 422 if form.errors or refused else 200
    return _product_page(form, product, locked_by, refused=refused), status


def _product_page(form, product, locked_by, refused=None, change_form=None):
    """The product form, and for a locked product the change requests and the form to ask for one."""
    pending, requests = None, []
    if product is not None and product.id is not None:
        requests = certification.change_requests_of(product)
        pending = next((r for r in requests if r.status == "pending"), None)
    if locked_by is not None and pending is None and change_form is None:
        change_form = ChangeRequestForm(obj=product, formdata=None)
    return render_template("sellers/product_form.html", form=form, product=product, locked_by=locked_by,
                           locked_fields=IDENTITY_FIELDS if locked_by else (), refused=refused,
                           change_form=change_form, pending=pending, requests=requests,
                           labels=certification.IDENTITY_LABELS)


@bp.post("/products/<int:product_id>/change-request")
@roles_required("seller")
def request_change(product_id: int):
    """Ask the office to change what the council evaluated (name, group, unit, GTIN)."""
    product = _own_product(product_id)
    change_form = ChangeRequestForm()
    if change_form.validate_on_submit():
        try:
            run(certification.request_identity_change, current_user, product, change_form.values(),
                change_form.reason.data)
        except certification.ChangeRequestError as error:
            change_form.form_errors.append(str(error))
        else:
            flash(_("Your request is sent to the provincial OCOP office. You will be told by email."), "success")
            return redirect(url_for("sellers.edit_product", product_id=product.id), code=303)
    locked_by = certification.identity_locked_by(product)
    form = ProductForm(obj=product, formdata=None)
    if locked_by is not None:
        form.lock(product, IDENTITY_FIELDS)
    return _product_page(form, product, locked_by, change_form=change_form), 422


# --- The console: stock ---------------------------------------------------------------------------

@bp.get("/stock")
@roles_required("seller")
def stock_list():
    location = run(stock.warehouse_of, current_user.seller)
    levels = stock.levels_of(location.id)
    rows = [(p, levels.get(p.id)) for p in catalog.seller_products(current_user.seller_id)]
    return render_template("inventory/list.html", rows=rows)


@bp.route("/stock/<int:product_id>", methods=["GET", "POST"])
@roles_required("seller")
def stock_detail(product_id: int):
    product = _own_product(product_id)
    location = run(stock.warehouse_of, current_user.seller)  # made on first use
    receive_form, adjust_form = ReceiveForm(prefix="receive"), AdjustForm(prefix="adjust")
    reorder_form = ReorderForm(prefix="reorder")
    action = request.form.get("action")
    if action == "receive" and receive_form.validate_on_submit():
        change = (stock.receive, location.id, product.id, receive_form.quantity.data,
                  {"actor_id": current_user.id, "reference": receive_form.reference.data or None})
    elif action == "adjust" and adjust_form.validate_on_submit():
        change = (stock.adjust, location.id, product.id, adjust_form.change.data,
                  {"reason": adjust_form.reason.data, "actor_id": current_user.id})
    elif action == "reorder" and reorder_form.validate_on_submit():
        change = (stock.set_reorder_level, location.id, product.id, reorder_form.reorder_level.data or 0, {})
    else:
        change = None
    status = 422 if request.method == "POST" else 200
    if change is not None:
        work, *args, kwargs = change
        try:
            if work is stock.set_reorder_level:  # the same level however often it is set
                run(work, *args, **kwargs)
            else:  # a receipt or an adjustment typed once is made once, however often the form is sent
                run_once(StockMovement, submitted_key(), work, *args, **kwargs)
        except stock.StockError:
            adjust_form.change.errors = [_("That would leave less than is held for orders, or below zero.")]
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("sellers.stock_detail", product_id=product.id), code=303)
    return render_template("inventory/detail.html", product=product, level=stock.level(location.id, product.id),
                           history=stock.history(location.id, product.id), receive_form=receive_form,
                           adjust_form=adjust_form, reorder_form=reorder_form), status
