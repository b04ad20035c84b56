"""The headers that make every answer safer, set in one place (`init_app`).

- A Content Security Policy: scripts and styles only from the shop's own files (no inline script, no
  inline `<style>`, not even a `style` attribute: the bar charts take their length from a class),
  images from the shop and `data:` URIs, forms only to the shop and Stripe Checkout, no plugins, and no
  page of the shop inside another site's frame (`frame-ancestors 'none'`, and X-Frame-Options for old
  browsers).
- nosniff, a referrer that never leaks a path to another site, no camera, microphone or location.
- HSTS where cookies are Secure (production).
A file a person uploaded (a seller's registration certificate) is served by its view as an attachment
with `sandbox`, so even a crafted file cannot run as a page of the shop: see `attachment`.
"""
from __future__ import annotations

import json

from flask import Flask, Response, request, session
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, ValidationError

MAX_ID = 2 ** 31 - 1  # PostgreSQL's integer: a larger id names no row (and would fail on the database)
# PostgreSQL cannot store a NUL character and no person types one: every text holding one is refused.
NUL_MESSAGE = _l("This text contains a character that is not allowed (an invisible NUL character).")
MAX_JSON_DEPTH = 32

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self' https://checkout.stripe.com",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"


def attachment(response: Response) -> Response:
    """A person's upload served back (sent with `as_attachment=True`): never shown as a page, never run."""
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


class UnsafeInput(BadRequest):
    """A request refused for what it holds; its description is written for the person (in their language)."""
    said_to_user = True


class DatabaseId(IntegerConverter):
    """`<int:…>` in every route: a number beyond any row's id is simply not found (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        if len(value) > 10:  # beyond MAX_ID without parsing a long string of digits
            raise ValidationError()
        return super().to_python(value)


class BoundedJSON(DefaultJSONProvider):
    """A JSON body nested deeper than any request of the API is a bad request, not a crash of the parser."""

    def loads(self, s, **kwargs):
        text = s.decode() if isinstance(s, (bytes, bytearray)) else s
        depth = deepest = 0
        for char in text:  # brackets inside strings count too: no honest body comes near the limit
            if char in "[{":
                depth += 1
                deepest = max(deepest, depth)
                if deepest > MAX_JSON_DEPTH:
                    raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH}")
            elif char in "]}":
                depth -= 1
        value = json.loads(text, **kwargs)
        try:  # "\ud800" is valid JSON but no text: it cannot be stored or even encoded
            json.dumps(value, ensure_ascii=False).encode()
        except UnicodeEncodeError as error:
            raise ValueError("JSON text with a lone surrogate") from error
        return value


def init_converters(app: Flask) -> None:
    """Before the routes are added (they bind their converters then)."""
    app.url_map.converters["int"] = DatabaseId
    app.json = BoundedJSON(app)


def init_app(app: Flask) -> None:
    hsts = app.config.get("SESSION_COOKIE_SECURE", False)

    @app.before_request
    def refuse_nul_characters():
        """No text may hold a NUL character (PostgreSQL cannot store one; no person types one)."""
        if any("\x00" in value for values in (request.args, request.form) for _key, value in values.items(multi=True)):
            raise UnsafeInput(description=str(NUL_MESSAGE))

    @app.after_request
    def secure_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if "_user_id" in session:  # a signed-in page: never kept by the browser (Back after sign-out) or a proxy
            response.headers.setdefault("Cache-Control", "no-store")
        return response
