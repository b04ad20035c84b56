from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_base import UTCDateTime, one_of, utcnow

# The currencies a visitor may read prices in (Vietnam's largest tourist markets, and the common ones).
CURRENCIES = ("USD", "EUR", "KRW", "JPY", "CNY", "AUD")


class ExchangeRate(db.Model):
    """What one unit of a currency is worth in đồng, as of a day; appended, never changed (the newest
    of a currency is the one shown)."""
    __tablename__ = "exchange_rates"
    __table_args__ = (one_of("currency", CURRENCIES), CheckConstraint("vnd_per_unit > 0", name="positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), index=True)
    vnd_per_unit: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    as_of: Mapped[dt.date]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
