"""`flask inventory check`: is the stock sound?"""
import click
from flask.cli import AppGroup

from . import check

inventory_cli = AppGroup("inventory", help="Stock housekeeping.")


@inventory_cli.command("check")
def check_command():
    """Exit non-zero and list every level that differs from its ledger, is negative, or holds other than
    what open orders and holds account for."""
    found = check.problems()
    for problem in found:
        click.echo(str(problem), err=True)
    if found:
        raise SystemExit(1)
    click.echo("Stock is sound: every level equals its ledger and what is held.")
