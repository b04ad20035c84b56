"""Search: one interface, two backends (Whoosh, the embedded default; PostgreSQL full text).

`SEARCH_BACKEND` = `whoosh` (default), `postgres` (needs a PostgreSQL DATABASE_URL) or `none`."""
from __future__ import annotations

from ..extensions import db
from . import hooks
from .cli import search_cli
from .postgres_backend import PostgresBackend
from .whoosh_backend import WhooshBackend


def make_backend(app):
    choice = app.config.get("SEARCH_BACKEND", "whoosh")
    if choice == "none":
        return None
    if choice == "postgres":
        with app.app_context():
            engine = db.engine
        if engine.dialect.name != "postgresql":
            raise RuntimeError("SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL")
        return PostgresBackend(engine)
    if choice == "whoosh":
        return WhooshBackend(app.config["SEARCH_INDEX_DIR"])
    raise RuntimeError(f"unknown SEARCH_BACKEND {choice!r}: use whoosh, postgres or none")


def init_app(app) -> None:
    app.extensions["search"] = make_backend(app)
    hooks.register()
    app.cli.add_command(search_cli)
