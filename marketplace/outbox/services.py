"""Queue an email with the change it announces; deliver queued emails through a backend.

An email is written from two templates, `templates/emails/<name>.txt` (the plain-text part, which every
mail program shows) and `templates/emails/<name>.html`, in the language the caller chose (`force_locale`),
at the moment of the change: what it says is what was true then."""
from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import sys
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app, has_app_context, render_template
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from .. import jobs
from ..extensions import db
from ..models_base import utcnow
from ..unit_of_work import on_whole_rollback, run
from .models import OutboxEmail

log = logging.getLogger(__name__)


def queue_email(to: str | None, subject: str, template: str, **context) -> OutboxEmail | None:
    """Add an email to the outbox in the caller's transaction (nothing is sent if it rolls back): `subject`,
    and the body from the templates emails/<template>.txt and .html with `context`."""
    if not to:
        return None
    subject = " ".join(subject.split())  # one line, whatever a name in it holds
    body = render_template(f"emails/{template}.txt", subject=subject, **context)
    html = render_template(f"emails/{template}.html", subject=subject, **context)
    email = OutboxEmail(to=to, subject=subject, body=body, html=html)
    db.session.add(email)
    return email


def _message(email: OutboxEmail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = email.to
    message["Subject"] = email.subject
    message.set_content(email.body)
    if email.html:
        message.add_alternative(email.html, subtype="html")
    return message


def _deliver(email: OutboxEmail) -> None:
    backend = current_app.config["MAIL_BACKEND"]
    message = _message(email)
    if backend == "console":  # the terminal running the shop (`make run`): a newcomer reads the links there
        print(f"\n----- email to {email.to}: {email.subject}\n{email.body}\n-----", file=sys.stdout, flush=True)
    elif backend == "file":
        directory = os.path.join(current_app.instance_path, "mail")
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, f"{email.id:06d}.eml"), "wb") as f:
            f.write(bytes(message))
    elif backend == "smtp":
        config = current_app.config
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=20) as smtp:
            if config["SMTP_STARTTLS"]:
                smtp.starttls()
            if config["SMTP_USERNAME"]:
                smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
            smtp.send_message(message)
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")


MAX_ATTEMPTS = 8  # then the email is given up (failed_at) and listed by `flask outbox failed`
CLAIM = dt.timedelta(minutes=5)  # a sender that dies mid-send releases its email after this


