"""The rates table and what a price in đồng is, approximately, in another currency."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import g
from sqlalchemy import func, select

from ..audit import audit
from ..extensions import db
from .models import CURRENCIES, ExchangeRate


def current_rates() -> dict[str, ExchangeRate]:
    """The newest rate of each currency (once per request: every price on a page reads it)."""
    if "exchange_rates" not in g:
        newest = (select(ExchangeRate.currency, func.max(ExchangeRate.id).label("id"))
                  .group_by(ExchangeRate.currency).subquery())
        g.exchange_rates = {rate.currency: rate for rate in db.session.scalars(
            select(ExchangeRate).join(newest, ExchangeRate.id == newest.c.id))}
    return g.exchange_rates


def set_rate(officer, currency: str, vnd_per_unit: Decimal, as_of: dt.date) -> ExchangeRate:
    """A new rate for a currency, audited; the caller's unit of work."""
    if currency not in CURRENCIES or vnd_per_unit <= 0:
        raise ValueError("a known currency and a positive rate")
    rate = ExchangeRate(currency=currency, vnd_per_unit=vnd_per_unit, as_of=as_of, set_by_id=officer.id)
    db.session.add(rate)
    db.session.flush()
    audit(officer, "exchange_rate.set", rate, None,
          {"currency": currency, "vnd_per_unit": str(vnd_per_unit), "as_of": as_of.isoformat()})
    g.pop("exchange_rates", None)
    return rate


def convert(amount_vnd: int, currency: str) -> Decimal | None:
    """The amount in `currency` at the newest rate; None without one."""
    rate = current_rates().get(currency)
    if rate is None:
        return None
    return Decimal(amount_vnd) / rate.vnd_per_unit
