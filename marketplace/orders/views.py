"""The cart pages."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from . import cart
from .forms import CartLineForm

bp = Blueprint("orders", __name__)

MESSAGES = {
    "unlisted": _l("This product is no longer on sale."),
    "out_of_stock": _l("This product is out of stock."),
}


def _back(default: str) -> str:
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else default


@bp.get("/cart")
def show():
    return render_template("orders/cart.html", cart=cart.view(current_user), messages=MESSAGES)


@bp.post("/cart/add")
def add():
    form = CartLineForm()
    if form.validate_on_submit() and form.product_id.data.isdigit():
        try:
            quantity = cart.set_quantity(current_user, int(form.product_id.data), form.quantity.data, add=True)
            flash(_("Added to your cart (%(quantity)d).", quantity=quantity), "success")
        except cart.CartError as error:
            flash(str(MESSAGES.get(str(error), error)), "error")
    else:
        flash(_("Choose a quantity from 1 to 99."), "error")
    return redirect(_back(url_for("orders.show")), code=303)


@bp.post("/cart/update")
def update():
    form = CartLineForm()
    if form.validate_on_submit() and form.product_id.data.isdigit():
        try:
            quantity = cart.set_quantity(current_user, int(form.product_id.data), form.quantity.data)
            if quantity < form.quantity.data:
                flash(_("Only %(quantity)d can be shipped now.", quantity=quantity), "error")
        except cart.CartError as error:
            flash(str(MESSAGES.get(str(error), error)), "error")
    else:
        flash(_("Choose a quantity from 1 to 99."), "error")
    return redirect(url_for("orders.show"), code=303)


@bp.post("/cart/remove")
def remove():
    product_id = request.form.get("product_id", "")
    if product_id.isdigit():
        cart.remove(current_user, int(product_id))
    return redirect(url_for("orders.show"), code=303)
