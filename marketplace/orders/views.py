"""The cart, checkout, the buyer's order page and the seller's order list."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.services import roles_required
from ..extensions import db
from ..i18n import current_language
from ..inventory import services as stock
from ..payments import card
from ..payments import services as payments
from ..salespoints.services import points_for_pickup
from . import cart, services
from .forms import CartLineForm, CheckoutForm

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


@bp.route("/checkout", methods=["GET", "POST"])
def checkout():
    view = cart.view(current_user)
    points = points_for_pickup({line.product_id: line.quantity for line in view.lines})
    listed = bool(view.lines) and all(line.listing is not None for line in view.lines)
    if not (view.can_check_out or (listed and points)):
        return redirect(url_for("orders.show"), code=303)
    form = CheckoutForm(pickup_points=points)
    if request.method == "GET" and current_user.is_authenticated:
        form.name.data, form.email.data = form.name.data or current_user.name, form.email.data or current_user.email
    if form.validate_on_submit():
        point = form.pickup_point
        try:
            order = services.place_cart_order(current_user, form.contact(), form.payment.data, locale=current_language(),
                                              pickup_location_id=point.location_id if point else None)
        except services.CheckoutError:
            flash(_("Your cart changed while you were checking out: please look at it again."), "error")
            return redirect(url_for("orders.show"), code=303)
        if order.payment_method == "card":
            return _pay_by_card(order)
        return redirect(url_for("orders.order", number=order.number, token=order.access_token), code=303)
    status = 422 if form.errors else 200
    return render_template("orders/checkout.html", form=form, cart=view, config=current_app.config,
                           online_ok=view.can_check_out), status


def _pay_by_card(order):
    """Off to Stripe's page; back to the order page if Stripe cannot be reached (it offers to try again)."""
    back = services.order_url(order)
    try:
        return redirect(payments.start_card_payment(order, success_url=back + "&paid=1", cancel_url=back), code=303)
    except (payments.PaymentError, card.CardError):
        db.session.rollback()
        flash(_("The card payment could not start. Please try again in a moment."), "error")
        return redirect(back, code=303)


@bp.get("/orders/<number>")
def order(number: str):
    found = services.find_order(number, request.args.get("token"))
    if found is None:
        abort(404)
    transfer = None
    if found.payment_method == "vietqr" and services.awaiting_payment(found):
        transfer = {"svg": payments.vietqr_svg(found), "reference": payments.transfer_reference(found),
                    "config": current_app.config}
    return render_template("orders/order.html", order=found, transfer=transfer,
                           awaiting_payment=services.awaiting_payment(found), back_from_card="paid" in request.args)


@bp.post("/orders/<number>/pay")
def pay(number: str):
    found = services.find_order(number, request.form.get("token"))
    if found is None:
        abort(404)
    if found.payment_method != "card" or not services.awaiting_payment(found):
        return redirect(services.order_url(found), code=303)
    return _pay_by_card(found)


@bp.post("/orders/<number>/cancel")
def cancel(number: str):
    found = services.find_order(number, request.form.get("token"))
    if found is None:
        abort(404)
    try:
        services.cancel_by_buyer(found)
        flash(_("Your order is cancelled."), "success")
    except services.TransitionError:
        db.session.rollback()
        flash(_("A producer has already confirmed it: contact them to cancel."), "error")
    return redirect(url_for("orders.order", number=number, token=found.access_token), code=303)


@bp.get("/account/orders")
@roles_required("shopper", "seller", "office", "staff")
def my_orders():
    return render_template("orders/my_orders.html", orders=services.orders_of(current_user.id))


# --- The seller's orders --------------------------------------------------------------------------

@bp.get("/seller/orders")
@roles_required("seller")
def seller_orders():
    return render_template("orders/seller_orders.html", parts=services.seller_parts(current_user.seller_id),
                           allowed=services.allowed_actions)


@bp.post("/seller/orders/<int:part_id>")
@roles_required("seller")
def seller_order_action(part_id: int):
    part = services.seller_part(current_user.seller_id, part_id)
    if part is None:
        abort(404)
    try:
        services.move(part, request.form.get("action", ""), actor_id=current_user.id)
        flash(_("Saved. The buyer is told by email."), "success")
    except (services.TransitionError, stock.StockError):
        db.session.rollback()
        flash(_("This order cannot be changed that way now."), "error")
    return redirect(url_for("orders.seller_orders"), code=303)
