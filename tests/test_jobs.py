"""Background jobs: on RQ with Redis (a real worker, retries, the dead letters), in-process without it, and
a job that fails never turns the request that committed into an error."""
import time

import pytest
from sqlalchemy import select

from marketplace import jobs
from marketplace.extensions import db
from marketplace.outbox.models import OutboxEmail
from marketplace.outbox.services import queue_email
from marketplace.products.models import Product
from marketplace.unit_of_work import run

from .helpers import seller_signs_in

REDIS = "redis://127.0.0.1:6379/14"


def boom(n):
    raise RuntimeError(f"job {n} cannot work")


def _redis():
    redis = pytest.importorskip("redis")
    try:
        connection = redis.Redis.from_url(REDIS)
        connection.flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return connection


def _queue_email(shop, to):
    with shop.app_context():
        run(queue_email, to, "Xin chào", "notice", name="An", paragraphs=["Một dòng."], url=None)
        db.session.remove()


def _sent(shop, to) -> bool:
    with shop.app_context():
        email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to == to))
        db.session.remove()
        return email.sent_at is not None


def test_a_commit_queues_its_email_on_redis_and_a_worker_sends_it(app_with):
    redis = _redis()
    shop = app_with(REDIS_URL=REDIS, JOBS_EAGER=False, MAIL_SEND_ON_COMMIT=True)
    _queue_email(shop, "khach@example.vn")
    assert not _sent(shop, "khach@example.vn")  # the request is done; the work waits for a worker
    assert redis.llen("rq:queue:default") == 1
    with shop.app_context():
        result = shop.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert _sent(shop, "khach@example.vn") and redis.llen("rq:queue:default") == 0


def test_a_job_that_fails_every_attempt_is_a_dead_letter_and_can_be_retried(app_with, monkeypatch):
    _redis()
    monkeypatch.setattr(jobs, "RETRY_WAITS", [0, 0])  # retried at once, twice
    shop = app_with(REDIS_URL=REDIS, JOBS_EAGER=False)
    with shop.app_context():
        jobs.enqueue(boom, 7)
        queue = shop.extensions["jobs"].rq_queue()
    runner = shop.test_cli_runner()
    with shop.app_context():
        assert runner.invoke(args=["jobs", "worker", "--burst"]).exit_code == 0
        assert queue.failed_job_registry.count == 1
        listed = runner.invoke(args=["jobs", "failed"]).output
        assert "tests.test_jobs.boom(7,)" in listed and "RuntimeError: job 7 cannot work" in listed
        assert "1 jobs queued again" in runner.invoke(args=["jobs", "retry"]).output
    assert queue.count == 1


def test_without_redis_reachable_the_job_runs_in_the_process(app_with):
    shop = app_with(REDIS_URL="redis://127.0.0.1:1/0", JOBS_EAGER=False, MAIL_SEND_ON_COMMIT=True)
    _queue_email(shop, "khach2@example.vn")  # returns although Redis cannot be reached
    deadline = time.monotonic() + 10
    while not _sent(shop, "khach2@example.vn") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _sent(shop, "khach2@example.vn")


def test_a_failing_index_update_never_fails_the_edit_that_committed(client, make, monkeypatch):
    from marketplace.search import hooks

    def broken(*_args):
        raise RuntimeError("the index is on fire")

    monkeypatch.setattr(hooks, "reindex_products", broken)
    product = make.listed(name="Trà Tân Cương")
    db.session.commit()
    seller_signs_in(client, product.seller)
    form = {"name": product.name, "group_code": product.group_code, "unit": product.unit, "gtin": product.gtin,
            "price_vnd": "199000", "status": "active", "weight_grams": "200"}
    answer = client.post(f"/seller/products/{product.id}", data=form)
    assert answer.status_code == 303
    db.session.expire_all()
    assert db.session.get(Product, product.id).price_vnd == 199000


SCRIPT = """
import sys
from marketplace import create_app
from marketplace.outbox.services import queue_email
from marketplace.unit_of_work import run
app = create_app("development", {"SQLALCHEMY_DATABASE_URI": sys.argv[1], "INSTANCE_PATH": sys.argv[2],
                                 "MAIL_BACKEND": "file", "SEARCH_BACKEND": "none", "REDIS_URL": ""})
with app.app_context():
    run(queue_email, "khach3@example.vn", "Xin chào", "notice", name="An", paragraphs=["Một dòng."], url=None)
"""


def test_a_command_that_exits_at_once_still_does_its_jobs(app, tmp_path):
    import subprocess
    import sys
    from pathlib import Path
    done = subprocess.run([sys.executable, "-c", SCRIPT, app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path)],
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _sent(app, "khach3@example.vn")  # sent by the exiting process, before it exited


def test_the_scheduler_without_redis_runs_each_periodic_job_when_it_is_due(app, monkeypatch):
    import datetime as dt
    calls = []

    def every_minute():
        calls.append("minute")

    def daily():
        calls.append("daily")

    jobs_of_app = app.extensions["jobs"]
    monkeypatch.setattr(jobs_of_app, "periodic", [jobs.Periodic(every_minute, seconds=60),
                                                  jobs.Periodic(daily, cron="0 1 * * *")])
    start = dt.datetime(2026, 11, 29, 0, 30, tzinfo=dt.UTC).timestamp()
    due = jobs_of_app.run_due({}, start)  # both run at first
    assert calls == ["minute", "daily"]
    due = jobs_of_app.run_due(due, start + 30)  # nothing due yet
    assert calls == ["minute", "daily"]
    due = jobs_of_app.run_due(due, start + 61)  # the minute's job again; the daily one waits for 01:00
    assert calls == ["minute", "daily", "minute"]
    jobs_of_app.run_due(due, start + 31 * 60)  # 01:01: both
    assert calls == ["minute", "daily", "minute", "minute", "daily"]
