"""Counts the SQL statements of each request into the `X-Query-Count` header, so tests and
benchmarks can show that a page's query count does not grow with its items."""
from flask import g, has_request_context
from sqlalchemy import event

from .extensions import db


def init_app(app) -> None:
    @app.before_request
    def start_counting():
        g.query_count = 0

    @app.after_request
    def report(response):
        response.headers["X-Query-Count"] = str(g.get("query_count", 0))
        return response

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def count(*_args):
        if has_request_context() and "query_count" in g:
            g.query_count += 1
