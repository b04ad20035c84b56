"""The catalogue's pages: the storefront (parse the request, ask the catalogue services, render) and the
seller's own products (list, add, edit, ask the office to change what the council evaluated)."""
from __future__ import annotations

import functools

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from .. import ocop, qr, storage
from ..accounts.services import roles_required
from ..accounts.views import mail_request_limits
from ..certification import services as certification
from ..certification.services import IDENTITY_FIELDS, IdentityLocked, expiring, unlisted_reasons
from ..forms import whole_number
from ..i18n import current_language
from ..inventory.queries import online_available, points_holding
from ..pagecache import cached_page
from ..products import services as products
from ..products.images import PhotoError, renditions
from ..unit_of_work import run
from ..urls import public_url
from . import alerts, services
from .forms import ChangeRequestForm, FilterForm, ProductForm, StockAlertForm
from .purchase import purchase_info

bp = Blueprint("catalog", __name__)


@bp.app_template_global()
def url_with(**changes) -> str:
    """The current page's address with some query arguments changed; None drops one."""
    args = {key: value for key, value in (request.args.to_dict() | changes).items() if value not in (None, "")}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


bp.add_app_template_global(renditions, "photo_renditions")


@bp.get("/")
@cached_page
def home():
    group_counts, province_counts = services.counts_by_group_and_province()
    return render_template(
        "catalog/home.html",
        five_star=services.national_five_star(limit=8),
        newest=services.newly_recognised(limit=8),
        group_counts=group_counts,
        province_counts=province_counts,
    )


@bp.get("/products")
@cached_page
def browse():
    return _listing_page(None)


@bp.get("/groups/<code>")
@cached_page
def group(code: str):
    if code not in ocop.GROUPS:
        abort(404)
    return _listing_page(ocop.GROUPS[code])


def _listing_page(group: ocop.Group | None):
    """All products, or a group's or sub-group's, with the filters and sorting of the query string."""
    code = group.code if group else None
    per_page = current_app.config["PER_PAGE"]
    form = FilterForm(request.args)
    if form.validate():
        filters = form.to_filters(per_page, group=code)
    else:  # a hand-edited link: show the unfiltered list and say which filter was wrong
        filters = FilterForm(formdata=None).to_filters(per_page, group=code)
    filters.per_page = per_page
    return render_template(
        "catalog/listing.html",
        group=group,
        parent=ocop.GROUPS.get(group.parent) if group and group.parent else None,
        subgroups=ocop.subgroups(code) if group else [],
        subgroup_counts=services.counts_by_subgroup(code) if group and group.is_top else {},
        form=form,
        page=services.find_listings(filters),
        filters=filters,
    )


def _listing_or_404(product_id: int):
    listing = services.get_listing(product_id)
    if listing is None:
        abort(404)
    return listing


def trace_url(product_id: int) -> str:
    return public_url("catalog.trace", product_id=product_id)


@functools.lru_cache(maxsize=4096)
def qr_svg(url: str) -> str:
    """The trace page's QR code as inline SVG; made once per address (it is most of a page's CPU)."""
    return qr.qr_svg(url, title=url, scale=4, dark="#1b3a1b")


@bp.get("/products/<int:product_id>")
@cached_page
def product(product_id: int):
    return _product_page_for_shoppers(_listing_or_404(product_id))


def _product_page_for_shoppers(listing, alert_form=None):
    product_id = listing.product.id
    url = trace_url(product_id)
    if alert_form is None:
        alert_form = StockAlertForm(formdata=None, email=getattr(current_user, "email", None))
    return render_template("catalog/product.html", listing=listing, trace_url=url, qr_svg=qr_svg(url),
                           sales_points=points_holding(product_id), info=purchase_info([product_id])[product_id],
                           alert_form=alert_form)


@bp.post("/products/<int:product_id>/notify")
@mail_request_limits
def notify_me(product_id: int):
    """Leave an address to hear when a product without stock can be shipped again."""
    listing = _listing_or_404(product_id)
    form = StockAlertForm()
    if not form.validate_on_submit():
        return _product_page_for_shoppers(listing, form), 422
    if purchase_info([product_id])[product_id].available > 0:
        flash(_("It is in stock now: you can order it."), "success")
    else:
        run(alerts.ask, product_id, form.email.data, current_language())
        flash(_("We will email %(email)s once when it is back in stock.", email=form.email.data), "success")
    return redirect(url_for("catalog.product", product_id=product_id), code=303)


@bp.get("/trace/<int:product_id>")
@cached_page
def trace(product_id: int):
    return render_template("catalog/trace.html", listing=_listing_or_404(product_id))


@bp.get("/sellers/<int:seller_id>")
@cached_page
def seller(seller_id: int):
    seller = services.get_verified_seller(seller_id)
    if seller is None:
        abort(404)
    page_no = whole_number(request.args.get("page"), most=100000) or 1  # as the filter form's page
    page = services.find_listings(services.Filters(seller_id=seller_id, page=page_no,
                                                   per_page=current_app.config["PER_PAGE"]))
    return render_template("catalog/seller.html", seller=seller, page=page)


@bp.get("/media/<path:filename>")
def media(filename: str):
    """A product's or a combo's photo. Every upload is stored under a new random name and never rewritten,
    so its address is its version: cached a year, immutable."""
    response = storage.public().send(filename, max_age=365 * 24 * 3600)
    response.cache_control.immutable = True
    return response


# --- The seller's products (the seller's console) ------------------------------------------------

def _own_product(product_id: int):
    product = products.seller_product(current_user.seller_id, product_id)
    if product is None:
        abort(404)  # another seller's product does not exist for this one
    return product


@bp.get("/seller/products")
@roles_required("seller")
def seller_products():
    today = ocop.today()
    own = products.seller_products(current_user.seller_id)
    stock = online_available([p.id for p in own])
    rows = [(p, unlisted_reasons(p, today), expiring(p.records, today), stock[p.id]) for p in own]
    return render_template("catalog/seller_products.html", rows=rows, today=today)


@bp.route("/seller/products/new", methods=["GET", "POST"])
@bp.route("/seller/products/<int:product_id>", methods=["GET", "POST"])
@roles_required("seller")
def edit_product(product_id: int | None = None):
    product = _own_product(product_id) if product_id is not None else None
    form = ProductForm(obj=product)
    locked_by = certification.identity_locked_by(product) if product else None
    if locked_by is not None:
        form.lock(product, IDENTITY_FIELDS)
    refused = None
    if form.validate_on_submit():
        try:
            run(services.save_product, current_user.seller, form.values(), form.uploads(), product)
        except IdentityLocked as error:  # a crafted POST: the page never sends a locked field
            refused = error.message()
            form.restore(product, IDENTITY_FIELDS)
        except PhotoError as error:
            form.photos.errors = [str(error)]
        except IntegrityError:
            form.name.errors = [_("You already have a product with this name.")]
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("catalog.seller_products"), code=303)
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
    return render_template("catalog/product_form.html", form=form, product=product, locked_by=locked_by,
                           locked_fields=IDENTITY_FIELDS if locked_by else (), refused=refused,
                           change_form=change_form, pending=pending, requests=requests,
                           labels=certification.IDENTITY_LABELS)


@bp.post("/seller/products/<int:product_id>/change-request")
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
            return redirect(url_for("catalog.edit_product", product_id=product.id), code=303)
    locked_by = certification.identity_locked_by(product)
    form = ProductForm(obj=product, formdata=None)
    if locked_by is not None:
        form.lock(product, IDENTITY_FIELDS)
    return _product_page(form, product, locked_by, change_form=change_form), 422
