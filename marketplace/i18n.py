"""Locale choice, money and date formatting, and the template filters that use them.

Money is whole đồng (int) everywhere; this is the only place it becomes text.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask import Blueprint, current_app, has_request_context, redirect, request, session, url_for
from flask_babel import format_currency, format_date, format_datetime, format_decimal, format_percent, get_locale

from .urls import public_url_of, safe_next

bp = Blueprint("i18n", __name__)

SESSION_KEY = "lang"
PARAM = "lang"  # ?lang=en: the page in English, whatever the session says
# Files and documents with no language: one address each, so every cache keeps one copy.
NO_LANGUAGE = {"static", "catalog.media", "favicon", "search.robots", "search.sitemap", "sellers.document"}
DEFAULT = "vi"
_DATE_FORMATS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}
_DATETIME_FORMATS = {"vi": "HH:mm 'ngày' dd/MM/yyyy", "en": "HH:mm, d MMM yyyy"}


def _asked() -> str | None:
    """The language the address names (`?lang=en`), if it is one of the shop's."""
    asked = request.args.get(PARAM)
    return asked if asked in current_app.config["LANGUAGES"] else None


def select_locale() -> str:
    """The language in the address wins (a link to the English page is English for anyone, a search engine
    included); then an earlier choice kept in the session; then the browser's preference; Vietnamese when
    it says nothing."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = _asked() or session.get(SESSION_KEY)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages, default=languages[0])


def _remember_asked() -> None:
    """A language named in the address sticks for the pages that follow (as the switch does)."""
    asked = _asked()
    if asked and session.get(SESSION_KEY) != asked:
        session[SESSION_KEY] = asked
        session.permanent = True


def _keep_language_in_links(endpoint: str, values: dict) -> None:
    """While a page is read through an address with its language (`?lang=en`), its links to other pages
    keep it, so a visitor without cookies (a search engine) stays in that language. Static files and the
    API have no language."""
    if (has_request_context() and PARAM not in values and endpoint not in NO_LANGUAGE
            and not endpoint.startswith("api.") and (asked := _asked())):
        values[PARAM] = asked


def _address(path: str, args: list[tuple[str, str]], absolute: bool) -> str:
    query = urlencode(args)
    url = path + (f"?{query}" if query else "")
    return public_url_of(url) if absolute else url


def language_url(code: str, absolute: bool = False) -> str:
    """This page in another language: its address with `lang` set (Vietnamese, the default, without it
    when `absolute`: the address search engines index)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != PARAM]
    if not (absolute and code == DEFAULT):
        args.append((PARAM, code))
    return _address(request.path, args, absolute)


def canonical_url() -> str:
    """The one address of this page in the language it is shown in."""
    return language_url(current_language(), absolute=True)


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


def percent(share: float | None) -> str:
    """A share (0..1) as the reader writes it: 87 % in Vietnamese, 87% in English; '—' for none."""
    return "—" if share is None else format_percent(share)


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
    app.add_template_filter(percent, "percent")
    app.add_template_filter(date, "date")
    app.add_template_filter(datetime, "datetime")
    app.add_template_global(localized, "localized")
    app.add_template_global(current_language, "current_language")
    app.add_template_global(language_url, "language_url")
    app.add_template_global(canonical_url, "canonical_url")
    app.before_request(_remember_asked)
    app.url_defaults(_keep_language_in_links)
