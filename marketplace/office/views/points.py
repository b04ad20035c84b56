"""The office's sales points: open and edit the points of its province, give them staff, read their reports."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ... import ocop
from ...accounts.services import AccountError
from ...extensions import db
from ...inventory.models import SalesPoint
from ...salespoints import services as sales_points
from ...salespoints.forms import PointForm, StaffForm
from ...salespoints.models import SalesPointStaff
from ...salespoints.views.reports import report_download, report_page
from ...scope import in_scope
from ...unit_of_work import run
from .common import bp


def _managed_point(point_id: int) -> SalesPoint:
    point = db.session.get(SalesPoint, point_id)
    if point is None or not in_scope(current_user, point):
        abort(404)
    return point


def _saved(form, work, *args):
    """Create or update a point in one unit of work; None, with the reason on the form, when refused."""
    try:
        return run(work, *args)
    except PermissionError:
        form.province.errors.append(_("You manage the points of your own province only."))
    except IntegrityError:  # the code is taken
        form.code.errors.append(_("Another point already has this code."))
    return None


@bp.route("/points", methods=["GET", "POST"])
def points():
    form = PointForm()
    if request.method == "GET" and current_user.province_code:
        form.province.data = current_user.province_code
    if form.validate_on_submit():
        point = _saved(form, sales_points.create_point, current_user, form.values())
        if point is not None:
            flash(_("The sales point is created. Add its staff below."), "success")
            return redirect(url_for("office.point", point_id=point.id), code=303)
    status = 422 if form.errors else 200
    return render_template("office/points.html", points=sales_points.points_managed_by(current_user),
                           form=form), status


@bp.route("/points/<int:point_id>", methods=["GET", "POST"])
def point(point_id: int):
    point = _managed_point(point_id)
    form = PointForm(obj=point) if request.method == "GET" else PointForm()
    if request.method == "GET":
        form.province.data, form.ward.data = point.province_code, ocop.ward(point.ward_code).name
    staff_form = StaffForm(prefix="staff")
    if (request.method == "POST" and form.validate_on_submit()
            and _saved(form, sales_points.update_point, current_user, point, form.values()) is not None):
        flash(_("Saved."), "success")
        return redirect(url_for("office.point", point_id=point.id), code=303)
    status = 422 if form.errors else 200
    return render_template("office/point.html", point=point, form=form, staff_form=staff_form), status


@bp.post("/points/<int:point_id>/staff")
def add_staff(point_id: int):
    point = _managed_point(point_id)
    form = StaffForm(prefix="staff")
    if form.validate_on_submit():
        try:
            run(sales_points.add_staff, current_user, point, form.email.data, form.name.data, form.password.data,
                form.role.data)
        except (AccountError, IntegrityError):  # taken, or taken at the same moment
            form.email.errors.append(_("This email already has an account."))
        else:
            flash(_("The account is made; they can sign in now."), "success")
            return redirect(url_for("office.point", point_id=point.id), code=303)
    edit = PointForm(obj=point, formdata=None)
    edit.province.data, edit.ward.data = point.province_code, ocop.ward(point.ward_code).name
    return render_template("office/point.html", point=point, form=edit, staff_form=form), 422


@bp.post("/points/<int:point_id>/staff/<int:member_id>")
def staff_switch(point_id: int, member_id: int):
    point = _managed_point(point_id)
    member = db.session.get(SalesPointStaff, member_id)
    if member is None or member.sales_point_id != point.id:
        abort(404)
    run(sales_points.set_staff_active, current_user, member, request.form.get("active") == "1")
    flash(_("Saved."), "success")
    return redirect(url_for("office.point", point_id=point.id), code=303)


@bp.get("/points/<int:point_id>/reports")
def point_reports(point_id: int):
    return report_page(_managed_point(point_id), "office.point_report_download")


@bp.get("/points/<int:point_id>/reports/<what>.<fmt>")
def point_report_download(point_id: int, what: str, fmt: str):
    return report_download(_managed_point(point_id), what, fmt)
