"""Absolute addresses for what leaves the site (QR codes on labels, links in emails, the API's links).
Production always has PUBLIC_BASE_URL (config refuses to start without it), so a request's Host header
never makes a link there."""
from __future__ import annotations

from flask import current_app, has_request_context, url_for


def public_url(endpoint: str, **values) -> str:
    """PUBLIC_BASE_URL + the path when set; else the address the request came to; else the path."""
    path = url_for(endpoint, **values)
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return base.rstrip("/") + path
    return url_for(endpoint, _external=True, **values) if has_request_context() else path
