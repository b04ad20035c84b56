"""A point manager's gift combos: the combos their point packs, made, edited and withdrawn here (the office
curates the rest of its province: office/views/combos.py). Only the manager; every change audited."""
from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from ...combos import services as combos
from ...combos.views import curation_page, status_change
from .. import services
from .common import bp, staff_of_point

NAV = "salespoints/_nav.html"


def _curator(point) -> combos.Curator:
    if not services.is_manager(current_user, point):
        abort(403)
    return combos.Curator(current_user, point)


def _own_combo(point, combo_id: int):
    combo = combos.get_combo(combo_id)
    if combo is None or combo.sales_point_id != point.id:
        abort(404)
    return combo


@bp.get("/counter/<int:point_id>/combos")
@staff_of_point
def point_combos(point):
    found = combos.curated_by(_curator(point))
    return render_template("combos/manage.html", nav=NAV, point=point, combos=found, offers=combos.offers(found),
                           new_url=url_for("salespoints.new_point_combo", point_id=point.id),
                           edit_url=lambda combo: url_for("salespoints.point_combo", point_id=point.id,
                                                          combo_id=combo.id))


@bp.route("/counter/<int:point_id>/combos/new", methods=["GET", "POST"])
@staff_of_point
def new_point_combo(point):
    return curation_page(_curator(point), [point], lambda saved: url_for(
        "salespoints.point_combo", point_id=point.id, combo_id=saved.id), fixed_point=True, nav=NAV, point=point)


@bp.route("/counter/<int:point_id>/combos/<int:combo_id>", methods=["GET", "POST"])
@staff_of_point
def point_combo(point, combo_id: int):
    curator = _curator(point)
    combo = _own_combo(point, combo_id)
    return curation_page(curator, [point], lambda saved: url_for(
        "salespoints.point_combo", point_id=point.id, combo_id=saved.id), combo, fixed_point=True, nav=NAV,
        point=point, status_url=url_for("salespoints.point_combo_status", point_id=point.id, combo_id=combo.id))


@bp.post("/counter/<int:point_id>/combos/<int:combo_id>/status")
@staff_of_point
def point_combo_status(point, combo_id: int):
    curator = _curator(point)
    status_change(curator, _own_combo(point, combo_id))
    return redirect(url_for("salespoints.point_combo", point_id=point.id, combo_id=combo_id), code=303)
