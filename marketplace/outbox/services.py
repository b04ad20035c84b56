"""Queue an email with the change it announces; deliver queued emails through a backend.

An email is written from two templates, `templates/emails/<name>.txt` (the plain-text part, which every
mail program shows) and `templates/emails/<name>.html`, in the language the caller chose (`force_locale`),
at the moment of the change: what it says is what was true then."""
from __future__ import annotations

import logging
import os
import smtplib
import sys
import threading
from email.message import EmailMessage

from flask import current_app, has_app_context, render_template
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..models_base import utcnow
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


def send_pending(limit: int = 100) -> int:
    """Deliver queued emails, in the caller's unit of work; a failure is recorded on the email and retried
    next time. (Two runs at once may still send an email twice: claiming rows is issue 15's.)"""
    sent = 0
    for email in db.session.scalars(select(OutboxEmail).where(OutboxEmail.sent_at.is_(None))
                                    .order_by(OutboxEmail.id).limit(limit)):
        try:
            _deliver(email)
            email.sent_at, email.error = utcnow(), None
            sent += 1
        except Exception as error:  # keep going: one bad address must not block the others
            log.exception("email %s could not be sent", email.id)
            email.error = repr(error)
    return sent


# --- `make run`: deliver as soon as the email's transaction commits ---------------------------------------
# With MAIL_SEND_ON_COMMIT (the development default), a commit that queued emails starts a thread that sends
# the outbox, so a person trying the shop sees the confirmation or reset email in the terminal at once. One
# thread at a time in a process. Production sends with `flask outbox send` (cron, or the job queue).

_sending = threading.Lock()
_QUEUED = "outbox_queued"


def _note_queued(session, _flush_context) -> None:
    if any(isinstance(obj, OutboxEmail) for obj in session.new):
        session.info[_QUEUED] = True


def _send_in_background(session) -> None:
    if not session.info.pop(_QUEUED, False) or not has_app_context():
        return
    if not current_app.config.get("MAIL_SEND_ON_COMMIT"):
        return
    app = current_app._get_current_object()

    def send() -> None:
        with _sending, app.app_context():
            try:
                send_pending()
                db.session.commit()
            except Exception:  # the emails stay queued for `flask outbox send`
                log.exception("sending the outbox after a commit failed")
                db.session.rollback()
            finally:
                db.session.remove()

    threading.Thread(target=send, name="outbox", daemon=True).start()


def _forget(session, *_args) -> None:
    session.info.pop(_QUEUED, None)


def register() -> None:
    if not event.contains(Session, "after_flush", _note_queued):
        event.listen(Session, "after_flush", _note_queued)
        event.listen(Session, "after_commit", _send_in_background)
        event.listen(Session, "after_rollback", _forget)
