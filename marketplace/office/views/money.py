"""The producers' money, for the office of a province: what each producer is owed, closing a period into
statements, and each statement. The commission rates are the operator's, kept by the national office (an
officer without a province), as the exchange rates are."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DecimalField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, NumberRange

from ... import ocop
from ...extensions import db
from ...forms import DayField, Form
from ...scope import covers, in_scope
from ...settlements import services as ledger
from ...settlements import statements
from ...settlements.models import Statement
from ...settlements.views import statement_page
from ...unit_of_work import run
from .common import bp


class CloseForm(Form):
    through = DayField(_l("Last day of the period"), validators=[InputRequired()])


class CommissionForm(Form):
    group = SelectField(_l("Product group"), validators=[DataRequired()],
                        choices=[SelectChoice(group.code, f"{group.code} {group.label}") for group in ocop.TOP_GROUPS])
    percent = DecimalField(_l("Commission (%)"), places=2, validators=[InputRequired(), NumberRange(min=0, max=50)])


def _province() -> int:
    """The officer's province; an officer without one (national) names it: ?province=CODE."""
    code = current_user.province_code or request.args.get("province", type=int)
    if code is None or ocop.province(code) is None or not covers(current_user, code):
        abort(404)
    return code


@bp.route("/money", methods=["GET", "POST"])
def money():
    if current_user.province_code is None and "province" not in request.args:
        return render_template("office/money.html", province=None, provinces=ocop.PROVINCES,
                               rates=ledger.rates_bp(), commission_form=CommissionForm(prefix="rate"))
    province = _province()
    form = CloseForm()
    if request.method == "GET":
        form.through.data = statements.next_close(province)
    if form.validate_on_submit():
        try:
            made = run(statements.close, province, form.through.data, current_user)
        except statements.StatementError as refused:
            message = (_("A period can be closed once its last day has ended.") if refused.code == "future" else
                       _("The statements are closed to that day already (perhaps by a colleague just now)."))
            form.through.errors.append(message)
        else:
            flash(_("%(n)d statement(s) closed.", n=len(made)), "success")
            return redirect(url_for("office.money", **request.args), code=303)
    return render_template("office/money.html", province=province, form=form,
                           closed_through=statements.closed_through(province),
                           standings=statements.standings(province), rates=ledger.rates_bp(),
                           commission_form=CommissionForm(prefix="rate") if current_user.province_code is None else None), \
        422 if form.errors else 200


@bp.post("/money/commission")
def commission():
    if current_user.province_code is not None:
        abort(403)
    form = CommissionForm(prefix="rate")
    if not form.validate_on_submit():
        flash(_("Please correct the fields marked below."), "error")
        return redirect(url_for("office.money"), code=303)
    run(ledger.set_commission, current_user, form.group.data, int(form.percent.data * 100))
    flash(_("The commission on group %(group)s is saved.", group=form.group.data), "success")
    return redirect(url_for("office.money"), code=303)


@bp.get("/money/statements/<int:statement_id>")
def statement(statement_id: int):
    found = db.session.get(Statement, statement_id)
    if found is None or not in_scope(current_user, found.seller):
        abort(404)
    return statement_page(found)
