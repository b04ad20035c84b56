"""The visitor's currency (kept in the session) and the `approx` filter beside every price."""
from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for
from flask_babel import format_currency
from flask_babel import gettext as _

from ..i18n import date
from ..urls import safe_next
from . import services
from .models import CURRENCIES

bp = Blueprint("rates", __name__)
SESSION_KEY = "currency"


def chosen_currency() -> str | None:
    code = session.get(SESSION_KEY)
    return code if code in CURRENCIES else None


@bp.get("/currency")
def choose():
    """The header's currency picker (a GET form: works without JavaScript); VND shows đồng only."""
    code = request.args.get("code", "")
    if code in CURRENCIES:
        session[SESSION_KEY] = code
    else:
        session.pop(SESSION_KEY, None)
    return redirect(safe_next(request.args.get("next"), url_for("catalog.home")))


def approx(amount_vnd: int | None) -> str:
    """"≈ US$4.72" in the visitor's currency, or "" (đồng chosen, no rate kept, no amount)."""
    code = chosen_currency()
    if amount_vnd is None or code is None:
        return ""
    value = services.convert(int(amount_vnd), code)
    return "" if value is None else _("≈ %(amount)s", amount=format_currency(value, code))


def rate_note() -> str:
    """Which rate the approximate prices use, and that the buyer pays in đồng."""
    code = chosen_currency()
    rate = services.current_rates().get(code) if code else None
    if rate is None:
        return ""
    return _("Prices in %(currency)s are approximate, at the rate of %(day)s: you pay in đồng (VND).",
             currency=code, day=date(rate.as_of))


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(approx, "approx")
    app.add_template_global(rate_note, "rate_note")
    app.add_template_global(chosen_currency, "chosen_currency")
    app.add_template_global(CURRENCIES, "CURRENCIES")
