"""The rates table: what the visitor's currency shows beside a price in đồng (any officer keeps it; audited)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, DecimalField, SelectField
from wtforms.validators import DataRequired, NumberRange

from ... import ocop
from ...forms import Form, finite_number
from ...rates import services as rates
from ...rates.models import CURRENCIES
from ...unit_of_work import run
from .common import bp


class RateForm(Form):
    currency = SelectField(_l("Currency"), choices=list(CURRENCIES), validators=[DataRequired()])
    vnd_per_unit = DecimalField(_l("One unit is worth (₫)"), places=4,
                                validators=[DataRequired(), finite_number, NumberRange(min=0.0001, max=10_000_000)])
    as_of = DateField(_l("Rate of the day"), validators=[DataRequired()])


@bp.route("/rates", methods=["GET", "POST"])
def exchange_rates():
    form = RateForm()
    if request.method == "GET":
        form.as_of.data = ocop.today()
    if form.validate_on_submit():
        run(rates.set_rate, current_user, form.currency.data, form.vnd_per_unit.data, form.as_of.data)
        flash(_("The rate of %(currency)s is saved.", currency=form.currency.data), "success")
        return redirect(url_for("office.exchange_rates"), code=303)
    return render_template("office/rates.html", form=form, rates=rates.current_rates(),
                           currencies=CURRENCIES), 422 if form.errors else 200
