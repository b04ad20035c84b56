"""Two app servers for real: two gunicorn instances, each with its own instance folder, and one job worker, on
one PostgreSQL, one Redis and one S3-compatible store, with PostgreSQL search. A seller uploads a photo and
edits a product on one server; a shopper sees it, finds it and orders it on the other; the worker sends the
order's email once."""
import io
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from marketplace.accounts.services import create_user
from marketplace.extensions import db
from marketplace.outbox.models import OutboxEmail

from .conftest import BUCKET
from .helpers import PASSWORD, jpeg, stocked

ROOT = Path(__file__).resolve().parent.parent
REDIS = "redis://127.0.0.1:6379/13"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

requests = pytest.importorskip("requests")
pytestmark = pytest.mark.skipif(not (os.environ.get("DATABASE_URL") or "").startswith("postgres"),
                                reason="two servers share one PostgreSQL: runs when the tests run on PostgreSQL")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=10).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or still loading
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def _until(check, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    return check()


@pytest.fixture
def deployment(tmp_path, s3_server, bucket):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    env = {k: v for k, v in os.environ.items() if k not in ("MARKETPLACE_CONFIG", "PUBLIC_BASE_URL")}
    env |= {"MARKETPLACE_CONFIG": "development", "SECRET_KEY": "9" * 48, "REDIS_URL": REDIS,
            "SEARCH_BACKEND": "postgres", "S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": s3_server,
            "S3_REGION": "us-east-1", "MAIL_BACKEND": "file"}
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    servers, processes = [], []
    for name in ("a", "b"):
        port = _free_port()
        processes.append(subprocess.Popen([gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT,
                                          env=env | {"INSTANCE_PATH": str(tmp_path / name)},
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        servers.append(f"http://127.0.0.1:{port}")
    worker_home = tmp_path / "worker"
    worker_log = open(tmp_path / "worker.log", "w")  # noqa: SIM115  (closed with the fixture)
    processes.append(subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker"], cwd=ROOT,
                                      env=env | {"INSTANCE_PATH": str(worker_home)},
                                      stdout=worker_log, stderr=subprocess.STDOUT))
    try:
        deadline = time.monotonic() + 60
        for server in servers:
            _wait(server + "/", deadline)
        yield servers, worker_home
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        worker_log.close()
        print((tmp_path / "worker.log").read_text()[-5000:])  # shown when the test fails


def _token(session, url) -> str:
    return TOKEN.search(session.get(url, timeout=10).text).group(1)


def test_a_seller_on_one_server_and_a_shopper_on_the_other(deployment, make):
    (one, other), worker_home = deployment
    tea = stocked(make, make.seller(), "Chè búp Tân Cương", 120000, 10)
    create_user("htx@tancuong.vn", "HTX", PASSWORD, role="seller", seller_id=tea.seller_id)
    db.session.commit()

    seller = requests.Session()
    signed_in = seller.post(f"{one}/account/sign-in", allow_redirects=False, timeout=10, data={
        "csrf_token": _token(seller, f"{one}/account/sign-in"), "email": "htx@tancuong.vn", "password": PASSWORD})
    assert signed_in.status_code == 302
    edited = seller.post(f"{one}/seller/products/{tea.id}", allow_redirects=False, timeout=30, data={
        "csrf_token": _token(seller, f"{one}/seller/products/{tea.id}"), "price_vnd": "135000",
        "weight_grams": "220", "status": "active", "name_en": "Tan Cuong tea buds"},
        files={"photos": ("che.jpg", io.BytesIO(jpeg(1000, 800)), "image/jpeg")})
    assert edited.status_code == 303

    shopper = requests.Session()
    page = shopper.get(f"{other}/products/{tea.id}", timeout=10).text
    assert "135.000" in page
    photo = re.search(r'<img src="(/media/products/[0-9a-f]+[^"]*)"', page).group(1)
    answer = shopper.get(other + photo, timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("image/")
    found = _until(lambda: f"/products/{tea.id}\"" in shopper.get(f"{other}/search?q=che+bup", timeout=10).text)
    assert found, "the worker indexed the edit in PostgreSQL"

    order = shopper.post(f"{other}/api/v1/orders", timeout=30, json={
        "items": [{"product_id": tea.id, "quantity": 2}], "payment": "cod",
        "contact": {"name": "Nguyễn Văn An", "phone": "0912 345 678", "email": "an@example.vn"},
        "address": {"province": 19, "ward": "Phường Phan Đình Phùng", "street": "12 Hoàng Văn Thụ"}})
    assert order.status_code == 201, order.text
    number = order.json()["number"]

    def sent_to_buyer():
        db.session.expire_all()
        emails = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to == "an@example.vn")).all()
        return emails if emails and all(e.sent_at for e in emails) else None

    emails = _until(sent_to_buyer)
    assert emails and any(number in e.subject or number in e.body for e in emails)
    time.sleep(1)  # a second sender would have sent by now
    assert not any((home / "mail").exists() for home in (worker_home.parent / "a", worker_home.parent / "b"))
    files = list((worker_home / "mail").glob("*.eml"))
    assert sorted(int(f.stem) for f in files if b"an@example.vn" in f.read_bytes()) == sorted(e.id for e in emails)
