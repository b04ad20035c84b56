"""`flask settlements check`: is the money ledger sound?"""
import click
from flask.cli import AppGroup

from . import check

settlements_cli = AppGroup("settlements", help="The money owed to producers.")


@settlements_cli.command("check")
def check_command():
    """Exit non-zero and list every unbalanced entry and every account that differs from the documents."""
    found = check.problems()
    for problem in found:
        click.echo(problem, err=True)
    if found:
        raise SystemExit(1)
    click.echo("The money ledger is sound: every entry balances and agrees with the orders.")
