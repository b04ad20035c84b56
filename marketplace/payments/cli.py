import click
from flask.cli import AppGroup

from . import services

orders_cli = AppGroup("orders", help="Order housekeeping.")


@orders_cli.command("expire")
def expire_command():
    """Cancel card and VietQR orders not paid in time and release their stock (run every few minutes)."""
    click.echo(f"{services.expire_overdue()} unpaid order(s) expired.")
