"""The office's blueprint: every page under /office is for officers only (one guard, here), and each page
then keeps to the officer's province (`scope`)."""
from __future__ import annotations

from flask import Blueprint

from ...accounts.services import roles_required

bp = Blueprint("office", __name__, url_prefix="/office")


@bp.before_request
@roles_required("office")
def office_only():
    return None
