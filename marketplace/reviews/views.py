"""Reviews where people meet them: the buyer writes on the order page, the product page and the seller's
page show them (template globals, so the catalogue and the order pages need not know this package), the
seller answers in its console."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.services import roles_required
from ..i18n import current_language
from ..orders.services import find_order
from ..unit_of_work import run
from . import services
from .forms import ReplyForm, ReviewForm

bp = Blueprint("reviews", __name__)


@bp.app_template_global()
def product_reviews(product_id: int, limit: int = 20) -> list:
    return services.visible(product_id, limit)


@bp.app_template_global()
def reviewable(order) -> list:
    return services.reviewable(order)


@bp.app_template_global()
def review_form(order, line):
    return ReviewForm(formdata=None, token=order.access_token, product_id=line.product_id)


@bp.app_template_global()
def seller_record(seller_id: int):
    return services.seller_record(seller_id)


@bp.post("/orders/<number>/reviews")
def write(number: str):
    form = ReviewForm()
    order = find_order(number, form.token.data)
    if order is None:
        abort(404)
    if not form.validate() or not (form.product_id.data or "").isdigit():
        flash(_("Choose from 1 to 5 stars."), "error")
    else:
        try:
            run(services.write, order, int(form.product_id.data), form.stars.data, form.text.data, current_language())
        except services.ReviewError as error:
            flash(str(error), "error")
        else:
            flash(_("Thank you: your review is on the product's page."), "success")
    return redirect(url_for("orders.order", number=order.number, token=order.access_token) + "#reviews", code=303)


@bp.get("/seller/reviews")
@roles_required("seller")
def seller_reviews():
    return render_template("reviews/seller.html", reviews=services.of_seller(current_user.seller_id),
                           form=ReplyForm(formdata=None), record=services.seller_record(current_user.seller_id))


@bp.post("/seller/reviews/<int:review_id>/reply")
@roles_required("seller")
def reply(review_id: int):
    form = ReplyForm()
    if not form.validate():
        flash(_("Write the answer."), "error")
    elif run(services.reply, current_user.seller_id, review_id, form.text.data):
        flash(_("Your answer is shown under the review."), "success")
    else:
        flash(_("This review has an answer already."), "error")
    return redirect(url_for("reviews.seller_reviews"), code=303)