def _backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4 … minutes after each failure, at most a day."""
    return min(dt.timedelta(minutes=2 ** (attempts - 1)), dt.timedelta(days=1))


CLAIM_BATCH = 10  # emails claimed at once: sent well within CLAIM even at SMTP's 20-second timeout each


def _claim_due(limit: int) -> tuple[list[int], dt.datetime]:
    """Take up to `limit` emails that are due for this sender, in the caller's transaction: their ids are read
    with FOR UPDATE SKIP LOCKED (on PostgreSQL: senders at the same moment each take different emails
    instead of waiting on each other), then claimed by one guarded update whose RETURNING says which this
    sender has (on any database, a second claim of one email is impossible)."""
    now = utcnow()
    unclaimed = (OutboxEmail.sent_at.is_(None), OutboxEmail.failed_at.is_(None),
                 or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now))
    due = db.session.scalars(
        select(OutboxEmail.id)
        .where(*unclaimed, or_(OutboxEmail.next_attempt_at.is_(None), OutboxEmail.next_attempt_at <= now))
        .order_by(OutboxEmail.id).limit(limit).with_for_update(skip_locked=True)).all()
    until = now + CLAIM
    if not due:
        return [], until
    return sorted(db.session.scalars(
        update(OutboxEmail).where(OutboxEmail.id.in_(due), *unclaimed)
        .values(claimed_until=until).returning(OutboxEmail.id)
        .execution_options(synchronize_session=False)).all()), until


def _still_mine(email_id: int, until: dt.datetime) -> dt.datetime | None:
    """Just before sending: renew this sender's claim, if it still holds it (a slow batch may have outlived
    its claim, and another sender taken the email); the new claim, or None."""
    renewed = utcnow() + CLAIM
    held = db.session.execute(
        update(OutboxEmail).where(OutboxEmail.id == email_id, OutboxEmail.claimed_until == until,
                                  OutboxEmail.sent_at.is_(None))
        .values(claimed_until=renewed).execution_options(synchronize_session=False)).rowcount == 1
    return renewed if held else None


def _sent(email_id: int) -> None:
    db.session.execute(update(OutboxEmail).where(OutboxEmail.id == email_id)
                       .values(sent_at=utcnow(), error=None, claimed_until=None)
                       .execution_options(synchronize_session=False))


def _failed(email_id: int, error: str) -> bool:
    """Note a failed attempt: try again later, or give up after MAX_ATTEMPTS. True when given up."""
    email = db.session.get(OutboxEmail, email_id, populate_existing=True)
    attempts = (email.attempts or 0) + 1
    now = utcnow()
    given_up = attempts >= MAX_ATTEMPTS
    db.session.execute(update(OutboxEmail).where(OutboxEmail.id == email_id)
                       .values(attempts=attempts, error=error[:2000], claimed_until=None,
                               next_attempt_at=None if given_up else now + _backoff(attempts),
                               failed_at=now if given_up else None)
                       .execution_options(synchronize_session=False))
    return given_up


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    given_up: int = 0


def send_pending(limit: int = 100) -> Delivery:
    """Deliver the emails that are due, claimed first a few at a time in their own transaction, so two senders
    at once (two workers, a cron line and a hand-run command) never send one twice. A failure waits longer each time
    and never holds back the emails behind it; after MAX_ATTEMPTS it is given up. Commits as it goes (the
    claims must be seen by other senders before the mail leaves)."""
    done = Delivery()
    while limit > 0:
        claimed, until = run(_claim_due, min(CLAIM_BATCH, limit))
        if not claimed:
            break
        limit -= len(claimed)
        for email_id in claimed:
            _send_one(email_id, until, done)
    return done


def _send_one(email_id: int, until: dt.datetime, done: Delivery) -> None:
    if run(_still_mine, email_id, until) is None:
        return  # this sender was too slow: another has it now
    email = db.session.get(OutboxEmail, email_id, populate_existing=True)
    try:
        _deliver(email)
    except Exception as error:  # keep going: one bad address must not block the others
        log.exception("email %s could not be sent", email_id)
        done.failed += 1
        done.given_up += run(_failed, email_id, repr(error))
    else:
        run(_sent, email_id)
        done.sent += 1


def failed(limit: int = 100) -> list[OutboxEmail]:
    """The emails given up (the dead letters), newest first."""
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.failed_at.is_not(None))
                              .order_by(OutboxEmail.failed_at.desc()).limit(limit)).all()


# --- Delivered soon after the commit that queued them -----------------------------------------------------
# With MAIL_SEND_ON_COMMIT (the default but in the tests), a commit that queued emails enqueues a sending job:
# a job worker delivers them within seconds (in-process without Redis: `make run` shows them in its terminal).
# The scheduler also sends the outbox every minute, so what a failed job or a restart left is not forgotten.

_QUEUED = "outbox_queued"


def _note_queued(session, _flush_context) -> None:
    if any(isinstance(obj, OutboxEmail) for obj in session.new):
        session.info[_QUEUED] = True


def _send_soon(session) -> None:
    if session.info.pop(_QUEUED, False) and has_app_context() and current_app.config.get("MAIL_SEND_ON_COMMIT"):
        jobs.enqueue(send_pending)


def _forget(session, *_args) -> None:
    session.info.pop(_QUEUED, None)


def register() -> None:
    if not event.contains(Session, "after_flush", _note_queued):
        event.listen(Session, "after_flush", _note_queued)
        event.listen(Session, "after_commit", _send_soon)
        on_whole_rollback(_forget)
