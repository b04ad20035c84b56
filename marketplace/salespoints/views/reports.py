"""Reports of a point (sales, pickups handed over, stock), on screen and as CSV or XLSX: for the point's
manager here, and for the office (office.points, which calls `report_page` and `report_download`)."""
from __future__ import annotations

import datetime as dt

from flask import abort, render_template, request
from flask_login import current_user

from ... import ocop
from ...exports import FORMATS, table_response
from ...forms import whole_number
from .. import reports, services
from ..models import COUNTER_PAYMENTS
from .common import bp, staff_of_point

PERIODS = (7, 30, 90)


def _period() -> tuple[int, dt.date, dt.date]:
    days = whole_number(request.args.get("days"), most=3660) or 30
    days = days if days in PERIODS else 30
    until = ocop.today()
    return days, until - dt.timedelta(days=days - 1), until


def report_page(point, endpoint: str):
    days, since, until = _period()
    return render_template("salespoints/reports.html", point=point, days=days, periods=PERIODS, endpoint=endpoint,
                           sales=reports.sales_report([point.id], since, until),
                           pickups=reports.pickups_handed_over(point.location_id, since, until),
                           stock=reports.stock_report(point.location_id), labels=COUNTER_PAYMENTS,
                           consignment=reports.consignment(point, since, until))


def report_download(point, what: str, fmt: str):
    if what not in ("sales", "stock", "consignment") or fmt not in FORMATS:
        abort(404)
    _days, since, until = _period()
    if what == "sales":
        rows = reports.sales_rows(reports.sales_report([point.id], since, until))
        name = f"ocop-{point.code}-sales-{since.isoformat()}-{until.isoformat()}"
    elif what == "consignment":
        rows = reports.consignment_rows(reports.consignment(point, since, until))
        name = f"ocop-{point.code}-consignment-{since.isoformat()}-{until.isoformat()}"
    else:
        rows = reports.stock_rows(reports.stock_report(point.location_id))
        name = f"ocop-{point.code}-stock-{until.isoformat()}"
    return table_response(rows, name, fmt)


@bp.get("/counter/<int:point_id>/reports")
@staff_of_point
def point_reports(point):
    if not services.is_manager(current_user, point):
        abort(403)
    return report_page(point, "salespoints.point_report_download")


@bp.get("/counter/<int:point_id>/reports/<what>.<fmt>")
@staff_of_point
def point_report_download(point, what: str, fmt: str):
    if not services.is_manager(current_user, point):
        abort(403)
    return report_download(point, what, fmt)
