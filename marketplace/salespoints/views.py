"""Sales points: the staff's counter (sell, receive, returns, shelf), the office's management of points
and staff, and the public pages of each point. Staff reach only their own point: any other id is 404.
Every change runs as one unit of work (`run`): committed whole, or rolled back whole and told."""
from __future__ import annotations

import datetime as dt
import secrets
from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from .. import ocop
from ..accounts.services import AccountError, roles_required
from ..catalog.services import listings_by_ids
from ..exports import FORMATS, table_response
from ..extensions import db
from ..forms import submitted_key, whole_number
from ..i18n import vnd
from ..inventory import services as stock
from ..inventory.models import SalesPoint
from ..inventory.queries import open_points
from ..orders import services as order_services
from ..orders.services import available_methods
from ..payments import vietqr
from ..products.models import Product
from ..qr import qr_svg
from ..scope import in_scope
from ..sellers.models import Seller
from ..transitions import Refused
from ..unit_of_work import run, run_once
from . import counts, reports, services, transfers
from .forms import PayForm, PointForm, ReasonForm, ScanForm, SellerLookupForm, StaffForm, TillLineForm
from .models import COUNTER_PAYMENTS, CounterReturn, CounterSale, GoodsReceipt, SalesPointStaff, StockTransfer

bp = Blueprint("salespoints", __name__)


@bp.context_processor
def counter_helpers():
    return {"is_manager_of": lambda point: services.is_manager(current_user, point)}

PROBLEMS = {
    "empty": _l("Nothing to record yet."),
    "not_for_sale": _l("Some products are not on sale (no OCOP recognition in force): %(names)s."),
    "out_of_stock": _l("Not enough on the shelf: %(names)s. Check the quantity."),
    "cash_short": _l("The cash received is less than the total."),
    "price_changed": _l("A price changed since this till was shown: the total is now %(total)s. Tell the customer, "
                        "then record the sale again."),
    "no_reason": _l("Give a reason."),
    "voided": _l("This sale was voided."),
    "nothing": _l("Choose what is brought back."),
    "too_many": _l("More than was sold on this receipt (less what came back already)."),
    "not_voidable": _l("Only a sale with nothing returned yet can be voided."),
    "bad_destination": _l("Choose another open sales point."),
    "already_received": _l("This transfer was received already."),
    "count_open": _l("A count of this point is already open: finish it first."),
    "count_closed": _l("This count is closed."),
    "bad_count": _l("Counts are whole numbers from 0."),
    "uncounted": _l("Some lines have no number yet: enter 0 for what is not there."),
    "held": _l("A count cannot take the shelf below what is held for pickup orders."),
}


# What refuses a document: the services name their refusals (PointError); a refused transition or a
# stock refusal they did not name means someone acted first.
REFUSALS = (services.PointError, Refused, stock.StockError)
UNNAMED = {services.SALE.name: "not_voidable", counts.COUNT.name: "count_closed",
           transfers.TRANSFER.name: "already_received"}


def _problem(error: Exception) -> str:
    if isinstance(error, Refused):
        error = services.PointError(UNNAMED[error.machine])
    elif not isinstance(error, services.PointError):
        error = services.PointError("out_of_stock", [getattr(error, "product_id", None)])
    names = ", ".join(product.name for product in db.session.scalars(
        db.select(Product).where(Product.id.in_([i for i in error.items if isinstance(i, int)]))))
    message = str(PROBLEMS[error.code])
    if error.code == "price_changed":
        return message % {"total": vnd(error.items[0])}
    return message % {"names": names} if "%(names)s" in message else message


# --- The counter (staff of one point) ------------------------------------------------------------------

def staff_of_point(view):
    """The point in the URL must be the signed-in staff member's own; otherwise 404, whatever the id."""
    @wraps(view)
    @roles_required("staff")
    def wrapped(point_id: int, **kwargs):
        point = services.point_of(current_user, point_id)
        if point is None:
            abort(404)
        return view(point, **kwargs)
    return wrapped


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


# The till: lines in the session of this browser, per point, until the sale is recorded.

def _till_key(point) -> str:
    return f"till-{point.id}"


def _till(point) -> dict[int, int]:
    return {int(k): v for k, v in session.get(_till_key(point), {}).items()}


def _store_till(point, items: dict[int, int]) -> None:
    session[_till_key(point)] = {str(k): v for k, v in items.items()}


