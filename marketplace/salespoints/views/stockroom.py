"""The stockroom of a point: receiving a seller's delivery, the shelf and its reorder levels, transfers
between points (and from sellers' warehouses), stock counts."""
from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...forms import submitted_key, whole_number
from ...inventory.models import SalesPoint
from ...inventory.queries import open_points
from ...sellers.models import Seller
from ...unit_of_work import run, run_once
from .. import counts, services, transfers
from ..forms import SellerLookupForm
from ..models import GoodsReceipt, StockTransfer
from .common import PROBLEMS, REFUSALS, bp, problem, staff_of_point

# --- Receiving a seller's delivery --------------------------------------------------------------------

@bp.route("/counter/<int:point_id>/receive", methods=["GET", "POST"])
@staff_of_point
def receive(point):
    lookup = SellerLookupForm(request.args, meta={"csrf": False})
    sellers = services.find_sellers(lookup.seller.data) if lookup.seller.data else []
    seller = None
    if (seller_id := whole_number(request.args.get("seller_id"))) is not None:
        seller = db.session.get(Seller, seller_id)
        if seller is None or seller.verification_status != "verified":
            abort(404)
    products = services.sellers_products_for_sale(seller.id) if seller else []
    errors: list[str] = []
    if request.method == "POST" and seller is not None:
        lines, errors = _receipt_lines(products)
        if not errors:
            try:
                receipt, _fresh = run_once(GoodsReceipt, submitted_key(), services.receive_goods, point,
                                           current_user, seller.id, lines,
                                           note=(request.form.get("note") or "").strip() or None)
            except REFUSALS as error:
                errors = [problem(error)]
            else:
                flash(_("Received %(number)s: %(count)d line(s) are on the shelf.", number=receipt.number,
                        count=len(receipt.lines)), "success")
                return redirect(url_for("salespoints.receive", point_id=point.id), code=303)
    status = 422 if errors else 200
    return render_template("salespoints/receive.html", point=point, lookup=lookup, sellers=sellers, seller=seller,
                           products=products, errors=errors, receipts=services.receipts_of(point, limit=10),
                           form_values=request.form), status


def _receipt_lines(products) -> tuple[list[services.ReceiptLine], list[str]]:
    lines, errors = [], []
    for listing in products:
        pid = listing.product.id
        raw = (request.form.get(f"qty-{pid}") or "").strip()
        if not raw:
            continue
        if not (whole_number(raw, most=100000) or 0) >= 1:
            errors.append(_("%(name)s: the quantity must be a whole number from 1.", name=listing.product.name))
            continue
        best_before = None
        if (raw_date := (request.form.get(f"best-{pid}") or "").strip()):
            try:
                best_before = dt.date.fromisoformat(raw_date)
            except ValueError:
                errors.append(_("%(name)s: the best-before date is not a date.", name=listing.product.name))
                continue
        batch = (request.form.get(f"batch-{pid}") or "").strip()[:60] or None
        lines.append(services.ReceiptLine(pid, int(raw), batch, best_before))
    if not lines and not errors:
        errors.append(str(PROBLEMS["empty"]))
    return lines, errors


@bp.route("/counter/<int:point_id>/stock", methods=["GET", "POST"])
@staff_of_point
def shelf(point):
    items = services.shelf(point, only_in_stock=False)
    if request.method == "POST":
        if not services.is_manager(current_user, point):
            abort(403)
        levels = _quantities("reorder", [item.listing.product.id for item in items])
        if levels is None:
            flash(_("Reorder levels are whole numbers from 0."), "error")
        else:
            run(services.set_reorder_levels, point, levels)
            flash(_("Saved."), "success")
        return redirect(url_for("salespoints.shelf", point_id=point.id), code=303)
    return render_template("salespoints/shelf.html", point=point, items=items)


# --- Transfers between points (and arriving from sellers' warehouses) --------------------------------

def _quantities(prefix: str, ids) -> dict[int, int] | None:
    """{id: quantity} from fields named prefix-<id>; blank is 0; None when one is not a whole number."""
    found = {}
    for item_id in ids:
        value = whole_number((request.form.get(f"{prefix}-{item_id}") or "").strip() or "0", most=100000)
        if value is None:
            return None
        found[item_id] = value
    return found


