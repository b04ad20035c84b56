"""Locale choice, money and date formatting, and the template filters that use them.

Money is whole đồng (int) everywhere; this is the only place it becomes text.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, has_request_context, redirect, request, session, url_for
from flask_babel import format_currency, format_date, format_datetime, format_decimal, get_locale

from .urls import safe_next

bp = Blueprint("i18n", __name__)

SESSION_KEY = "lang"
_DATE_FORMATS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}
_DATETIME_FORMATS = {"vi": "HH:mm 'ngày' dd/MM/yyyy", "en": "HH:mm, d MMM yyyy"}


def select_locale() -> str:
    """An explicit choice (kept in the session) wins; otherwise the browser's preference
    between Vietnamese and English; Vietnamese when it says nothing."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages, default=languages[0])


def current_language() -> str:
    return str(get_locale() or "vi").split("_")[0]


def vnd(amount: int | None) -> str:
    """120000 → '120.000 ₫' in Vietnamese, '₫120,000' in English."""
    if amount is None:
        return ""
    return format_currency(int(amount), "VND")


def number(value, digits: int = 1) -> str:
    """A score or a measure in the reader's notation, without a useless zero: 91 and 36,4 in Vietnamese
    (where "." separates thousands), 91 and 36.4 in English."""
    if value is None:
        return ""
    return format_decimal(round(value, digits), format="#,##0." + "#" * digits)


def date(value: dt.date | None) -> str:
    if value is None:
        return ""
    return format_date(value, _DATE_FORMATS.get(current_language(), "medium"))


def datetime(value: dt.datetime | None) -> str:
    """A moment in Vietnam's time (BABEL_DEFAULT_TIMEZONE): '14:05 ngày 22/11/2026', '14:05, 22 Nov 2026'."""
    if value is None:
        return ""
    return format_datetime(value, _DATETIME_FORMATS.get(current_language(), "medium"))


def localized(vietnamese: str | None, english: str | None) -> str:
    """A text the shop keeps in two languages (a product's, a point's, a combo's): Vietnamese for a Vietnamese
    reader, else the English one where given (a Korean or Chinese visitor reads English before Vietnamese)."""
    if english and current_language() != "vi":
        return english
    return vietnamese or ""


@bp.get("/lang/<code>")
def switch_language(code: str):
    """The language switch: plain links, so it works without JavaScript, and sticks."""
    if code in current_app.config["LANGUAGES"]:
        session[SESSION_KEY] = code
        session.permanent = True
    return redirect(safe_next(request.args.get("next"), url_for("catalog.home")))


def percent_class(share: float | None) -> str:
    """A share (0..1) as the class that sets a bar's length (static/css/site.css: .pct-0 ... .pct-100): the
    pages draw charts without style attributes, which the Content Security Policy does not allow."""
    return f"pct-{max(0, min(100, round((share or 0) * 100)))}"


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(vnd, "vnd")
    app.add_template_filter(number, "number")
    app.add_template_filter(percent_class, "pct")
    app.add_template_filter(date, "date")
    app.add_template_filter(datetime, "datetime")
    app.add_template_global(localized, "localized")
    app.add_template_global(current_language, "current_language")
