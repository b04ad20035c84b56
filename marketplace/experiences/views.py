"""The host's experiences in the seller console: the sessions to come, with their seats, and new ones."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..accounts.services import roles_required
from ..extensions import db
from ..products.models import Product
from ..products.services import seller_products
from ..unit_of_work import run
from . import services
from .forms import SessionForm
from .models import LANGUAGES, SESSION_STATES

bp = Blueprint("experiences", __name__)

REFUSED = {
    "not_experience": ("product", _l("Only a community-tourism product (group VI) has sessions.")),
    "not_listed": ("product", _l("This experience is not on sale now (its OCOP recognition or your account).")),
    "past": ("day", _l("A session must start after booking closes (%(hours)d hours from now).")),
    "languages": ("languages", _l("Choose at least one language.")),
    "party": ("max_party", _l("The largest party must be at least the smallest, and no more than the places.")),
    "weeks": ("weeks", _l("Between 1 and 52 weeks.")),
}


@bp.route("/seller/experiences", methods=["GET", "POST"])
@roles_required("seller")
def host_sessions():
    own = [product for product in seller_products(current_user.seller_id) if services.is_experience(product)]
    form = SessionForm()
    form.product.choices = [SelectChoice(product.id, product.name) for product in own]
    if own and form.validate_on_submit():
        product = db.session.get(Product, form.product.data)
        if product is None or product.seller_id != current_user.seller_id:
            abort(404)
        try:
            made = run(services.schedule, current_user, product, form.plan(), form.weeks.data)
        except services.ExperienceError as refused:
            name, message = REFUSED[refused.code]
            hours = int(services.cutoff().total_seconds() // 3600)
            form[name].errors.append(str(message) % {"hours": hours} if refused.code == "past" else str(message))
        else:
            flash(_("%(n)d session(s) added.", n=len(made)), "success")
            return redirect(url_for("experiences.host_sessions"), code=303)
    return render_template("experiences/host.html", form=form, products=own,
                           sessions=services.sessions_of_host(current_user.seller_id), languages=LANGUAGES,
                           states=SESSION_STATES), 422 if form.errors else 200