def send_transfer(from_location_id: int, product_ids: list[int]):
    """The send form (destination `to`, quantities `qty-<product id>`, note) of a point or a seller's
    warehouse; answers the transfer, or None after flashing why nothing was sent."""
    destination = db.session.get(SalesPoint, to) if (to := whole_number(request.form.get("to"))) is not None else None
    quantities = _quantities("qty", product_ids)
    if destination is None or quantities is None:
        flash(str(PROBLEMS["bad_destination"] if destination is None else PROBLEMS["too_many"]), "error")
        return None
    try:
        sent, _fresh = run_once(StockTransfer, submitted_key(), transfers.send, from_location_id, destination,
                                current_user, quantities, note=(request.form.get("note") or "").strip() or None)
    except REFUSALS as error:
        flash(problem(error), "error")
        return None
    flash(_("Sent %(number)s. It is in transit until %(point)s receives it.", number=sent.number,
            point=destination.name), "success")
    return sent


@bp.route("/counter/<int:point_id>/transfers", methods=["GET", "POST"])
@staff_of_point
def point_transfers(point):
    items = services.shelf(point)
    if request.method == "POST":
        sent = send_transfer(point.location_id, [item.listing.product.id for item in items])
        if sent is not None:
            return redirect(url_for("salespoints.point_transfer", point_id=point.id, transfer_id=sent.id), code=303)
    others = [p for p in open_points() if p.id != point.id]
    return render_template("salespoints/transfers.html", point=point, items=items, others=others,
                           transfers=transfers.transfers_touching(point.location_id),
                           in_transit=transfers.in_transit(point.location_id))


@bp.route("/counter/<int:point_id>/transfers/<int:transfer_id>", methods=["GET", "POST"])
@staff_of_point
def point_transfer(point, transfer_id: int):
    transfer = transfers.transfer_touching(point.location_id, transfer_id)
    if transfer is None:
        abort(404)
    if request.method == "POST":
        if transfer.to_location_id != point.location_id:
            abort(404)
        received = _quantities("got", [line.id for line in transfer.lines])
        try:
            if received is None:
                raise services.PointError("too_many")
            run(transfers.receive, transfer, current_user, received)
        except REFUSALS as error:
            flash(problem(error), "error")
        else:
            flash(_("Received. What arrived is on the shelf; any shortfall stays on the transfer."), "success")
        return redirect(url_for("salespoints.point_transfer", point_id=point.id, transfer_id=transfer.id), code=303)
    return render_template("salespoints/transfer.html", point=point, transfer=transfer,
                           arriving=transfer.to_location_id == point.location_id)


# --- Stock counts ---------------------------------------------------------------------------------------

@bp.route("/counter/<int:point_id>/counts", methods=["GET", "POST"])
@staff_of_point
def point_counts(point):
    if request.method == "POST":
        try:
            count = run(counts.start, point, current_user)
        except REFUSALS as error:
            flash(problem(error), "error")
            return redirect(url_for("salespoints.point_counts", point_id=point.id), code=303)
        return redirect(url_for("salespoints.point_count", point_id=point.id, count_id=count.id), code=303)
    return render_template("salespoints/counts.html", point=point, counts=counts.counts_of(point),
                           open_count=counts.open_count(point))


@bp.route("/counter/<int:point_id>/counts/<int:count_id>", methods=["GET", "POST"])
@staff_of_point
def point_count(point, count_id: int):
    count = counts.count_at(point, count_id)
    if count is None:
        abort(404)
    manager = services.is_manager(current_user, point)
    if request.method == "POST":
        action = request.form.get("action", "save")
        try:
            if action in ("save", "submit"):
                entered = {}
                for line in count.lines:
                    raw = (request.form.get(f"seen-{line.id}") or "").strip()
                    if raw and whole_number(raw, most=1_000_000) is None:
                        raise services.PointError("bad_count")
                    entered[line.id] = whole_number(raw, most=1_000_000) if raw else None
                run(counts.record, count, entered, current_user)  # kept even when the submit is refused
                if action == "submit":
                    run(counts.submit, count, current_user)
            elif action in ("approve", "cancel") and manager:
                run(counts.approve if action == "approve" else counts.cancel, count, current_user)
            else:
                abort(403)
        except REFUSALS as error:
            flash(problem(error), "error")
        else:
            flash(_("Saved."), "success")
        return redirect(url_for("salespoints.point_count", point_id=point.id, count_id=count.id), code=303)
    return render_template("salespoints/count.html", point=point, count=count, manager=manager)
