"""The cart, checkout, the buyer's order page and the seller's order list."""
from __future__ import annotations

import stripe
from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from .. import ocop
from ..accounts.services import roles_required
from ..errors import json_error
from ..extensions import csrf
from ..forms import submitted_key
from ..i18n import current_language, vnd
from ..inventory import services as stock
from ..inventory.queries import point_at, points_for_pickup
from ..transitions import Refused
from ..unit_of_work import made_with, run, run_once
from ..urls import safe_next
from . import cart, invoice, payments, services
from .checkout import CheckoutError, place_cart_order, quote
from .forms import CartLineForm, CheckoutForm, SellerCancelForm, ShipForm
from .models import Order

bp = Blueprint("orders", __name__)

MESSAGES = {
    "unlisted": _l("This product is no longer on sale."),
    "book_instead": _l("This is an experience: choose a date on its page to book it."),
    "out_of_stock": _l("This product is out of stock."),
    "combo_elsewhere": _l("A gift box packed at a sales point is collected there."),
    "wrap_unavailable": _l("Gift wrapping is done by a sales point: choose to collect the order at a point that "
                           "wraps, or to have it sent to your hotel from one."),
    "hotel_outside_province": _l("A sales point delivers to hotels in its own province only."),
    "total_too_large": _l("This order is too large to place online: please split it, or contact the OCOP office."),
    "too_many_open_orders": _l("This phone number already has %(limit)d orders waiting for payment or delivery. "
                               "Please pay or receive one of them first, or cancel one."),
}

COMBO_MESSAGES = {
    "unlisted": _l("This gift combo is no longer on sale."),
    "out_of_stock": _l("This gift combo is out of stock."),
}


def _back(default: str) -> str:
    return safe_next(request.form.get("next"), default)


@bp.get("/cart")
def show():
    return render_template("orders/cart.html", cart=cart.view(current_user), messages=MESSAGES,
                           combo_messages=COMBO_MESSAGES)


@bp.post("/cart/add")
def add():
    form = CartLineForm()
    if form.validate_on_submit() and (line := form.line) is not None:
        kind, ident = line
        try:
            quantity = run(cart.set_quantity, current_user, ident, form.quantity.data, add=True, kind=kind)
            flash(_("Added to your cart (%(quantity)d).", quantity=quantity), "success")
            if quantity == cart.max_units():
                flash(_("At most %(quantity)d of one product per order.", quantity=quantity), "error")
        except cart.CartError as error:
            flash(str(_message(kind, str(error))), "error")
    else:
        flash(_("Choose a quantity from 1 to 99."), "error")
    return redirect(_back(url_for("orders.show")), code=303)


def _message(kind: str, problem: str):
    if kind == "combo":
        return COMBO_MESSAGES.get(problem, problem)
    return MESSAGES.get(problem, problem)


@bp.post("/cart/update")
def update():
    form = CartLineForm()
    if form.validate_on_submit() and (line := form.line) is not None:
        kind, ident = line
        try:
            quantity = run(cart.set_quantity, current_user, ident, form.quantity.data, kind=kind)
            if quantity < form.quantity.data and quantity == cart.max_units():
                flash(_("At most %(quantity)d of one product per order.", quantity=quantity), "error")
            elif quantity < form.quantity.data:
                flash(_("Only %(quantity)d can be shipped now.", quantity=quantity), "error")
        except cart.CartError as error:
            flash(str(_message(kind, str(error))), "error")
    else:
        flash(_("Choose a quantity from 1 to 99."), "error")
    return redirect(url_for("orders.show"), code=303)


@bp.post("/cart/remove")
def remove():
    form = CartLineForm()
    if (line := form.line) is not None:
        run(cart.remove, current_user, line[1], kind=line[0])
    return redirect(url_for("orders.show"), code=303)


