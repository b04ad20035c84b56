"""Absolute addresses for what leaves the site (QR codes on labels, links in emails, the API's links).
Production always has PUBLIC_BASE_URL (config refuses to start without it), so a request's Host header
never makes a link there."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for


def public_url_of(path: str) -> str:
    """An absolute address for a path of this shop: PUBLIC_BASE_URL, else the host the request came to."""
    base = current_app.config.get("PUBLIC_BASE_URL") or (request.host_url if has_request_context() else "")
    return base.rstrip("/") + path


def _path(endpoint: str, values: dict) -> str:
    """The path of a page, also outside a request (a command, a job: Flask's url_for wants a request or a
    SERVER_NAME there, and production has neither — it has PUBLIC_BASE_URL)."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, {k: v for k, v in values.items() if v is not None})


def public_url(endpoint: str, **values) -> str:
    """PUBLIC_BASE_URL + the path when set; else the address the request came to; else the path."""
    return public_url_of(_path(endpoint, values))


def safe_next(target: str | None, default: str) -> str:
    """A path of this shop to go back to, or `default`: never another site (//host, a scheme, or a control
    character a browser or Werkzeug drops on the way to the Location header, like "/\t/evil.example")."""
    target = target or ""
    if not target.startswith("/") or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return default
    parts = urlsplit(target)
    return target if not parts.netloc and not parts.scheme and not target.startswith("//") else default
