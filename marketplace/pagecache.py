"""Guests' storefront pages served from a cache, never wrong.

A view marked `@cached_page` is rendered once per address, host, language, currency, Vietnam's date and
catalogue version, and kept (Flask-Caching: Redis when REDIS_URL is set, else files in the instance folder,
shared by the processes of one machine). The catalogue version changes after every commit that wrote a row
a page may show: any table but those in `NOT_SHOWN` (an order's stock, a revoked recognition, a suspended
seller, a new price), whatever path wrote it (a page, the API, an import, a command, a job), through the ORM
or a bulk statement. An unknown new table counts as shown. So a page never outlives what it shows, and
the date in the key drops what time alone ends (an expired recognition).

What differs per visitor is never kept: the CSRF token is stored as a marker and the visitor's own filled
in when served, and a template puts its per-visitor parts (the cart count, a favourite button) in
`per_visitor("template.html", **plain values)`, kept as a marker and rendered for each request. Signed-in
people, a page with a message to show (a flash) and anything but GET/HEAD are not served from the cache.

Answers carry an ETag (a hash of what this visitor gets) and `Cache-Control: no-cache`, so a browser or a
CDN may keep them but asks each time (304 when unchanged); `public` only for a visitor without a session."""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
import os
import re
import threading
import time
import uuid
from collections import OrderedDict

from flask import Flask, current_app, g, has_app_context, render_template, request, session
from flask_caching import Cache
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from . import ocop
from .i18n import current_language
from .unit_of_work import on_whole_rollback

log = logging.getLogger(__name__)

cache = Cache()

VERSION_KEY = "catalogue-version"
# Tables no cached page shows: writing them leaves the pages as they are.
NOT_SHOWN = frozenset({
    "outbox_emails", "audit_log", "users", "stock_alerts", "wishlist_items", "cart_items", "search_queue",
    "product_search", "search_terms", "payment_events", "stock_movements", "seller_documents",
    "product_change_requests", "alembic_version",
})
CSRF_MARKER = "\x1ecsrf\x1e"
_HOLE = re.compile("<!--per-visitor:([A-Za-z0-9_=-]+)-->")
_CHANGED = "catalogue_changed"
FORMAT = 3  # of a kept page
# What a page may carry in its address (the storefront's filters and pages, the language). Another argument
# is answered without the cache, so random arguments cannot fill it; links' tracking arguments, which no
# page reads, are left out of the key.
PAGE_ARGS = frozenset({"group", "stars_min", "province", "price_min", "price_max", "sort", "page", "per_page",
                       "q", "region", "occasion", "carry_on", "lang"})
TRACKING_ARGS = frozenset({"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "fbclid",
                           "gclid", "zarsrc", "zalo_source"})
MAX_ARG_LENGTH = 100


# --- Per-visitor parts ---------------------------------------------------------------------------------

def per_visitor(template: str, **values) -> Markup:
    """A template's per-visitor part: rendered in place, or kept as a marker while a page is cached."""
    if g.get("_caching_page"):
        blob = base64.urlsafe_b64encode(json.dumps([template, values]).encode()).decode()
        return Markup(f"<!--per-visitor:{blob}-->")
    return Markup(render_template(template, **values))


def _fill_parts(html: str) -> str:
    def hole(match: re.Match) -> str:
        template, values = json.loads(base64.urlsafe_b64decode(match.group(1)))
        return render_template(template, **values)

    return _HOLE.sub(hole, html)


def _fill_token(html: str) -> str:
    return html.replace(CSRF_MARKER, generate_csrf()) if CSRF_MARKER in html else html


def _fill(html: str) -> str:
    return _fill_token(_fill_parts(html))


def _token_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _token_as_marker(html: str) -> str:
    token = g.get(_token_field())
    return html.replace(token, CSRF_MARKER) if token else html


# --- The catalogue version -----------------------------------------------------------------------------

def version() -> str:
    try:
        current = cache.get(VERSION_KEY)
        if current is None:
            current = _bump()
        return current
    except Exception:  # the cache is down: render every page
        log.exception("page cache unavailable")
        return ""


def _bump() -> str:
    new = f"{time.time():.6f}-{uuid.uuid4().hex[:8]}"
    cache.set(VERSION_KEY, new, timeout=0)
    return new


def _mark(session: Session) -> None:
    session.info[_CHANGED] = True


