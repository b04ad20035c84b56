"""Storefront pages: parse the request, ask the catalogue services, render."""
from __future__ import annotations

import functools

from flask import Blueprint, abort, current_app, render_template, request, send_from_directory, url_for

from .. import ocop, qr
from ..forms import whole_number
from ..inventory.queries import points_holding
from ..urls import public_url
from . import services
from .forms import FilterForm

bp = Blueprint("catalog", __name__)


@bp.app_template_global()
def url_with(**changes) -> str:
    """The current page's address with some query arguments changed; None drops one."""
    args = {key: value for key, value in (request.args.to_dict() | changes).items() if value not in (None, "")}
    return url_for(request.endpoint, **(request.view_args or {}), **args)


@bp.get("/")
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
def browse():
    return _listing_page(None)


@bp.get("/groups/<code>")
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
def product(product_id: int):
    listing = _listing_or_404(product_id)
    url = trace_url(product_id)
    return render_template("catalog/product.html", listing=listing, trace_url=url, qr_svg=qr_svg(url),
                           sales_points=points_holding(product_id))


@bp.get("/trace/<int:product_id>")
def trace(product_id: int):
    return render_template("catalog/trace.html", listing=_listing_or_404(product_id))


@bp.get("/sellers/<int:seller_id>")
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
    return send_from_directory(current_app.config["UPLOAD_DIR"], filename, max_age=7 * 24 * 3600)
