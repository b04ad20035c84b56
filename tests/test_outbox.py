"""The outbox's senders: each email claimed by one sender (two at once never send it twice), a failure tried
again later and later without holding back the others, given up after the last attempt, and an email whose
sender died sent again once its claim runs out."""
import datetime as dt
import threading

from sqlalchemy import select, update

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.outbox import services as outbox
from marketplace.outbox.models import OutboxEmail
from marketplace.unit_of_work import run


def _queue(*addresses):
    for address in addresses:
        outbox.queue_email(address, f"Đơn hàng cho {address}", "notice", name="An", paragraphs=[], url=None)
    db.session.commit()


def _recording(monkeypatch, refuse=()):
    delivered = []
    lock = threading.Lock()

    def deliver(email):
        if email.to in refuse:
            raise OSError(f"550 no such mailbox {email.to}")
        with lock:
            delivered.append(email.id)

    monkeypatch.setattr(outbox, "_deliver", deliver)
    return delivered


def test_two_senders_at_once_send_each_email_once(app, monkeypatch):
    _queue(*(f"khach{n}@example.vn" for n in range(30)))
    delivered = _recording(monkeypatch)
    start = threading.Barrier(3)
    failed = []

    def sender():
        with app.app_context():
            try:
                start.wait()
                outbox.send_pending(100)
            except Exception as error:  # reported to the test's thread
                failed.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == [] and sorted(delivered) == sorted(set(delivered)) and len(delivered) == 30
    db.session.expire_all()
    assert all(email.sent_at is not None for email in db.session.scalars(select(OutboxEmail)))


def test_dead_addresses_wait_and_never_hold_back_the_rest(app, monkeypatch):
    dead = [f"chet{n}@example.vn" for n in range(5)]
    _queue(*dead, "an@example.vn")
    delivered = _recording(monkeypatch, refuse=set(dead))
    first = outbox.send_pending(limit=3)
    assert (first.sent, first.failed) == (0, 3)
    second = outbox.send_pending(limit=3)  # the three that failed wait; the rest go
    assert (second.sent, second.failed) == (1, 2)
    good = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to == "an@example.vn"))
    assert good.id in delivered and good.sent_at is not None
    waiting = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to.in_(dead))).all()
    assert all(e.attempts == 1 and e.next_attempt_at > utcnow() and e.failed_at is None for e in waiting)
    assert outbox.send_pending(limit=10).failed == 0  # nothing due yet


def test_an_email_is_given_up_after_the_last_attempt_and_listed(app, monkeypatch):
    _queue("chet@example.vn")
    _recording(monkeypatch, refuse={"chet@example.vn"})
    email = db.session.scalar(select(OutboxEmail))
    email.attempts, email.next_attempt_at = outbox.MAX_ATTEMPTS - 1, utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    assert outbox.send_pending().given_up == 1
    db.session.refresh(email)
    assert email.failed_at is not None and email.attempts == outbox.MAX_ATTEMPTS
    listed = app.test_cli_runner().invoke(args=["outbox", "failed"])
    assert "chet@example.vn" in listed.output and "550 no such mailbox" in listed.output


def test_an_email_whose_sender_died_is_sent_once_its_claim_runs_out(app, monkeypatch):
    _queue("an@example.vn")
    email = db.session.scalar(select(OutboxEmail))
    assert run(outbox._claim_due, 1)[0] == [email.id]  # a sender took it, then died
    delivered = _recording(monkeypatch)
    assert outbox.send_pending().sent == 0  # still claimed
    email.claimed_until = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    said = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "1 emails sent" in said.output and delivered == [email.id]


def test_a_sender_too_slow_for_its_claim_leaves_the_rest_of_its_batch_to_the_other(app, monkeypatch):
    _queue("an@example.vn", "binh@example.vn")
    delivered = _recording(monkeypatch)
    claimed, until = run(outbox._claim_due, 10)  # a slow sender took both, then sat on them past its claim
    db.session.execute(update(OutboxEmail).values(claimed_until=utcnow() - dt.timedelta(seconds=1)))
    db.session.commit()
    assert outbox.send_pending().sent == 2  # another sender takes them over
    for email_id in claimed:  # the slow one wakes up: it sends nothing twice
        outbox._send_one(email_id, until, outbox.Delivery())
    assert sorted(delivered) == sorted(claimed)
