"""Giving an order's money back, from the office's order page: to the card through Stripe, or recording a
bank transfer or cash the office gave back (see `orders.refunds`)."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ...extensions import db
from ...forms import DongField, Form, once_key, submitted_key
from ...i18n import vnd
from ...orders import payments, refunds
from ...orders import services as order_services
from ...payments.models import REFUND_METHODS, Refund
from ...unit_of_work import run_once
from .common import bp


class RefundForm(Form):
    method = RadioField(_l("How the money goes back"), validators=[DataRequired()],
                        choices=[SelectChoice(code, label) for code, label in REFUND_METHODS.items()])
    amount_vnd = DongField(_l("Amount (₫; empty: all that is still owed)"),
                           validators=[Optional(), NumberRange(min=1, max=2_000_000_000)])
    reference = StringField(_l("Bank reference or receipt number"), validators=[Length(max=120)])
    client_key = HiddenField(default=once_key)  # one refund however often the button is tapped


def _order(number: str):
    order = order_services.get_order(number)
    if order is None or not refunds.may_refund(current_user, order):
        abort(404)
    return order


REFUSED = {
    "nothing_due": _l("Nothing is owed back on this order (or a refund is being made)."),
    "too_much": _l("That is more than is still owed back."),
    "not_card": _l("This order was not paid by card: record the bank transfer or the cash instead."),
    "no_reference": _l("Type the bank's reference of the transfer, or the receipt number of the cash."),
}


@bp.post("/orders/<number>/refunds")
def refund(number: str):
    order = _order(number)
    form = RefundForm()
    back = redirect(url_for("office.order", number=number), code=303)
    if not form.validate_on_submit():
        flash(_("Choose how the money goes back.") if form.method.errors else
              _("The amount is not a whole number of đồng (for example 1.300.000)."), "error")
        return back
    try:
        key = submitted_key(form.client_key.data)
        if form.method.data == "card":
            made = payments.refund_to_card(current_user, order, form.amount_vnd.data, key)
        else:
            made, _new = run_once(Refund, key, refunds.record, current_user, order, form.method.data,
                                  form.amount_vnd.data, form.reference.data)
    except refunds.RefundError as refused:
        flash(str(REFUSED[refused.code]), "error")
        return back
    made = db.session.get(Refund, made.id)
    if made.state == "succeeded":
        flash(_("%(amount)s given back to the buyer; they are told by email.", amount=vnd(made.amount_vnd)), "success")
    elif made.state == "failed":
        flash(_("Stripe refused the refund (%(why)s). Nothing was given back.", why=made.failure), "error")
    else:
        flash(_("The refund is waiting for Stripe's answer; it completes by itself, or ask again below."), "error")
    return back


@bp.post("/orders/<number>/refunds/<int:refund_id>/ask-again")
def refund_again(number: str, refund_id: int):
    order = _order(number)
    found = db.session.get(Refund, refund_id)
    if found is None or found.order_id != order.id or found.method != "card" or found.state != "pending":
        abort(404)
    payments.ask_stripe(found, current_user.id)
    found = db.session.get(Refund, refund_id)
    flash(_("Refunded.") if found.state == "succeeded" else _("Stripe has not confirmed it yet."),
          "success" if found.state == "succeeded" else "error")
    return redirect(url_for("office.order", number=number), code=303)
