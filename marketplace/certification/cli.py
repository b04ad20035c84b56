"""`flask certificates remind`: tell producers whose recognition ends soon."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from .expiry import remind


@click.group("certificates", help="OCOP recognitions.")
def certificates_cli():
    pass


@certificates_cli.command("remind", help="Email producers whose recognition ends within 30 days (once each).")
@with_appcontext
def remind_command():
    click.echo(f"{remind()} reminders queued.")
