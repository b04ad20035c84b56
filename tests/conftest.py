"""Test set-up: one app per session on a database built by the migrations (SQLite by default,
PostgreSQL when DATABASE_URL is set), emptied after every test."""
from __future__ import annotations

import datetime as dt
import os
import socket

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from openapi_spec_validator import validate as validate_spec

from config import database_url
from marketplace import create_app, ocop
from marketplace.accounts.services import create_user
from marketplace.extensions import db, limiter

from .factories import Factory
from .helpers import PASSWORD
from .stripe_fake import WEBHOOK_SECRET, FakeStripe


class PerRequestClient(FlaskClient):
    """pytest-flask keeps one app context open for the whole test, and Flask reuses it for the
    client's requests, so `g` (where Flask-Babel caches the locale and Flask-Login the signed-in user)
    would outlive a request: two clients would be served as whoever signed in last. In production every
    request has its own; clear them here so each request starts afresh."""

    def open(self, *args, **kwargs):
        if has_app_context():
            g.pop("_flask_babel", None)
            g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    uri = database_url(os.environ.get("DATABASE_URL")) or f"sqlite:///{instance}/test.sqlite"
    app = create_app("testing", {
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": uri,
        "UPLOAD_DIR": str(instance / "uploads"),
    })
    app.test_client_class = PerRequestClient
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


@pytest.fixture(autouse=True)
def _fresh_search_index(app, tmp_path):
    """Each test starts with an empty Whoosh index of its own (the default backend)."""
    from marketplace.search.whoosh_backend import WhooshBackend
    previous = app.extensions["search"]
    app.extensions["search"] = WhooshBackend(str(tmp_path / "search-index"))
    yield
    app.extensions["search"].close()
    app.extensions["search"] = previous


@pytest.fixture(autouse=True)
def _fresh_private_uploads(app, tmp_path, monkeypatch):
    """Each test has its own folder for registration certificates."""
    monkeypatch.setitem(app.config, "PRIVATE_UPLOAD_DIR", str(tmp_path / "private"))


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


@pytest.fixture
def app_with(app):
    """Another app on the same database, with protections the test app leaves off (CSRF, rate limits).
    Flask-Limiter keeps `enabled` on its one Limiter object, so it is switched back off afterwards."""
    def build(**overrides):
        return create_app("testing", {
            "INSTANCE_PATH": app.instance_path, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "UPLOAD_DIR": app.config["UPLOAD_DIR"], "SEARCH_BACKEND": "none"} | overrides)

    yield build
    limiter.enabled = app.config["RATELIMIT_ENABLED"]


# --- Shared by several modules: the served API document, the shop with VietQR and a local Stripe ---------

@pytest.fixture
def spec(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate_spec(document)
    return document

@pytest.fixture
def fake_stripe():
    fake = FakeStripe()
    yield fake
    fake.close()

@pytest.fixture
def shop(app, monkeypatch, fake_stripe):
    """The shop with VietQR (the operator's account) and cards (Stripe, here the local fake) switched on."""
    for key, value in {"VIETQR_BANK_BIN": "970436", "VIETQR_ACCOUNT_NO": "0011001234567",
                       "VIETQR_ACCOUNT_NAME": "TRUNG TAM XUC TIEN OCOP", "VIETQR_BANK_NAME": "Vietcombank",
                       "STRIPE_SECRET_KEY": "sk_test_local", "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
                       "STRIPE_API_BASE": fake_stripe.url}.items():
        monkeypatch.setitem(app.config, key, value)
    return fake_stripe


# --- Sellers with an account ------------------------------------------------------------------------------

@pytest.fixture
def seller_user(make):
    seller = make.seller(legal_name="HTX Chè Tân Cương", province_code=19, email="htx@tancuong.vn")
    create_user("htx@tancuong.vn", "Bình", PASSWORD, role="seller", seller_id=seller.id)
    db.session.commit()
    return seller

@pytest.fixture
def other_seller(make):
    seller = make.seller(legal_name="HTX Khác", province_code=19)
    create_user("khac@example.vn", "Khác", PASSWORD, role="seller", seller_id=seller.id)
    db.session.commit()
    return seller


@pytest.fixture
def homestay(make):
    """A 4★ homestay in Sơn La (group VI), its host's login, and a tea that is not an experience."""
    from .helpers import find_user_of
    seller = make.seller(legal_name="HTX Du lịch cộng đồng Bản Áng", province_code=14)
    stay = make.listed(seller=seller, name="Homestay Bản Áng", price_vnd=450_000, group_code="VI")
    tea = make.listed(seller=seller, name="Trà Shan tuyết", price_vnd=150_000, group_code="I.5")
    return stay, tea, find_user_of(seller)


# --- An S3-compatible store: a local moto server, for the storage and the two-server tests --------------

BUCKET = "ocop-uploads"


@pytest.fixture(scope="session")
def s3_server():
    server_module = pytest.importorskip("moto.server")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, monkeypatch):
    import boto3
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    yield client
    for found in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=found["Key"])
    client.delete_bucket(Bucket=BUCKET)