def _note_flush(session: Session, _flush_context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", None)
        if table not in NOT_SHOWN:
            _mark(session)
            return


def _note_statement(state) -> None:
    if isinstance(state.statement, TextClause):  # raw SQL: any write counts
        if state.statement.text.lstrip()[:6].lower() in ("insert", "update", "delete"):
            _mark(state.session)
        return
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table not in NOT_SHOWN:
        _mark(state.session)


def _after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False) and has_app_context() and current_app.extensions.get("pagecache"):
        try:
            _bump()
        except Exception:
            log.exception("could not advance the catalogue version")


def _forget(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def per_catalogue_version(func):
    """Keep what `func(today=None, …)` answers until the catalogue changes or Vietnam's day ends (counts a
    listing shows beside its filters, asked by every page whatever its filters)."""
    @functools.wraps(func)
    def kept(*args, today=None, **kwargs):
        current = version() if has_app_context() and current_app.extensions.get("pagecache") else ""
        if not current or today is not None:
            return func(*args, today=today, **kwargs)
        key = "answer:" + hashlib.blake2b(repr((current, ocop.today(), func.__module__, func.__qualname__, args,
                                                sorted(kwargs.items()))).encode(), digest_size=20).hexdigest()
        try:
            answer = cache.get(key)
        except Exception:
            answer = None
        if answer is None:
            answer = func(*args, **kwargs)
            try:
                cache.set(key, answer, timeout=current_app.config["PAGE_CACHE_SECONDS"])
            except Exception:
                log.exception("could not keep an answer")
        return answer
    return kept


# --- Serving -------------------------------------------------------------------------------------------

def _cacheable() -> bool:
    return (current_app.config.get("PAGE_CACHE", True) and request.method in ("GET", "HEAD")
            and "_user_id" not in session and "_flashes" not in session)


def _release(app: Flask) -> str:
    """A fingerprint of this release's code and templates: pages kept by another release (an older one
    still running beside it during a deploy, or before it) are never served by this one."""
    digest = hashlib.blake2b(str(FORMAT).encode(), digest_size=12)
    root = os.path.dirname(app.root_path)
    for folder, suffix in ((app.root_path, ".py"), (os.path.join(root, "templates"), ".html")):
        for directory, _dirs, files in sorted(os.walk(folder)):
            for name in sorted(files):
                if name.endswith(suffix):
                    with open(os.path.join(directory, name), "rb") as f:
                        digest.update(name.encode() + f.read())
    return digest.hexdigest()


def _ignored(name: str, value: str) -> bool:
    """An argument the page does not read: a link's tracking, or a language the shop does not have."""
    return name in TRACKING_ARGS or (name == "lang" and value not in current_app.config["LANGUAGES"])


def _address() -> str | None:
    """The page's address as the cache knows it, or None for one not to keep (an argument no page reads)."""
    kept = []
    for name, value in request.args.items(multi=True):
        if _ignored(name, value):
            continue
        if name not in PAGE_ARGS or len(value) > MAX_ARG_LENGTH:
            return None
        kept.append((name, value))
    return request.path + "?" + "&".join(f"{name}={value}" for name, value in sorted(kept))


def _key(view_name: str) -> str | None:
    address = _address()
    current = version() if address is not None else ""
    if not current:
        return None
    currency = session.get("currency") or ""
    return "page:" + hashlib.blake2b("|".join((
        current_app.extensions["pagecache_release"], current, ocop.today().isoformat(), str(current_language()),
        currency, request.host, view_name, address)).encode(), digest_size=20).hexdigest()


def _render_for_cache(view, args, kwargs):
    """Render the view with its per-visitor parts as markers: (the answer, what to keep or None)."""
    g._caching_page = True
    try:
        answer = current_app.make_response(view(*args, **kwargs))
    finally:
        g._caching_page = False
    if answer.mimetype != "text/html" or answer.direct_passthrough:
        return answer, None
    html = _token_as_marker(answer.get_data(as_text=True))
    keep = answer.status_code == 200 and "_flashes" not in session
    answer.set_data(_fill(html))  # an answer not kept (a 404, a page with a message) is this visitor's alone
    return answer, ((html, int(time.time())) if keep else None)


# The pages this process served last, by key: a hit then reads only the catalogue version from the shared
# cache, not the page (the key holds the version, so a page here is exactly as right as the shared one).
LOCAL_PAGES = 64
_recent: OrderedDict[str, dict] = OrderedDict()
_recent_lock = threading.Lock()


def _remember(key: str, kept: dict) -> None:
    with _recent_lock:
        _recent[key] = kept
        _recent.move_to_end(key)
        while len(_recent) > LOCAL_PAGES:
            _recent.popitem(last=False)


def _kept(key: str) -> dict | None:
    with _recent_lock:
        kept = _recent.get(key)
    if kept is not None and kept["made_at"] + current_app.config["PAGE_CACHE_SECONDS"] > time.time():
        return kept
    try:
        kept = cache.get(key)
    except Exception:
        return None
    if not isinstance(kept, dict):  # not kept, or kept by another release of the shop
        return None
    _remember(key, kept)
    return kept


def _keep(key: str, kept: dict) -> None:
    """Keep a page until PAGE_CACHE_SECONDS after it was made, not after it is kept: kept again later (its copy
    for visitors without a session, filled in by the first such visitor) it must not live longer, since what
    time alone changes and no commit tells (an experience's booking closing, hour by hour) relies on that bound."""
    _remember(key, kept)
    left = int(kept["made_at"] + current_app.config["PAGE_CACHE_SECONDS"] - time.time())
    if left < 1:
        return
    try:
        cache.set(key, kept, timeout=left)
    except Exception:
        log.exception("could not keep a page")


def _filled_for(key: str, kept: dict) -> tuple[str, str | None]:
    """The page for this visitor, and its ETag when it is the same for every visitor without a session.

    A visitor without a session (a first visit, a crawler, a CDN) has an empty cart and no favourites: the
    page's parts for such a visitor are kept filled too, the token still a marker, so serving it is one
    new token at most (a page with a form) and nothing at all for the rest: its ETag is kept with it."""
    if session:
        return _fill(kept["html"]), None
    blank = kept.get("blank")
    if blank is None:
        blank = _token_as_marker(_fill_parts(kept["html"]))
        kept = kept | {"blank": blank, "blank_etag": hashlib.sha1(blank.encode()).hexdigest()}
        if set(session) <= {_token_field()}:  # nothing else
            _keep(key, kept)
    html = _fill_token(blank)
    return html, None if session else kept["blank_etag"]


def cached_page(view):
    """Serve a guest's GET of this view from the page cache (see the module's note)."""
    @functools.wraps(view)
    def serve(*args, **kwargs):
        key = _key(view.__qualname__) if _cacheable() else None
        if key is None:
            return view(*args, **kwargs)
        kept = _kept(key)
        if kept is None:
            answer, made = _render_for_cache(view, args, kwargs)
            if made is None or any(_ignored(name, value) for name, value in request.args.items(multi=True)):
                return answer  # not a page to keep, or one whose links may carry what it ignores
            kept = {"html": made[0], "made_at": made[1], "blank": None}
            _keep(key, kept)
        try:
            html, etag = _filled_for(key, kept)
        except Exception:  # a kept page this release cannot fill: render it again
            log.exception("a kept page could not be filled")
            answer, _made = _render_for_cache(view, args, kwargs)
            return answer
        response = current_app.make_response(html)
        if etag is not None:  # the same for every visitor without a session
            response.headers["Cache-Control"] = "public, no-cache"
            response.last_modified = kept["made_at"]
            response.set_etag(etag)
        else:
            response.headers["Cache-Control"] = "private, no-cache"
            if _token_field() not in g:  # a page with a form holds a new token each time: no ETag would match
                response.add_etag()
        return response.make_conditional(request)
    return serve


def init_app(app: Flask) -> None:
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("CACHE_TYPE", "RedisCache" if redis_url else "FileSystemCache")
    if app.config["CACHE_TYPE"] == "RedisCache":
        app.config.setdefault("CACHE_REDIS_URL", redis_url)
        # A Redis that hangs must not hang the pages: half a second, then the page is rendered as if not kept.
        app.config.setdefault("CACHE_OPTIONS", {"socket_timeout": 0.5, "socket_connect_timeout": 0.5})
    elif app.config["CACHE_TYPE"] == "FileSystemCache":
        app.config.setdefault("CACHE_DIR", os.path.join(app.instance_path, "page-cache"))
        app.config.setdefault("CACHE_THRESHOLD", 5000)
    app.config.setdefault("CACHE_KEY_PREFIX", "ocop:")
    app.config.setdefault("CACHE_DEFAULT_TIMEOUT", 3600)
    app.config.setdefault("PAGE_CACHE_SECONDS", 3600)
    cache.init_app(app)
    app.extensions["pagecache"] = cache
    app.extensions["pagecache_release"] = _release(app)
    app.add_template_global(per_visitor, "per_visitor")
    if not event.contains(Session, "after_flush", _note_flush):
        event.listen(Session, "after_flush", _note_flush)
        event.listen(Session, "do_orm_execute", _note_statement)
        event.listen(Session, "after_commit", _after_commit)
        on_whole_rollback(_forget)
