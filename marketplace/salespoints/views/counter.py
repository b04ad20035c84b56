"""The counter: a clerk's day at one point (the till, receipts, returns and voids, pickups of online orders).
Staff reach only their own point: any other id is 404. Every change runs as one unit of work."""
from __future__ import annotations

import unicodedata

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ... import ocop
from ...accounts.services import roles_required
from ...catalog.services import listings_by_ids
from ...forms import submitted_key, whole_number
from ...i18n import vnd
from ...inventory import services as stock
from ...orders import services as order_services
from ...orders.checkout import available_methods
from ...payments import vietqr
from ...qr import qr_svg
from ...transitions import Refused
from ...unit_of_work import run, run_once
from .. import reports, services
from ..forms import PayForm, ReasonForm, ScanForm, TillLineForm
from ..models import COUNTER_PAYMENTS, CounterReturn, CounterSale
from ..till import Till
from .common import PROBLEMS, REFUSALS, bp, problem, staff_of_point


@bp.get("/counter/")
@roles_required("staff")
def counter_home():
    member = services.membership(current_user)
    if member is None:
        abort(404)
    return redirect(url_for("salespoints.counter", point_id=member.sales_point_id))


@bp.get("/counter/<int:point_id>/")
@staff_of_point
def counter(point):
    low = [row for row in reports.stock_report(point.location_id) if row.low and row.on_sale]
    today = reports.sales_report([point.id], ocop.today(), ocop.today())
    return render_template("salespoints/counter.html", point=point, low=low, today=today,
                           manager=services.is_manager(current_user, point))


# --- The till -------------------------------------------------------------------------------------------

def _back_to_till(point):
    return redirect(url_for("salespoints.till", point_id=point.id), code=303)


@bp.get("/counter/<int:point_id>/sell")
@staff_of_point
def till(point):
    counter = Till(point)
    lines, total, combo_lines = services.till_lines(point, counter.items, counter.combos)
    qr = None
    if total and "vietqr" in available_methods():
        note = counter.transfer_note()
        qr = {"svg": qr_svg(vietqr.to_operator(total, note), note), "reference": note}
    return render_template("salespoints/till.html", point=point, lines=lines, total=total, scan=ScanForm(),
                           pay=PayForm(), qr=qr, matches=listings_by_ids(Till.take_matches()),
                           labels=COUNTER_PAYMENTS, combo_lines=combo_lines,
                           point_combos=services.point_combos(point).values())


@bp.post("/counter/<int:point_id>/sell")
@staff_of_point
def till_add(point):
    form = ScanForm()
    if not form.validate_on_submit():
        flash(_("Scan a barcode or type a few letters of the name."), "error")
        return _back_to_till(point)
    found = services.find_on_shelf(point, form.code.data)
    if len(found) == 1:
        Till(point).add(found[0].listing.product.id, form.quantity.data or 1)
    elif not found:
        flash(_("Nothing on this shelf matches “%(code)s”.", code=form.code.data), "error")
    else:
        Till.remember_matches([item.listing.product.id for item in found])
    return _back_to_till(point)


@bp.post("/counter/<int:point_id>/sell/pick")
@staff_of_point
def till_pick(point):
    """One of the names found by a search goes on the till."""
    product_id = whole_number(request.form.get("product_id"))
    if product_id is None or not services.shelf_items(point, [product_id]):
        abort(404)
    Till(point).add(product_id, 1)
    return _back_to_till(point)


@bp.post("/counter/<int:point_id>/sell/combo")
@staff_of_point
def till_combo(point):
    """One box of one of the point's gift combos goes on the till."""
    combo_id = whole_number(request.form.get("combo_id"))
    if combo_id is None or combo_id not in services.point_combos(point, [combo_id]):
        abort(404)
    Till(point).add(combo_id, 1, combo=True)
    return _back_to_till(point)


@bp.post("/counter/<int:point_id>/sell/line")
@staff_of_point
def till_line(point):
    form = TillLineForm()
    if form.validate_on_submit():
        Till(point).set(form.product_id.data, form.quantity.data or 0, combo=form.combo.data == "1")
    return _back_to_till(point)


@bp.post("/counter/<int:point_id>/sell/clear")
@staff_of_point
def till_clear(point):
    Till(point).clear()
    return _back_to_till(point)