def _till_view(point):
    items = _till(point)
    listings = {listing.product.id: listing for listing in listings_by_ids(list(items))}
    levels = stock.levels_of(point.location_id, list(items))
    lines = [{"product_id": pid, "quantity": qty, "listing": listings.get(pid),
              "available": levels[pid].available if pid in levels else 0,
              "subtotal": listings[pid].product.price_vnd * qty if pid in listings else 0}
             for pid, qty in items.items()]
    return lines, sum(line["subtotal"] for line in lines)


def _reference(point) -> str:
    """The transfer note of this till's VietQR: one per sale being rung up."""
    key = f"till-ref-{point.id}"
    if key not in session:
        session[key] = f"OCOP {point.code} {secrets.token_hex(3).upper()}"
    return session[key]


@bp.get("/counter/<int:point_id>/sell")
@staff_of_point
def till(point):
    lines, total = _till_view(point)
    qr = None
    if total and "vietqr" in available_methods():
        payload = vietqr.to_operator(total, _reference(point))
        qr = {"svg": qr_svg(payload, _reference(point)), "reference": _reference(point)}
    return render_template("salespoints/till.html", point=point, lines=lines, total=total, scan=ScanForm(),
                           pay=PayForm(), qr=qr, matches=listings_by_ids(session.pop("till-matches", [])),
                           labels=COUNTER_PAYMENTS)


@bp.post("/counter/<int:point_id>/sell")
@staff_of_point
def till_add(point):
    form = ScanForm()
    if not form.validate_on_submit():
        flash(_("Scan a barcode or type a few letters of the name."), "error")
        return redirect(url_for("salespoints.till", point_id=point.id), code=303)
    found = services.find_on_shelf(point, form.code.data)
    if len(found) == 1:
        return _add_to_till(point, found[0].listing.product.id, form.quantity.data or 1)
    if not found:
        flash(_("Nothing on this shelf matches “%(code)s”.", code=form.code.data), "error")
    else:
        session["till-matches"] = [item.listing.product.id for item in found]
    return redirect(url_for("salespoints.till", point_id=point.id), code=303)


def _add_to_till(point, product_id: int, quantity: int):
    items = _till(point)
    items[product_id] = items.get(product_id, 0) + quantity
    _store_till(point, items)
    return redirect(url_for("salespoints.till", point_id=point.id), code=303)


@bp.post("/counter/<int:point_id>/sell/pick")
@staff_of_point
def till_pick(point):
    """One of the names found by a search goes on the till."""
    product_id = whole_number(request.form.get("product_id"))
    if product_id is None or not services.shelf_items(point, [product_id]):
        abort(404)
    return _add_to_till(point, product_id, 1)


@bp.post("/counter/<int:point_id>/sell/line")
@staff_of_point
def till_line(point):
    form = TillLineForm()
    if form.validate_on_submit():
        items = _till(point)
        if form.quantity.data:
            items[form.product_id.data] = form.quantity.data
        else:
            items.pop(form.product_id.data, None)
        _store_till(point, items)
    return redirect(url_for("salespoints.till", point_id=point.id), code=303)


@bp.post("/counter/<int:point_id>/sell/clear")
@staff_of_point
def till_clear(point):
    session.pop(_till_key(point), None)
    session.pop(f"till-ref-{point.id}", None)
    return redirect(url_for("salespoints.till", point_id=point.id), code=303)


@bp.post("/counter/<int:point_id>/sell/pay")
@staff_of_point
def till_pay(point):
    form = PayForm()
    if not form.validate_on_submit() or (form.payment.data == "vietqr" and "vietqr" not in available_methods()):
        flash(_("Choose how the customer pays."), "error")
        return redirect(url_for("salespoints.till", point_id=point.id), code=303)
    reference = session.get(f"till-ref-{point.id}") if form.payment.data == "vietqr" else None
    try:
        sale, _fresh = run_once(CounterSale, submitted_key(form.client_key.data or ""), services.complete_sale,
                                point, current_user, _till(point), form.payment.data, seen_total=form.seen(),
                                cash_given_vnd=form.cash_given.data, payment_reference=reference)
    except REFUSALS as error:
        flash(_problem(error), "error")
        return redirect(url_for("salespoints.till", point_id=point.id), code=303)
    session.pop(_till_key(point), None)
    session.pop(f"till-ref-{point.id}", None)
    return redirect(url_for("salespoints.sale", point_id=point.id, sale_id=sale.id), code=303)


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
    return render_template("salespoints/receipt_80mm.html", point=point, sale=found, labels=COUNTER_PAYMENTS)


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
        flash(_problem(error), "error")
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
        flash(_problem(error), "error")
    else:
        flash(_("The sale is voided; its goods are back on the shelf."), "success")
    return redirect(url_for("salespoints.sale", point_id=point.id, sale_id=found.id), code=303)


# Online orders collected here

