"""How the shop's answers travel: static files under versioned addresses with a long, immutable cache (a new
file is a new address, so no visitor ever runs an old script with a new page); pages that say which request
headers chose their language (`Vary`), so no shared cache serves one visitor's language to another; and
compressed answers (Flask-Compress: zstd, brotli or gzip, as the browser accepts).

A signed-in person's pages are not compressed: they carry secrets (the CSRF token) beside text an attacker
can put in the page (a search), which is what the BREACH attack needs. Guests' and static answers are."""
from __future__ import annotations

import functools
import hashlib
import os

from flask import Flask, Response, current_app, request, session
from flask_compress import Compress

YEAR = 365 * 24 * 3600


@functools.lru_cache(maxsize=256)
def _version(path: str, mtime: float) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:10]


def static_version(filename: str) -> str | None:
    """A short hash of the static file's content (None: no such file); read again when the file changes."""
    path = os.path.join(current_app.static_folder, filename)
    try:
        return _version(path, os.path.getmtime(path))
    except OSError:
        return None


def _version_static_urls(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "v" not in values and (version := static_version(values.get("filename", ""))):
        values["v"] = version


def _cache_headers(response: Response) -> Response:
    if request.endpoint == "static" and request.args.get("v") and response.status_code in (200, 304):
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    elif response.mimetype == "text/html" and "lang" not in request.args:
        response.vary.add("Accept-Language")  # the language came from the browser's preference (or a cookie)
        response.vary.add("Cookie")
    return response


compress = Compress()


def _compress(response: Response) -> Response:
    if "_user_id" in session:
        return response
    return compress.after_request(response)


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_REGISTER", False)  # _compress decides which answers are compressed
    compress.init_app(app)
    app.after_request(_compress)  # after_request runs last-registered first: compression last of all
    app.url_defaults(_version_static_urls)
    app.after_request(_cache_headers)
