"""The office's view of its province's community-tourism sessions: who hosts what, when, how full."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from ...certification.services import is_listable
from ...experiences import services as experiences
from ...experiences.models import SESSION_STATES
from .common import bp


@bp.get("/experiences")
def experience_sessions():
    sessions = experiences.sessions_in_province(current_user.province_code)
    listed = {session.product_id: is_listable(session.product) for session in sessions}
    return render_template("office/experiences.html", sessions=sessions, listed=listed, states=SESSION_STATES)
