"""`flask catalog import FILE`: load a provincial office's recognition decisions (sellers, products, council
results and opening stock, all or nothing)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from ..extensions import db
from ..products.images import make_renditions_of
from ..products.models import ProductImage
from ..unit_of_work import rehearse, run
from .importer import COLUMNS, import_file
from .tables import ImportFileError


@click.group("catalog", help="The OCOP catalogue: import recognition decisions, make photo renditions.")
def catalog_cli():
    pass


@catalog_cli.command("import", help="Import a CSV (UTF-8) or XLSX file, for every province (the operator's import; "
                                    "an officer imports at Office → Import, for their province). Columns: "
                                    + ", ".join(COLUMNS))
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
        click.echo(_("%(rows)d rows read. Sellers: %(sc)d new. Products: %(pc)d new, "
                     "%(pu)d updated. Recognitions: %(rc)d new, %(ru)d updated. Stock received: %(stock)d.",
                     rows=result.rows, sc=result.sellers_created,
                     pc=result.products_created, pu=result.products_updated,
                     rc=result.records_created, ru=result.records_updated, stock=result.stock_received))
        if dry_run:
            click.echo(_("Dry run: nothing was written."))


@catalog_cli.command("renditions", help="Make the WebP renditions cards and pages pick from (srcset) for product "
                                        "photos stored without them.")
@with_appcontext
def renditions_command():
    def make() -> int:
        images = db.session.scalars(db.select(ProductImage).where(ProductImage.widths.is_(None))).all()
        for image in images:
            image.widths = make_renditions_of(image.filename)
        return len(images)

    click.echo(f"{run(make)} photos")
