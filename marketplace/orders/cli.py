import click
from flask.cli import AppGroup

from . import payments

orders_cli = AppGroup("orders", help="Order housekeeping.")


@orders_cli.command("expire")
def expire_command():
    """Release the stock of orders that ended without a sale (run every few minutes): card and VietQR orders
    not paid in time, pickups not collected, cash-on-delivery parts no seller confirmed in time."""
    click.echo(f"{payments.expire_overdue()} unpaid order(s) expired.")
    click.echo(f"{payments.expire_unconfirmed_cod()} unconfirmed cash-on-delivery part(s) cancelled.")
