"""The office's gift combos: the combos of its province (any of its points, or the producers'), made, edited,
withdrawn and imported here; every change audited (combos.services)."""
from __future__ import annotations

import os
import tempfile

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...catalog.tables import ImportFileError
from ...combos import services as combos
from ...combos.importer import COLUMNS, import_rows, read_table
from ...combos.views import curation_page, status_change
from ...salespoints import services as sales_points
from ...unit_of_work import run
from ..forms import ImportForm
from .common import bp

NAV = "office/_nav.html"


def _curator() -> combos.Curator:
    return combos.Curator(current_user)


def _combo_in_scope(combo_id: int):
    combo = combos.get_combo(combo_id)
    if combo is None or not _curator().may_change(combo):
        abort(404)  # another province's combo does not exist for this officer
    return combo


def _list(import_errors=None, status: int = 200):
    found = combos.curated_by(_curator())
    return render_template("combos/manage.html", nav=NAV, combos=found, offers=combos.offers(found),
                           new_url=url_for("office.new_combo"), import_url=url_for("office.import_combos"),
                           edit_url=lambda combo: url_for("office.combo", combo_id=combo.id),
                           import_form=ImportForm(), import_errors=import_errors, columns=",".join(COLUMNS)), status


@bp.get("/combos")
def combos_page():
    return _list()


@bp.route("/combos/new", methods=["GET", "POST"])
def new_combo():
    return curation_page(_curator(), _points(), lambda saved: url_for("office.combo", combo_id=saved.id), nav=NAV)


@bp.route("/combos/<int:combo_id>", methods=["GET", "POST"])
def combo(combo_id: int):
    found = _combo_in_scope(combo_id)
    return curation_page(_curator(), _points(), lambda saved: url_for("office.combo", combo_id=saved.id), found,
                         nav=NAV, status_url=url_for("office.combo_status", combo_id=found.id))


@bp.post("/combos/<int:combo_id>/status")
def combo_status(combo_id: int):
    status_change(_curator(), _combo_in_scope(combo_id))
    return redirect(url_for("office.combo", combo_id=combo_id), code=303)


@bp.post("/combos/import")
def import_combos():
    """The combo file, uploaded: the checks of `flask combos import`, within the officer's province."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _list([_("Choose a CSV or XLSX file.")], 422)
    upload = form.file.data
    with tempfile.NamedTemporaryFile(suffix=os.path.splitext(upload.filename or "")[1].lower()) as handle:
        upload.save(handle.name)
        try:
            result = run(import_rows, read_table(handle.name), current_user)
        except ImportFileError as error:
            return _list([str(error)], 422)
    if not result.ok:
        return _list([str(error) for error in result.errors], 422)
    flash(_("Combos: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.", created=result.created,
            updated=result.updated, unchanged=result.unchanged), "success")
    return redirect(url_for("office.combos_page"), code=303)


def _points():
    return [point for point in sales_points.points_managed_by(current_user) if point.active]
