"""`flask settlements check`: is the money ledger sound? `flask settlements backfill`: post the documents
older than the ledger."""
import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..extensions import db
from ..sellers.models import Seller
from ..unit_of_work import run
from . import check, payouts, services, statements  # noqa: F401  (payouts: what the check expects of them)
from .models import MoneyEntry

settlements_cli = AppGroup("settlements", help="The money owed to producers.")


@settlements_cli.command("check")
def check_command():
    """Exit non-zero and list every unbalanced entry and every account that differs from the documents."""
    found = check.problems()
    for problem in found:
        click.echo(problem, err=True)
    if found:
        raise SystemExit(1)
    held = services.balances()
    owed = {account: -held[account] for account in held if account != "cash"}
    click.echo(f"The money ledger is sound: every entry balances and agrees with the orders, the tills and the payouts. "
               f"The operator holds {held['cash']:,} đồng: owed to producers {owed['producer']:,}, buyers' money held "
               f"for goods not delivered {owed['prepaid']:,}, owed back to buyers {owed['refunds_payable']:,}, being "
               f"paid out {owed['payouts']:,}, the points' fees and margins {owed['point_fees']:,}, commission "
               f"{owed['commission']:,}, card fees {owed['card_fees']:,}.")


@settlements_cli.command("backfill")
def backfill_command():
    """Post what the documents made before the ledger existed (migration 0035) make due: once, after that
    upgrade. Each document in its own transaction; running it again posts nothing."""
    def entries() -> int:
        return db.session.scalar(select(func.count(MoneyEntry.id)))

    for name, backfill in sorted(check.BACKFILLS.items()):
        before, ids = entries(), backfill.documents()
        for ident in ids:
            run(backfill.post_missing, ident)
        click.echo(f"{name}: {len(ids)} document(s) read, {entries() - before} ledger entries posted.")


@settlements_cli.command("close")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The last day of the period, YYYY-MM-DD (default: the last day of the last whole period).")
@click.option("--province", type=int, default=None, help="One province's code (default: every province).")
def close_command(until, province):
    """Close the producers' statements of the period ending on UNTIL, province by province (each in its own
    transaction): one statement per producer with lines in it; a province closed to that day already is left
    as it is."""
    through = until.date() if until else statements.last_whole_period_end()
    provinces = [province] if province is not None else db.session.scalars(
        select(Seller.province_code).distinct().order_by(Seller.province_code)).all()
    for code in provinces:
        try:
            made = run(statements.close, code, through)
        except statements.StatementError as refused:
            click.echo(f"province {code}: not closed ({refused.code}).", err=True)
            if refused.code == "future":
                raise SystemExit(1) from refused
            continue
        click.echo(f"province {code}: {len(made)} statement(s) closed through {through.isoformat()}.")
