"""Search: one interface, two backends (Whoosh, the embedded default; PostgreSQL full text).

`SEARCH_BACKEND` = `whoosh` (default), `postgres` (needs a PostgreSQL DATABASE_URL) or `none`."""
from __future__ import annotations


def make_backend(app):
    from ..extensions import db

    choice = app.config.get("SEARCH_BACKEND", "whoosh")
    if choice == "none":
        return None
    if choice == "postgres":
        from .postgres_backend import PostgresBackend
        with app.app_context():
            engine = db.engine
        if engine.dialect.name != "postgresql":
            raise RuntimeError("SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL")
        return PostgresBackend(engine)
    if choice == "whoosh":
        from .whoosh_backend import WhooshBackend
        return WhooshBackend(app.config["SEARCH_INDEX_DIR"])
    raise RuntimeError(f"unknown SEARCH_BACKEND {choice!r}: use whoosh, postgres or none")


def init_app(app) -> None:
    from . import hooks
    from .cli import search_cli

    app.extensions["search"] = make_backend(app)
    hooks.register()
    app.cli.add_command(search_cli)