@bp.post("/counter/<int:point_id>/sell/pay")
@staff_of_point
def till_pay(point):
    form = PayForm()
    if not form.validate_on_submit() or (form.payment.data == "vietqr" and "vietqr" not in available_methods()):
        flash(_("Choose how the customer pays."), "error")
        return _back_to_till(point)
    counter = Till(point)
    note = counter.transfer_note(create=False) if form.payment.data == "vietqr" else None
    try:
        sale, _fresh = run_once(CounterSale, submitted_key(form.client_key.data or ""), services.complete_sale,
                                point, current_user, counter.items, form.payment.data, seen_total=form.seen(),
                                cash_given_vnd=form.cash_given.data, payment_reference=note, boxes=counter.combos)
    except REFUSALS as error:
        flash(problem(error), "error")
        return _back_to_till(point)
    counter.clear()
    return redirect(url_for("salespoints.sale", point_id=point.id, sale_id=sale.id), code=303)


# --- Receipts, returns and voids -------------------------------------------------------------------------

@bp.get("/counter/<int:point_id>/sales")
@staff_of_point
def sales(point):
    return render_template("salespoints/sales.html", point=point, sales=services.sales_of(point, limit=200),
                           labels=COUNTER_PAYMENTS)


def _sale_or_404(point, sale_id: int):
    found = services.sale_at(point, sale_id)
    if found is None:
        abort(404)
    return found


@bp.get("/counter/<int:point_id>/sales/<int:sale_id>")
@staff_of_point
def sale(point, sale_id: int):
    found = _sale_or_404(point, sale_id)
    return render_template("salespoints/sale.html", point=point, sale=found, reason=ReasonForm(),
                           manager=services.is_manager(current_user, point), labels=COUNTER_PAYMENTS)


@bp.get("/counter/<int:point_id>/sales/<int:sale_id>/print")
@staff_of_point
def receipt_print(point, sale_id: int):
    found = _sale_or_404(point, sale_id)
    # Composed letters only: a thermal printer's font draws a combining mark beside its letter ("mâũ"), and a
    # name saved before texts were normalised may still hold one.
    return unicodedata.normalize("NFC", render_template("salespoints/receipt_80mm.html", point=point, sale=found,
                                                         labels=COUNTER_PAYMENTS))


@bp.post("/counter/<int:point_id>/sales/<int:sale_id>/return")
@staff_of_point
def sale_return(point, sale_id: int):
    found = _sale_or_404(point, sale_id)
    quantities = {}
    for line in found.lines:
        value = whole_number(request.form.get(f"qty-{line.id}", "0").strip() or "0", most=100000)
        if value is None:
            flash(str(PROBLEMS["too_many"]), "error")
            return redirect(url_for("salespoints.sale", point_id=point.id, sale_id=found.id), code=303)
        quantities[line.id] = value
    try:
        back, _fresh = run_once(CounterReturn, submitted_key(), services.return_goods, found, current_user,
                                quantities, request.form.get("reason", ""))
    except REFUSALS as error:
        flash(problem(error), "error")
    else:
        flash(_("Returned. Give back %(amount)s.", amount=vnd(back.refund_vnd)), "success")
    return redirect(url_for("salespoints.sale", point_id=point.id, sale_id=found.id), code=303)


@bp.post("/counter/<int:point_id>/sales/<int:sale_id>/void")
@staff_of_point
def sale_void(point, sale_id: int):
    found = _sale_or_404(point, sale_id)
    if not services.is_manager(current_user, point):
        abort(403)
    try:
        run(services.void_sale, found, current_user, request.form.get("reason", ""))
    except REFUSALS as error:
        flash(problem(error), "error")
    else:
        flash(_("The sale is voided; its goods are back on the shelf."), "success")
    return redirect(url_for("salespoints.sale", point_id=point.id, sale_id=found.id), code=303)


# --- Online orders collected here ------------------------------------------------------------------

@bp.get("/counter/<int:point_id>/pickups")
@staff_of_point
def pickups(point):
    return render_template("salespoints/pickups.html", point=point,
                           parts=order_services.pickup_parts(point.location_id), allowed=order_services.allowed_actions)


@bp.get("/counter/<int:point_id>/pickups/<int:part_id>/slip")
@staff_of_point
def packing_slip(point, part_id: int):
    part = order_services.pickup_part(point.location_id, part_id)
    if part is None:
        abort(404)
    return render_template("orders/packing_slip.html", part=part, order=part.order)


@bp.post("/counter/<int:point_id>/pickups/<int:part_id>")
@staff_of_point
def pickup_action(point, part_id: int):
    part = order_services.pickup_part(point.location_id, part_id)
    if part is None:
        abort(404)
    try:
        run(order_services.move, part, request.form.get("action", ""), actor_id=current_user.id, by="point")
        flash(_("Saved. The buyer is told by email."), "success")
    except (Refused, stock.StockError):
        flash(_("This order cannot be changed that way now."), "error")
    return redirect(url_for("salespoints.pickups", point_id=point.id), code=303)
