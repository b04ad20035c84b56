import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from ..extensions import db
from ..settlements.models import MoneyEntry
from ..unit_of_work import run
from . import payments, services
from .models import Order

orders_cli = AppGroup("orders", help="Order housekeeping.")


@orders_cli.command("expire")
def expire_command():
    """Release the stock of orders that ended without a sale (run every few minutes): card and VietQR orders
    not paid in time, pickups not collected, cash-on-delivery parts no seller confirmed in time."""
    click.echo(f"{payments.expire_overdue()} unpaid order(s) expired.")
    click.echo(f"{payments.expire_unconfirmed_cod()} unconfirmed cash-on-delivery part(s) cancelled.")


@orders_cli.command("settle")
def settle_command():
    """Post to the money ledger what every order's state makes due and is not posted yet: once, after the
    upgrade that brought the ledger (migration 0035), for the orders placed before it. Each order in its
    own transaction; running it again posts nothing."""
    def entries() -> int:
        return db.session.scalar(select(func.count(MoneyEntry.id)))

    before = entries()
    order_ids = db.session.scalars(select(Order.id).order_by(Order.id)).all()
    for order_id in order_ids:
        run(services.settle, order_id)
    click.echo(f"{len(order_ids)} order(s) settled: {entries() - before} ledger entries posted.")
