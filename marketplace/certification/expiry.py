"""The 30-day warning before a recognition ends (DESIGN §1: the issuer warns the producer)."""
from __future__ import annotations

import datetime as dt

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from .. import ocop
from ..extensions import db
from ..models_base import utcnow
from ..outbox.services import queue_email
from ..transitions import claim
from ..unit_of_work import run
from .models import EvaluationRecord
from .services import expiring


def send_reminders(today: dt.date | None = None) -> int:
    """Queue one email per recognition in force that ends within 30 days and was not yet reminded, in the
    caller's unit of work; each reminder is claimed, so two runs at once never send it twice."""
    today = today or ocop.today()
    horizon = today + dt.timedelta(days=ocop.EXPIRY_WARNING_DAYS)
    candidates = db.session.scalars(select(EvaluationRecord).where(
        EvaluationRecord.reminded_at.is_(None), EvaluationRecord.valid_until <= horizon,
        EvaluationRecord.valid_until > today)).all()
    count = 0
    for record in expiring(candidates, today):
        if not claim(record, EvaluationRecord.reminded_at.is_(None), reminded_at=utcnow()):
            continue
        seller = record.product.seller
        with force_locale("vi"):
            subject = _("OCOP recognition %(number)s of %(product)s ends on %(date)s",
                        number=record.decision_no, product=record.product.name,
                        date=record.valid_until.strftime("%d/%m/%Y"))
            advice = _("Ask the provincial OCOP office for re-evaluation: after that day the product is no longer "
                       "shown or sold as an OCOP product.")
            for address in seller.email_addresses:
                queue_email(address, subject, "notice", name=seller.legal_name, paragraphs=[advice])
        count += 1
    return count


def remind() -> int:
    """The daily job: `send_reminders` as its own unit of work."""
    return run(send_reminders)
