"""The rates table: what the visitor's currency shows beside a price in đồng (any officer keeps it; audited)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, DecimalField, SelectField
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError

from ... import ocop
from ...forms import DayField, Form, finite_number
from ...rates import services as rates
from ...rates.models import CURRENCIES
from ...unit_of_work import run
from .common import bp


class RateForm(Form):
    rate_currency = SelectField(_l("Currency"), choices=list(CURRENCIES), validators=[DataRequired()])
    vnd_per_unit = DecimalField(_l("One unit is worth (₫)"), places=4,
                                validators=[DataRequired(), finite_number, NumberRange(min=0.0001, max=10_000_000)])
    as_of = DayField(_l("Rate of the day"), validators=[InputRequired()])
    far_off = BooleanField(_l("Yes, the rate really moved by more than half"))

    def validate_vnd_per_unit(self, field):
        """A typing slip (0.5 for 26,300) shows every visitor nonsense: a rate under half or over twice the one
        kept must be confirmed."""
        current = rates.current_rates().get(self.rate_currency.data)
        if (field.data is not None and current is not None and not self.far_off.data
                and not current.vnd_per_unit / 2 <= field.data <= current.vnd_per_unit * 2):
            raise ValidationError(_l("The rate kept is %(rate)s ₫: check the figure, or confirm below that it really "
                                     "moved this much.", rate=f"{current.vnd_per_unit:,.4f}".rstrip("0").rstrip(".")))


@bp.route("/rates", methods=["GET", "POST"])
def exchange_rates():
    """Rates are the whole country's: officers without a province (the programme's national staff) keep them;
    a province's officers read them."""
    form = RateForm()
    national = current_user.province_code is None
    if request.method == "GET":
        form.as_of.data = ocop.today()
    if request.method == "POST" and not national:
        abort(403)
    if form.validate_on_submit():
        run(rates.set_rate, current_user, form.rate_currency.data, form.vnd_per_unit.data, form.as_of.data)
        flash(_("The rate of %(currency)s is saved.", currency=form.rate_currency.data), "success")
        return redirect(url_for("office.exchange_rates"), code=303)
    return render_template("office/rates.html", form=form if national else None, rates=rates.current_rates(),
                           currencies=CURRENCIES), 422 if form.errors else 200
