import click
from flask.cli import with_appcontext

from ..unit_of_work import run
from .services import send_pending


@click.group("outbox", help="Queued emails.")
def outbox_cli():
    pass


@outbox_cli.command("send", help="Send the queued emails through MAIL_BACKEND (console, file or smtp).")
@with_appcontext
def send_command():
    click.echo(f"{run(send_pending)} emails sent.")
