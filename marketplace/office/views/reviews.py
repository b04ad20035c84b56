"""The office's reviews: the newest of its province, each hidden once with a reason (audited)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...extensions import db
from ...reviews import services as reviews
from ...reviews.forms import HideForm
from ...reviews.models import Review
from ...scope import in_scope
from ...unit_of_work import run
from .common import bp


@bp.get("/reviews")
def reviews_page():
    return render_template("office/reviews.html", reviews=reviews.for_office(current_user), form=HideForm(formdata=None))


@bp.post("/reviews/<int:review_id>/hide")
def hide_review(review_id: int):
    review = db.session.get(Review, review_id)
    if review is None or not in_scope(current_user, review.seller):
        abort(404)
    form = HideForm()
    if not form.validate():
        flash(_("Give the reason."), "error")
    elif run(reviews.hide, current_user, review, form.reason.data):
        flash(_("The review is hidden; the product's rating leaves it out."), "success")
    else:
        flash(_("This review was hidden already."), "error")
    return redirect(url_for("office.reviews_page"), code=303)
