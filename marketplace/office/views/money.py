"""The producers' money, for the office of a province: what each producer is owed, closing a period into
statements, and each statement. The commission rates are the operator's, kept by the national office (an
officer without a province), as the exchange rates are."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import DecimalField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ... import ocop
from ...exports import FORMATS, table_response
from ...extensions import db
from ...forms import DayField, DongField, Form
from ...i18n import vnd
from ...qr import qr_svg
from ...scope import covers, in_scope
from ...sellers.models import Seller
from ...settlements import bank, payouts, statements
from ...settlements import services as ledger
from ...settlements.models import BANK_ACCOUNT_STATES, PAYOUT_STATES, BankAccount, Payout, PayoutBatch, Statement
from ...settlements.views import statement_page
from ...transitions import Refused
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
    closed_through = statements.closed_through(province)
    return render_template("office/money.html", province=province, form=form, closed_through=closed_through,
                           nothing_to_close=closed_through is not None and closed_through >= ocop.today() - dt.timedelta(days=1),
                           standings=statements.standings(province), rates=ledger.rates_bp(),
                           accounts=bank.waiting(current_user, province), banks=bank.banks(),
                           decision_form=DecisionForm(), batches=payouts.batches(province),
                           collection_form=CollectionForm(),
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
    run(ledger.set_commission, current_user, form.group.data,
        int((form.percent.data * 100).to_integral_value(ROUND_HALF_UP)))
    flash(_("The commission on group %(group)s is saved.", group=form.group.data), "success")
    return redirect(url_for("office.money"), code=303)


@bp.get("/money/statements/<int:statement_id>")
def statement(statement_id: int):
    found = db.session.get(Statement, statement_id)
    if found is None or not in_scope(current_user, found.seller):
        abort(404)
    return statement_page(found)


# --- Producers' payout accounts: checked before any payout goes there ------------------------------------

class DecisionForm(Form):
    reason = StringField(_l("Note (how it was checked, or why it is not accepted)"), validators=[Length(max=500)])


@bp.post("/money/bank-accounts/<int:account_id>/<any(verify, reject):decision>")
def bank_account_decision(account_id: int, decision: str):
    account = db.session.get(BankAccount, account_id)
    if account is None or not in_scope(current_user, account.seller):
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit() or not (form.reason.data or "").strip():
        flash(_("Note how the account was checked (who you called, when).") if decision == "verify"
              else _("Say why the account is not accepted."), "error")
        return redirect(url_for("office.money"), code=303)
    try:
        run(bank.decide, current_user, account, decision == "verify", (form.reason.data or "").strip() or None)
    except Refused:
        flash(_("This account was decided or replaced meanwhile."), "error")
    else:
        flash(_("The account of %(seller)s is verified.", seller=account.seller.legal_name) if decision == "verify"
              else _("The account of %(seller)s is not accepted; the producer is told.",
                     seller=account.seller.legal_name), "success")
    return redirect(url_for("office.money"), code=303)


# --- Payouts ----------------------------------------------------------------------------------------------

@bp.post("/money/payouts")
def make_payouts():
    province = _province()
    try:
        batch, skipped = run(payouts.make_batch, current_user, province)
    except IntegrityError:  # another batch took these statements at the same moment
        flash(_("Another payout batch was made at the same moment: see it below."), "error")
        return redirect(url_for("office.money", **request.args), code=303)
    for row in skipped:
        flash(_("Not paid: %(seller)s (owed %(amount)s) has no verified bank account, or a change of it waits to be "
                "checked.", seller=row.seller.legal_name, amount=vnd(row.owed_vnd)), "warning")
    if batch is None:
        flash(_("No payout could be made: see above.") if skipped else
              _("Nothing to pay: no producer's closed statements leave money owed."), "success")
        return redirect(url_for("office.money", **request.args), code=303)
    return redirect(url_for("office.payout_batch", batch_id=batch.id), code=303)


def _batch_in_scope(batch_id: int) -> PayoutBatch:
    batch = db.session.get(PayoutBatch, batch_id)
    if batch is None or not covers(current_user, batch.province_code):
        abort(404)
    return batch


@bp.get("/money/batches/<int:batch_id>")
def payout_batch(batch_id: int):
    batch = _batch_in_scope(batch_id)
    fmt = request.args.get("format")
    if fmt is not None:
        if fmt not in FORMATS:
            abort(404)
        return table_response(payouts.bulk_rows(batch), f"ocop-{batch.number}", fmt)
    held = payouts.held_back(batch)
    codes = {payout.id: qr_svg(payouts.vietqr_payload(payout), title=payout.transfer_note, scale=3)
             for payout in batch.payouts if payout.state == "pending" and payout.id not in held}
    return render_template("office/payout_batch.html", batch=batch, codes=codes, held=held, banks=bank.banks(),
                           states=PAYOUT_STATES, form=PaidForm(), cancel_form=DecisionForm())


class PaidForm(Form):
    bank_reference = StringField(_l("Bank reference of the transfer"), validators=[DataRequired(), Length(max=60)])


@bp.post("/money/payouts/<int:payout_id>/<any(paid, cancel):decision>")
def payout_decision(payout_id: int, decision: str):
    payout = db.session.get(Payout, payout_id)
    if payout is None or not in_scope(current_user, payout.seller):
        abort(404)
    form = PaidForm() if decision == "paid" else DecisionForm()
    text = (form.bank_reference.data if decision == "paid" else form.reason.data) or ""
    if not form.validate_on_submit() or not text.strip():
        flash(_("Type the bank's reference of the transfer.") if decision == "paid"
              else _("Say why the payout is cancelled."), "error")
    else:
        try:
            run(payouts.mark_paid if decision == "paid" else payouts.cancel, current_user, payout, text.strip())
        except Refused:
            flash(_("This payout was marked paid or cancelled already."), "error")
        else:
            flash(_("Payout to %(seller)s marked paid.", seller=payout.seller.legal_name) if decision == "paid"
                  else _("Payout to %(seller)s cancelled: the money is owed to the producer again.",
                         seller=payout.seller.legal_name), "success")
    return redirect(url_for("office.payout_batch", batch_id=payout.batch_id), code=303)


class CollectionForm(Form):
    amount_vnd = DongField(_l("Amount received (₫)"), validators=[DataRequired(), NumberRange(min=1, max=2_000_000_000)])
    bank_reference = StringField(_l("Bank reference of the transfer"), validators=[DataRequired(), Length(max=60)])


@bp.post("/money/collections/<int:seller_id>")
def collection(seller_id: int):
    """A producer that owed the shop paid it: recorded once per bank reference."""
    seller = db.session.get(Seller, seller_id)
    if seller is None or not in_scope(current_user, seller):
        abort(404)
    form = CollectionForm()
    back = redirect(url_for("office.money", **({"province": seller.province_code}
                                               if current_user.province_code is None else {})), code=303)
    if not form.validate_on_submit():
        flash(_("Type the amount received and the bank's reference of the transfer."), "error")
        return back
    try:
        run(payouts.record_collection, current_user, seller, form.amount_vnd.data, form.bank_reference.data)
    except payouts.CollectionError as refused:
        flash(_("More than the producer owes.") if refused.code == "too_much"
              else _("This transfer was recorded already."), "error")
    except IntegrityError:
        flash(_("This transfer was recorded already."), "error")
    else:
        flash(_("%(amount)s received from %(seller)s.", amount=vnd(form.amount_vnd.data), seller=seller.legal_name),
              "success")
    return back


@bp.get("/money/sellers/<int:seller_id>")
def seller_money(seller_id: int):
    """One producer of the province: what it is owed, its payout account, every statement and payout."""
    seller = db.session.get(Seller, seller_id)
    if seller is None or not in_scope(current_user, seller):
        abort(404)
    return render_template("office/seller_money.html", seller=seller, balance=ledger.owed_to(seller.id),
                           statements=statements.statements_of(seller.id), account=bank.current(seller.id),
                           banks=bank.banks(), account_states=BANK_ACCOUNT_STATES,
                           payouts=payouts.payouts_of(seller.id, limit=50))
