"""`flask combos import FILE [--dry-run]`: load the gift combos curated for the shop (all or nothing)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from ..catalog.tables import ImportFileError
from ..unit_of_work import rehearse, run
from .importer import COLUMNS, import_file


@click.group("combos", help="Gift combos: boxes of OCOP products curated by the office and the sales points.")
def combos_cli():
    pass


@combos_cli.command("import", help="Import a CSV (UTF-8) or XLSX file of combos, for every province (the operator's "
                                   "import). Columns: " + ",".join(COLUMNS) + ". items: GTIN:quantity;…")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check and count, write nothing.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="Language of the messages.")
@with_appcontext
def import_command(path: str, dry_run: bool, lang: str):
    with force_locale(lang):
        try:
            result = (rehearse if dry_run else run)(import_file, path)
        except ImportFileError as error:
            raise click.ClickException(_("Nothing was imported: %(reason)s", reason=error)) from error
        if not result.ok:
            click.echo(_("Nothing was imported: %(count)d of %(rows)d rows have errors.",
                         count=len(result.errors), rows=result.rows), err=True)
            for row_error in result.errors:
                click.echo("  " + str(row_error), err=True)
            raise SystemExit(1)
        click.echo(_("%(rows)d rows read. Combos: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.",
                     rows=result.rows, created=result.created, updated=result.updated, unchanged=result.unchanged))
        if dry_run:
            click.echo(_("Dry run: nothing was written."))
