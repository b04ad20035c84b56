"""The seller's warehouse: what is on hand and held for each product, receipts, adjustments, reorder levels.
Every change is a line of the stock ledger (services); a form typed once makes one line however often it is
sent."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.services import roles_required
from ..forms import submitted_key
from ..products import services as products
from ..unit_of_work import run, run_once
from . import services as stock
from .forms import AdjustForm, ReceiveForm, ReorderForm
from .models import StockMovement

bp = Blueprint("inventory", __name__)


@bp.get("/seller/stock")
@roles_required("seller")
def stock_list():
    location = run(stock.warehouse_of, current_user.seller)
    levels = stock.levels_of(location.id)
    rows = [(p, levels.get(p.id)) for p in products.seller_products(current_user.seller_id)]
    return render_template("inventory/list.html", rows=rows)


@bp.route("/seller/stock/<int:product_id>", methods=["GET", "POST"])
@roles_required("seller")
def stock_detail(product_id: int):
    product = products.seller_product(current_user.seller_id, product_id)
    if product is None:
        abort(404)  # another seller's product does not exist for this one
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
            return redirect(url_for("inventory.stock_detail", product_id=product.id), code=303)
    return render_template("inventory/detail.html", product=product, level=stock.level(location.id, product.id),
                           history=stock.history(location.id, product.id), receive_form=receive_form,
                           adjust_form=adjust_form, reorder_form=reorder_form), status