@bp.get("/counter/<int:point_id>/pickups")
@staff_of_point
def pickups(point):
    return render_template("salespoints/pickups.html", point=point,
                           parts=order_services.pickup_parts(point.location_id), allowed=order_services.allowed_actions)


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


# Receiving a seller's delivery

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
                errors = [_problem(error)]
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
            if best_before < ocop.today():
                errors.append(_("%(name)s: already past its best-before date.", name=listing.product.name))
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


# Transfers between points (and arriving from sellers' warehouses)

def _quantities(prefix: str, ids) -> dict[int, int] | None:
    """{id: quantity} from fields named prefix-<id>; blank is 0; None when one is not a whole number."""
    found = {}
    for item_id in ids:
        value = whole_number((request.form.get(f"{prefix}-{item_id}") or "").strip() or "0", most=100000)
        if value is None:
            return None
        found[item_id] = value
    return found


def _send_transfer(from_location_id: int, product_ids: list[int]):
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
        flash(_problem(error), "error")
        return None
    flash(_("Sent %(number)s. It is in transit until %(point)s receives it.", number=sent.number,
            point=destination.name), "success")
    return sent


@bp.route("/counter/<int:point_id>/transfers", methods=["GET", "POST"])
@staff_of_point
def point_transfers(point):
    items = services.shelf(point)
    if request.method == "POST":
        sent = _send_transfer(point.location_id, [item.listing.product.id for item in items])
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
            flash(_problem(error), "error")
        else:
            flash(_("Received. What arrived is on the shelf; any shortfall stays on the transfer."), "success")
        return redirect(url_for("salespoints.point_transfer", point_id=point.id, transfer_id=transfer.id), code=303)
    return render_template("salespoints/transfer.html", point=point, transfer=transfer,
                           arriving=transfer.to_location_id == point.location_id)


# Stock counts

@bp.route("/counter/<int:point_id>/counts", methods=["GET", "POST"])
@staff_of_point
def point_counts(point):
    if request.method == "POST":
        try:
            count = run(counts.start, point, current_user)
        except REFUSALS as error:
            flash(_problem(error), "error")
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
            flash(_problem(error), "error")
        else:
            flash(_("Saved."), "success")
        return redirect(url_for("salespoints.point_count", point_id=point.id, count_id=count.id), code=303)
    return render_template("salespoints/count.html", point=point, count=count, manager=manager)


# Reports: for the point's manager and for the office

PERIODS = (7, 30, 90)


def _period() -> tuple[int, dt.date, dt.date]:
    days = whole_number(request.args.get("days"), most=3660) or 30
    days = days if days in PERIODS else 30
    until = ocop.today()
    return days, until - dt.timedelta(days=days - 1), until


def _report_page(point, endpoint: str):
    days, since, until = _period()
    return render_template("salespoints/reports.html", point=point, days=days, periods=PERIODS, endpoint=endpoint,
                           sales=reports.sales_report([point.id], since, until),
                           pickups=reports.pickups_handed_over(point.location_id, since, until),
                           stock=reports.stock_report(point.location_id), labels=COUNTER_PAYMENTS)


def _report_download(point, what: str, fmt: str):
    if what not in ("sales", "stock") or fmt not in FORMATS:
        abort(404)
    _days, since, until = _period()
    if what == "sales":
        rows = reports.sales_rows(reports.sales_report([point.id], since, until))
        name = f"ocop-{point.code}-sales-{since.isoformat()}-{until.isoformat()}"
    else:
        rows = reports.stock_rows(reports.stock_report(point.location_id))
        name = f"ocop-{point.code}-stock-{until.isoformat()}"
    return table_response(rows, name, fmt)


@bp.get("/counter/<int:point_id>/reports")
@staff_of_point
def point_reports(point):
    if not services.is_manager(current_user, point):
        abort(403)
    return _report_page(point, "salespoints.point_report_download")


@bp.get("/counter/<int:point_id>/reports/<what>.<fmt>")
@staff_of_point
def point_report_download(point, what: str, fmt: str):
    if not services.is_manager(current_user, point):
        abort(403)
    return _report_download(point, what, fmt)


@bp.get("/office/points/<int:point_id>/reports")
@roles_required("office")
def office_point_reports(point_id: int):
    return _report_page(_managed_point(point_id), "salespoints.office_point_report_download")


@bp.get("/office/points/<int:point_id>/reports/<what>.<fmt>")
@roles_required("office")
def office_point_report_download(point_id: int, what: str, fmt: str):
    return _report_download(_managed_point(point_id), what, fmt)


# --- A seller's goods at the points -----------------------------------------------------------------------