@bp.route("/checkout", methods=["GET", "POST"])
def checkout():
    """Two steps on one page: the buyer fills it in and sees the exact total (delivery included), then
    places the order at that total. If a price or the fee changed in between, nothing is placed and the
    page shows what changed and the new total."""
    key = submitted_key() if request.method == "POST" else None
    placed = made_with(Order, key)
    if placed is not None:  # this page was submitted before: its order, not another one
        return redirect(url_for("orders.order", number=placed.number, token=placed.access_token), code=303)
    view = cart.view(current_user)
    points = _pickup_points(view)
    listed = bool(view.all_lines) and all(line.problem != "unlisted" for line in view.all_lines)
    if not (view.can_check_out or (listed and points)):
        placed = made_with(Order, key)  # its twin placed the order and emptied the cart just now
        if placed is not None:
            return redirect(url_for("orders.order", number=placed.number, token=placed.access_token), code=303)
        return redirect(url_for("orders.show"), code=303)
    form = CheckoutForm(pickup_points=points)
    if request.method == "GET" and current_user.is_authenticated:
        form.name.data, form.email.data = form.name.data or current_user.name, form.email.data or current_user.email
    quoted, changes, status = None, [], 200
    if form.validate_on_submit():
        point, hotel, extras = form.pickup_point, form.hotel_point, form.extras()
        location_id = point.location_id if point else None
        seen_prices, seen_total = form.seen() if not request.form.get("recalculate") else (None, None)
        try:
            if seen_total is None:  # the first step: show the total before anything is placed
                quoted = quote(view.items, form.contact().province_code, location_id, view.combo_items, hotel,
                               extras.wrap)
            else:
                order, _fresh = run_once(Order, form.key(), place_cart_order, current_user, form.contact(),
                                         form.payment.data, locale=current_language(), pickup_location_id=location_id,
                                         seen_prices=seen_prices, seen_total=seen_total, from_point=hotel,
                                         extras=extras)
                cart.forget_guest_cart(current_user)
                if order.payment_method == "card":
                    return _pay_by_card(order)
                return redirect(url_for("orders.order", number=order.number, token=order.access_token), code=303)
        except CheckoutError as refused:
            if refused.code == "price_changed":
                quoted, changes, status = refused.quote, refused.items, 409
            elif refused.code == "too_many_open_orders":
                flash(str(MESSAGES["too_many_open_orders"]) % {"limit": refused.items[0]["limit"]}, "error")
                status = 422
            elif refused.code in ("wrap_unavailable", "hotel_outside_province", "combo_elsewhere", "total_too_large",
                                  "book_instead"):
                flash(str(MESSAGES[refused.code]), "error")
                status = 422
            else:
                flash(_("Your cart changed while you were checking out: please look at it again."), "error")
                return redirect(url_for("orders.show"), code=303)
        if quoted is not None:
            form.show(quoted)
    elif form.errors:
        status = 422
    return render_template("orders/checkout.html", form=form, cart=view, config=current_app.config,
                           online_ok=view.can_check_out, quote=quoted, changes=changes,
                           vat_preview=_vat_preview(quoted, form) if quoted is not None else [],
                           products={line.product_id: line.listing.product for line in view.lines if line.listing}), status


@bp.post("/checkout/estimate")
def checkout_estimate():
    """What the checkout page shows live while the buyer picks how to receive the order: delivery, wrapping
    and total for the chosen way and province (the page's script asks; without it, "See the total" does the
    same). Nothing is placed or held; the review step still shows the exact total before the order is."""
    view = cart.view(current_user)
    form = CheckoutForm(pickup_points=_pickup_points(view))
    point, hotel = form.pickup_point, form.hotel_point
    if point is not None:
        province, location_id = point.province_code, point.location_id
    elif form.delivery.data == "post" or hotel is not None:
        province, location_id = form.province.data, None
    else:
        province = location_id = None
    if province is None or ocop.province(province) is None:
        return {"ready": False, "text": _("Choose the province to see the delivery fee and the total.")}
    try:
        quoted = quote(view.items, province, location_id, view.combo_items, hotel, bool(form.gift_wrap.data))
    except CheckoutError:
        return {"ready": False, "text": _("The total is shown at the next step.")}
    delivery = sum(part.delivery_vnd for part in quoted.parts)
    parts = [_("Delivery: %(fee)s", fee=vnd(delivery)) if delivery else _("Delivery: free")]
    if quoted.wrap_vnd:
        parts.append(_("Gift wrapping: %(fee)s", fee=vnd(quoted.wrap_vnd)))
    parts.append(_("Total: %(total)s", total=vnd(quoted.total_vnd)))
    return {"ready": True, "delivery_vnd": delivery, "wrap_vnd": quoted.wrap_vnd, "total_vnd": quoted.total_vnd,
            "text": " · ".join(parts)}


def _vat_preview(quoted, form) -> list[tuple]:
    """Before the order is placed: per producer, its goods and why they would not qualify for the VAT refund."""
    if not form.vat_refund.data:
        return []
    goods: dict[int, list] = {}
    for part in quoted.parts:
        goods.setdefault(part.seller.id, [part.seller, 0])[1] += part.goods_vnd
    return [(seller, total, services.vat_refund_problems(total, ocop.today(), form.departure_date.data))
            for seller, total in goods.values()]


def _pickup_points(view) -> list:
    """Where the cart can be collected: an open point holding every unit it asks for; a gift box packed at
    a point is collected there, so such a cart has at most that one point."""
    points = points_for_pickup(view.units_wanted())
    packed_at = {line.offer.point.id for line in view.combos if line.offer is not None and line.offer.point}
    return [point for point in points if packed_at <= {point.id}]


def _pay_by_card(order):
    """Off to Stripe's page; back to the order page if Stripe cannot be reached (it offers to try again)."""
    checkout = payments.card_checkout(order)
    if checkout is None:
        flash(_("The card payment could not start. Please try again in a moment."), "error")
        return redirect(services.order_url(order), code=303)
    return redirect(checkout, code=303)


