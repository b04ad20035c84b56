"""The favourites page and the heart on a product's page (plain forms: they work without a script)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, user_logged_in

from ..catalog.services import get_listing
from ..forms import Form, whole_number
from ..unit_of_work import run
from ..urls import safe_next
from . import services

bp = Blueprint("wishlist", __name__)


@bp.app_template_global()
def in_wishlist(product_id: int) -> bool:
    return services.holds(current_user, product_id)


@bp.get("/favourites")
def show():
    found, gone = services.listings(current_user)
    return render_template("wishlist/show.html", listings=found, gone=gone)


def _product_id() -> int:
    form = Form()  # the CSRF check
    product_id = whole_number(request.form.get("product_id"))
    if not form.validate() or product_id is None:
        abort(400)
    return product_id


@bp.post("/favourites/add")
def add():
    product_id = _product_id()
    if get_listing(product_id) is None:
        abort(404)
    try:
        run(services.add, current_user, product_id)
        flash(_("Kept in your favourites."), "success")
    except services.WishlistFull:
        flash(_("Your favourites are full: remove one first."), "error")
    return redirect(safe_next(request.form.get("next"), url_for("wishlist.show")), code=303)


@bp.post("/favourites/remove")
def remove():
    run(services.remove, current_user, _product_id())
    flash(_("Removed from your favourites."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("wishlist.show")), code=303)


def _merge_at_sign_in(_app, user) -> None:
    run(services.merge_guest, user)


@bp.record_once
def _listen(state) -> None:
    user_logged_in.connect(_merge_at_sign_in, state.app)
