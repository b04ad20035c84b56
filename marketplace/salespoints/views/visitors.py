"""The points as visitors and producers see them: the public list and page of each open point, and a seller's
goods at the points (what is on which shelf, what sold, sending more)."""
from __future__ import annotations

import datetime as dt

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from ... import ocop
from ...accounts.services import roles_required
from ...extensions import db
from ...inventory import services as stock
from ...inventory.models import SalesPoint
from ...inventory.queries import open_points
from ...pagecache import cached_page
from ...sellers.models import Seller
from .. import reports, services, transfers
from .common import bp
from .stockroom import send_transfer

# --- A seller's goods at the points -----------------------------------------------------------------------

@bp.route("/seller/points", methods=["GET", "POST"])
@roles_required("seller")
def seller_points():
    seller = db.session.get(Seller, current_user.seller_id)
    warehouse = stock.warehouse_of(seller)
    products = services.sellers_products_for_sale(seller.id)
    levels = stock.levels_of(warehouse.id)
    if request.method == "POST" and send_transfer(warehouse.id, [listing.product.id for listing in products]):
        return redirect(url_for("salespoints.seller_points"), code=303)
    since, until = ocop.today() - dt.timedelta(days=29), ocop.today()
    return render_template("salespoints/seller_points.html", holdings=reports.seller_points(seller.id),
                           sales=reports.sales_report(None, since, until, seller_id=seller.id),
                           points=open_points(), products=products, levels=levels,
                           sent=transfers.transfers_touching(warehouse.id, limit=20))


# --- Public pages ---------------------------------------------------------------------------------------

@bp.get("/points")
@cached_page
def public_points():
    return render_template("salespoints/points.html", points=open_points())


@bp.get("/points/<int:point_id>")
@cached_page
def public_point(point_id: int):
    point = db.session.get(SalesPoint, point_id)
    if point is None or not point.active:
        abort(404)
    return render_template("salespoints/point.html", point=point, items=services.shelf(point),
                           map_url=services.map_url(point), config=current_app.config)
