"""`flask search reindex` and `flask search process-queue`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from .. import jobs
from ..extensions import db
from . import services
from .documents import count_listable


@click.group("search", help="The search index.")
def search_cli():
    pass


@search_cli.command("reindex", help="Rebuild the index into a new one and swap it in; searches keep answering.")
@click.option("--in-background", is_flag=True, help="Leave it to a job worker (flask jobs worker).")
@with_appcontext
def reindex_command(in_background: bool):
    engine = services.backend()
    if engine is None:
        raise click.ClickException("search is switched off (SEARCH_BACKEND=none)")
    if in_background:
        jobs.enqueue(services.rebuild)
        click.echo("Reindex queued.")
        return
    with Session(db.engine) as session:
        total = count_listable(session)
    with click.progressbar(length=total, label=f"Indexing {total} listable products ({engine.name})") as bar:
        indexed = services.rebuild(progress=bar.update)
    click.echo(f"Index rebuilt: {indexed} products.")


@search_cli.command("process-queue", help="Retry the products whose index update failed.")
@with_appcontext
def process_queue_command():
    click.echo(f"{services.process_queue()} products reindexed.")
