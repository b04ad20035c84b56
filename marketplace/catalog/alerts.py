"""'Tell me when it is back': a shopper leaves an address on a product that has nothing to ship, and gets one
email when its seller can ship it again.

One alert per product and address (asking again re-arms it). The emails are queued by the transaction that
brings the stock back, whatever brought it (a receipt, a count, a cancelled order's release, a return): the
stock ledger notes which products went up, and this module's before-commit hook claims their waiting
alerts (a guarded UPDATE … WHERE sent_at IS NULL, so one is sent once even if two transactions race) for
those that are listable and can be shipped now."""
from __future__ import annotations

import datetime as dt

from flask import has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, UniqueConstraint, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db
from ..i18n import localized
from ..inventory.queries import online_available
from ..inventory.services import take_raised
from ..models_base import UTCDateTime, upsert, utcnow
from ..outbox.services import queue_email
from ..unit_of_work import on_whole_rollback
from ..urls import public_url
from .services import listings_by_ids


class StockAlert(db.Model):
    __tablename__ = "stock_alerts"
    __table_args__ = (UniqueConstraint("product_id", "email", name="uq_stock_alerts_product_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)


def ask(product_id: int, email: str, locale: str) -> None:
    """Wait for this product at this address, in the caller's unit of work: one statement that makes the
    alert or re-arms it, so asking twice (or twice at the same moment) leaves one."""
    statement = upsert(StockAlert).values(product_id=product_id, email=email.strip().lower(), locale=locale,
                                                  created_at=utcnow())
    db.session.execute(statement.on_conflict_do_update(index_elements=["product_id", "email"],
                                                       set_={"sent_at": None, "locale": locale}))



def send_back_in_stock(product_ids: set[int]) -> int:
    """Queue the emails for the products among these that are on sale and can be shipped now."""
    ready = [pid for pid, units in online_available(sorted(product_ids)).items() if units > 0]
    listings = {listing.product.id: listing for listing in listings_by_ids(ready)}
    if not listings:
        return 0
    sent = 0
    for alert in db.session.scalars(select(StockAlert).where(StockAlert.product_id.in_(list(listings)),
                                                             StockAlert.sent_at.is_(None))).all():
        claimed = db.session.execute(update(StockAlert).where(StockAlert.id == alert.id, StockAlert.sent_at.is_(None))
                                     .values(sent_at=utcnow()).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            continue
        product = listings[alert.product_id].product
        with force_locale(alert.locale):
            name = localized(product.name, product.name_en)
            queue_email(alert.email, _("%(product)s is back in stock", product=name), "notice", name="",
                        paragraphs=[_("You asked us to tell you. It can be ordered now, while stock lasts.")],
                        url=public_url("catalog.product", product_id=product.id))
        sent += 1
    return sent


def _before_commit(session) -> None:
    raised = take_raised(session)
    if raised and has_app_context():
        send_back_in_stock(raised)


def _forget(session, *_args) -> None:
    take_raised(session)


def register() -> None:
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)
        on_whole_rollback(_forget)