@bp.route("/seller/points", methods=["GET", "POST"])
@roles_required("seller")
def seller_points():
    seller = db.session.get(Seller, current_user.seller_id)
    warehouse = stock.warehouse_of(seller)
    products = services.sellers_products_for_sale(seller.id)
    levels = stock.levels_of(warehouse.id)
    if request.method == "POST" and _send_transfer(warehouse.id, [listing.product.id for listing in products]):
        return redirect(url_for("salespoints.seller_points"), code=303)
    since, until = ocop.today() - dt.timedelta(days=29), ocop.today()
    return render_template("salespoints/seller_points.html", holdings=reports.seller_points(seller.id),
                           sales=reports.sales_report(None, since, until, seller_id=seller.id),
                           points=open_points(), products=products, levels=levels,
                           sent=transfers.transfers_touching(warehouse.id, limit=20))


# --- The office: points and their staff ----------------------------------------------------------------

def _managed_point(point_id: int) -> SalesPoint:
    point = db.session.get(SalesPoint, point_id)
    if point is None or not in_scope(current_user, point):
        abort(404)
    return point


@bp.route("/office/points", methods=["GET", "POST"])
@roles_required("office")
def office_points():
    form = PointForm()
    if request.method == "GET" and current_user.province_code:
        form.province.data = current_user.province_code
    if form.validate_on_submit():
        try:
            point = run(services.create_point, current_user, form.values())
        except PermissionError:
            form.province.errors.append(_("You manage the points of your own province only."))
        except IntegrityError:  # the code is taken
            form.code.errors.append(_("Another point already has this code."))
        else:
            flash(_("The sales point is created. Add its staff below."), "success")
            return redirect(url_for("salespoints.office_point", point_id=point.id), code=303)
    status = 422 if form.errors else 200
    return render_template("salespoints/office_points.html", points=services.points_managed_by(current_user),
                           form=form), status


@bp.route("/office/points/<int:point_id>", methods=["GET", "POST"])
@roles_required("office")
def office_point(point_id: int):
    point = _managed_point(point_id)
    form = PointForm(obj=point) if request.method == "GET" else PointForm()
    if request.method == "GET":
        form.province.data, form.ward.data = point.province_code, ocop.ward(point.ward_code).name
    staff_form = StaffForm(prefix="staff")
    if request.method == "POST" and form.validate_on_submit():
        try:
            run(services.update_point, current_user, point, form.values())
        except PermissionError:
            form.province.errors.append(_("You manage the points of your own province only."))
        except IntegrityError:  # the code is taken
            form.code.errors.append(_("Another point already has this code."))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("salespoints.office_point", point_id=point.id), code=303)
    status = 422 if form.errors else 200
    return render_template("salespoints/office_point.html", point=point, form=form, staff_form=staff_form), status


@bp.post("/office/points/<int:point_id>/staff")
@roles_required("office")
def office_add_staff(point_id: int):
    point = _managed_point(point_id)
    form = StaffForm(prefix="staff")
    if form.validate_on_submit():
        try:
            run(services.add_staff, current_user, point, form.email.data, form.name.data, form.password.data,
                form.role.data)
        except (AccountError, IntegrityError):  # taken, or taken at the same moment
            form.email.errors.append(_("This email already has an account."))
        else:
            flash(_("The account is made; they can sign in now."), "success")
            return redirect(url_for("salespoints.office_point", point_id=point.id), code=303)
    edit = PointForm(obj=point, formdata=None)
    edit.province.data, edit.ward.data = point.province_code, ocop.ward(point.ward_code).name
    return render_template("salespoints/office_point.html", point=point, form=edit, staff_form=form), 422


@bp.post("/office/points/<int:point_id>/staff/<int:member_id>")
@roles_required("office")
def office_staff_switch(point_id: int, member_id: int):
    point = _managed_point(point_id)
    member = db.session.get(SalesPointStaff, member_id)
    if member is None or member.sales_point_id != point.id:
        abort(404)
    run(services.set_staff_active, current_user, member, request.form.get("active") == "1")
    flash(_("Saved."), "success")
    return redirect(url_for("salespoints.office_point", point_id=point.id), code=303)


# --- Public pages ---------------------------------------------------------------------------------------

@bp.get("/points")
def public_points():
    return render_template("salespoints/points.html", points=open_points())


@bp.get("/points/<int:point_id>")
def public_point(point_id: int):
    point = db.session.get(SalesPoint, point_id)
    if point is None or not point.active:
        abort(404)
    return render_template("salespoints/point.html", point=point, items=services.shelf(point),
                           map_url=services.map_url(point), config=current_app.config)
