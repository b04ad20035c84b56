"""The producer's money in the seller console: what the shop owes it now, the open period, every closed
statement (on screen, CSV, XLSX). The office's pages (closing, payouts) are the office's."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..accounts.services import roles_required
from ..exports import FORMATS, table_response
from ..extensions import db
from ..i18n import date, datetime
from ..payments import vietqr
from ..qr import qr_svg
from ..sellers.models import Seller
from ..unit_of_work import run
from . import bank, payouts, statements
from . import services as ledger
from .forms import BankAccountForm
from .models import BANK_ACCOUNT_STATES, ENTRY_KINDS, PAYOUT_STATES, Statement
from .pdf import statement_pdf

bp = Blueprint("settlements", __name__, url_prefix="/seller/money")


@bp.get("/")
@roles_required("seller")
def overview():
    seller = db.session.get(Seller, current_user.seller_id)
    balance = ledger.owed_to(seller.id)
    return render_template("settlements/overview.html", seller=seller,
                           balance=balance, rows=statements.rows(seller.id, None),
                           statements=statements.statements_of(seller.id), kinds=ENTRY_KINDS,
                           collected=statements.collected_by_producer,
                           account=bank.current(seller.id), banks=bank.banks(), account_states=BANK_ACCOUNT_STATES,
                           payable=payouts.payable(seller.id), settle_up=_settle_up(seller, -balance),
                           payouts=payouts.payouts_of(seller.id), payout_states=PAYOUT_STATES)


def _settle_up(seller: Seller, owes: int) -> dict | None:
    """When the producer owes the shop: the transfer that settles it (a VietQR when the operator's account
    is set), with the note the office matches it by."""
    if owes <= 0:
        return None
    note, config = payouts.collection_note(seller), current_app.config
    operator = config["VIETQR_BANK_BIN"] and config["VIETQR_ACCOUNT_NO"]
    return {"amount": owes, "note": note, "config": config,
            "svg": qr_svg(vietqr.to_operator(owes, note), title=note, scale=4) if operator else None}


ACCOUNT_ERRORS = {
    "bank": ("bank_bin", _l("Choose a bank from the list.")),
    "number": ("account_no", _l("An account number is 6 to 19 digits or capital letters.")),
    "holder": ("holder_name", _l("The holder must be your legal name as registered (for a household or a farm, "
                                 "its representative's), as the bank prints it.")),
}


@bp.route("/bank", methods=["GET", "POST"])
@roles_required("seller")
def bank_account():
    seller = db.session.get(Seller, current_user.seller_id)
    form = BankAccountForm()
    if form.validate_on_submit():
        try:
            try:
                run(bank.submit, current_user, seller, form.bank_bin.data, form.account_no.data,
                    form.holder_name.data)
            except IntegrityError:  # another submit of this producer's at this very moment: this one replaces it
                run(bank.submit, current_user, seller, form.bank_bin.data, form.account_no.data,
                    form.holder_name.data)
        except bank.AccountError as refused:
            name, message = ACCOUNT_ERRORS[refused.code]
            form[name].errors.append(message)
        else:
            flash(_("Saved. The provincial OCOP office will check the account before any payout goes there."),
                  "success")
            return redirect(url_for("settlements.overview"), code=303)
    return render_template("settlements/bank.html", form=form, seller=seller, account=bank.current(seller.id),
                           banks=bank.banks(), account_states=BANK_ACCOUNT_STATES), 422 if form.errors else 200


@bp.get("/statements/<int:statement_id>")
@roles_required("seller")
def statement(statement_id: int):
    found = db.session.get(Statement, statement_id)
    if found is None or found.seller_id != current_user.seller_id:
        abort(404)  # another producer's statement does not exist for this one
    return statement_page(found)


def statement_page(found: Statement):
    """The statement on screen, or as a download (?format=csv|xlsx); the office's page shows it the same way."""
    rows = statements.rows(found.seller_id, found)
    fmt = request.args.get("format")
    if fmt is None:
        return render_template("settlements/statement.html", statement=found, rows=rows, kinds=ENTRY_KINDS,
                               collected=statements.collected_by_producer, payouts=payouts.payouts_for(found),
                               banks=bank.banks())
    if fmt == "pdf":
        return Response(statement_pdf(found, rows), mimetype="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="ocop-{found.number}.pdf"'})
    if fmt not in FORMATS:
        abort(404)
    return table_response(statement_table(found, rows), f"ocop-{found.number}", fmt)


def statement_table(found: Statement, rows: list[statements.Row]) -> list[list]:
    table = [[_("Date"), _("Event"), _("Order or sale"), _("Sales (₫)"), _("Commission or margin (₫)"), _("Rate (%)"),
              _("Owed to you (₫)")],
             ["", _("Carried in"), found.number, "", "", "", found.opening_vnd]]
    table += [[datetime(row.at), str(ENTRY_KINDS[row.kind]), row.reference or "", row.sales_vnd, row.charges_vnd,
               row.rate_bp / 100 if row.rate_bp else "", row.net_vnd] for row in rows]
    table.append([date(found.last_day), _("Carried out"), found.number, "", "", "", found.closing_vnd])
    return table
