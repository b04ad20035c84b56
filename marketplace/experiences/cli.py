"""`flask experiences import FILE [--as EMAIL] [--dry-run]`: load hosts' sessions from a file (all or nothing)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from ..accounts.services import find_user
from ..catalog.tables import ImportFileError
from ..unit_of_work import rehearse, run
from .importer import COLUMNS, ImportRefused, import_file
from .services import seat_problems


@click.group("experiences", help="Community-tourism experiences: the dated sessions of group VI products.")
def experiences_cli():
    pass


@experiences_cli.command("import", help="Import a CSV (UTF-8) or XLSX file of sessions, one a row, each of its "
                                        "seller's group VI product on sale. Columns: " + ",".join(COLUMNS) + ". "
                                        "starts_at: YYYY-MM-DD HH:MM in Vietnam time; languages: vi;en.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "as_email", metavar="EMAIL",
              help="Act as this office account: the audit names it and its province bounds the rows. Without it "
                   "the operator imports for every province, audited as the shop.")
@click.option("--dry-run", is_flag=True, help="Check and count, write nothing.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of the messages.")
@with_appcontext
def import_command(path: str, as_email: str | None, dry_run: bool, lang: str):
    with force_locale(lang):
        officer = None
        if as_email is not None:
            officer = find_user(as_email)
            if officer is None or officer.role != "office" or not officer.is_active:
                raise click.ClickException(_("Nothing was imported: %(email)s is not an active office account",
                                             email=as_email))
        try:
            result = (rehearse if dry_run else run)(import_file, path, officer=officer)
        except ImportFileError as error:
            raise click.ClickException(_("Nothing was imported: %(reason)s", reason=error)) from error
        except ImportRefused as refused:  # rolled back whole by `run` (or `rehearse`)
            click.echo(_("Nothing was imported: %(count)d of %(rows)d rows have errors.",
                         count=len(refused.result.errors), rows=refused.result.rows), err=True)
            for row_error in refused.result.errors:
                click.echo("  " + str(row_error), err=True)
            raise SystemExit(1) from refused
        click.echo(_("%(rows)d rows read. Sessions: %(created)d new.", rows=result.rows, created=result.created))
        if dry_run:
            click.echo(_("Dry run: nothing was written."))


@experiences_cli.command("check", help="Compare every session's seats taken with its bookings; exit 1 on a mismatch.")
@with_appcontext
def check_command():
    found = seat_problems()
    for problem in found:
        click.echo(problem, err=True)
    if found:
        raise SystemExit(1)
    click.echo("Every session's seats match its bookings.")
