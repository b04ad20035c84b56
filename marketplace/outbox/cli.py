import click
from flask.cli import with_appcontext

from .services import failed, send_pending


@click.group("outbox", help="Queued emails.")
def outbox_cli():
    pass


@outbox_cli.command("send", help="Send the queued emails that are due through MAIL_BACKEND (console, file or smtp).")
@click.option("--limit", default=500, show_default=True, help="At most this many in one run.")
@with_appcontext
def send_command(limit: int):
    done = send_pending(limit)
    click.echo(f"{done.sent} emails sent, {done.failed} failed (tried again later), {done.given_up} given up.")


@outbox_cli.command("failed", help="The emails given up after every attempt (the dead letters), newest first.")
@with_appcontext
def failed_command():
    for email in failed():
        click.echo(f"{email.id}\t{email.failed_at:%Y-%m-%d %H:%M}\t{email.to}\t{email.subject}\t{email.error}")