@bp.get("/orders/<number>")
def order(number: str):
    found = services.find_order(number, request.args.get("token"))
    if found is None:
        abort(404)
    transfer = None
    if found.payment_method == "vietqr" and services.awaiting_payment(found):
        transfer = {"svg": payments.vietqr_svg(found), "reference": payments.transfer_reference(found),
                    "config": current_app.config}
    return render_template("orders/order.html", order=found, transfer=transfer, history=services.history(found),
                           awaiting_payment=services.awaiting_payment(found), back_from_card="paid" in request.args,
                           may_cancel=services.buyer_may_cancel(found), vat_claims=services.vat_refund_claims(found),
                           pickup_point=point_at(found.pickup_location_id))


@bp.get("/seller/orders/<int:part_id>/slip")
@roles_required("seller")
def seller_packing_slip(part_id: int):
    part = services.seller_part(current_user.seller_id, part_id)
    if part is None or part.at_point:
        abort(404)  # another seller's part does not exist; a point's part is the point's to pack
    return render_template("orders/packing_slip.html", part=part, order=part.order)


@bp.post("/orders/<number>/pay")
def pay(number: str):
    found = services.find_order(number, request.form.get("token"))
    if found is None:
        abort(404)
    if found.payment_method != "card" or not services.awaiting_payment(found):
        return redirect(services.order_url(found), code=303)
    return _pay_by_card(found)


def _pdf(order, part):
    body = invoice.sales_receipt(order, part)
    response = current_app.response_class(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="receipt-{order.number}-{part.id}.pdf"'
    return response


@bp.get("/orders/<number>/parts/<int:part_id>/receipt.pdf")
def receipt(number: str, part_id: int):
    """The buyer's sales receipt for one producer's part (the order's secret link opens it)."""
    found = services.find_order(number, request.args.get("token"))
    part = next((p for p in found.parts if p.id == part_id), None) if found is not None else None
    if part is None or part.state == "cancelled":  # nothing was sold
        abort(404)
    return _pdf(found, part)


@bp.post("/orders/<number>/cancel")
def cancel(number: str):
    found = services.find_order(number, request.form.get("token"))
    if found is None:
        abort(404)
    try:
        run(services.cancel_by_buyer, found)
    except Refused:
        flash(_("A producer has already confirmed it: contact them to cancel."), "error")
    else:
        payments.close_card_payment(found)
        flash(_("Your order is cancelled."), "success")
    return redirect(url_for("orders.order", number=number, token=found.access_token), code=303)


@bp.get("/account/orders")
@roles_required("shopper", "seller", "office", "staff")
def my_orders():
    return render_template("orders/my_orders.html", orders=services.orders_of(current_user.id))


# --- The seller's orders --------------------------------------------------------------------------

@bp.get("/seller/orders")
@roles_required("seller")
def seller_orders():
    parts = services.seller_parts(current_user.seller_id)
    return render_template("orders/seller_orders.html", parts=parts, allowed=services.allowed_actions,
                           histories=services.part_histories(parts), ship_form=ShipForm(formdata=None))


@bp.get("/seller/orders/<int:part_id>/receipt.pdf")
@roles_required("seller")
def seller_receipt(part_id: int):
    part = services.seller_part(current_user.seller_id, part_id)
    if part is None or part.state == "cancelled":
        abort(404)
    return _pdf(part.order, part)


@bp.post("/seller/orders/<int:part_id>")
@roles_required("seller")
def seller_order_action(part_id: int):
    part = services.seller_part(current_user.seller_id, part_id)
    if part is None:
        abort(404)
    action, shipment = request.form.get("action", ""), {}
    if action == "ship":  # the carrier and the number the buyer will follow the parcel by
        form = ShipForm()
        if not form.validate():
            flash(_("Choose the carrier and type the tracking number: %(problem)s",
                    problem=" ".join(str(error) for errors in form.errors.values() for error in errors)), "error")
            return redirect(url_for("orders.seller_orders"), code=303)
        shipment = {"carrier": form.carrier.data, "tracking_no": form.tracking_no.data}
    reason = None
    if action == "cancel":  # the buyer reads why: one line, checked like every form
        cancel_form = SellerCancelForm()
        if not cancel_form.validate():
            flash(_("Say why you cancel: the buyer reads it."), "error")
            return redirect(url_for("orders.seller_orders"), code=303)
        reason = " ".join(cancel_form.reason.data.split())
    try:
        run(services.move, part, action, actor_id=current_user.id, reason=reason, **shipment)
        flash(_("Saved. The buyer is told by email."), "success")
    except (Refused, stock.StockError, services.ShipmentMissing):
        flash(_("This order cannot be changed that way now."), "error")
    return redirect(url_for("orders.seller_orders"), code=303)


# --- What the card company tells ------------------------------------------------------------------

@bp.post("/payments/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    """Stripe's webhook: the body is checked against its signature before anything else."""
    try:
        outcome = run(payments.handle_stripe_event, request.get_data(), request.headers.get("Stripe-Signature"))
    except (ValueError, stripe.SignatureVerificationError):
        return json_error(400, "bad_signature", "The Stripe-Signature header does not match the body.")
    except IntegrityError:  # the same event, stored by a simultaneous delivery
        outcome = "duplicate"
    return jsonify({"outcome": outcome}), 200
