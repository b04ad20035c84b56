"""Test set-up: one app per session on a database built by the migrations (SQLite by default,
PostgreSQL when DATABASE_URL is set), emptied after every test."""
from __future__ import annotations

import datetime as dt
import os

import pytest
from flask_migrate import upgrade

from marketplace import create_app, ocop
from marketplace.extensions import db

from .factories import Factory


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    uri = os.environ.get("DATABASE_URL") or f"sqlite:///{instance}/test.sqlite"
    app = create_app("testing", {
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": uri,
        "UPLOAD_DIR": str(instance / "uploads"),
    })
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(autouse=True)
def _empty_database(app):
    yield
    with app.app_context():
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()
        db.session.remove()


@pytest.fixture
def make(app) -> Factory:
    return Factory()


@pytest.fixture
def today() -> dt.date:
    return ocop.today()


@pytest.fixture
def clock(monkeypatch):
    """Move the shop's idea of 'now' (Vietnam time) to another day."""
    def set_day(day: dt.date):
        monkeypatch.setattr(ocop, "_now", lambda: dt.datetime.combine(day, dt.time(9, 0), ocop.VN_TZ))
    return set_day
