"""The headers that make every answer safer, set in one place (`init_app`).

- A Content Security Policy: scripts and styles only from the shop's own files (no inline script, no
  inline `<style>`; inline `style` attributes, which cannot run code, are allowed for the bar charts),
  images from the shop and `data:` URIs, forms only to the shop and Stripe Checkout, no plugins, and no
  page of the shop inside another site's frame (`frame-ancestors 'none'`, and X-Frame-Options for old
  browsers).
- nosniff, a referrer that never leaks a path to another site, no camera, microphone or location.
- HSTS where cookies are Secure (production).
A file a person uploaded (a seller's registration certificate) is served by its view as an attachment
with `sandbox`, so even a crafted file cannot run as a page of the shop: see `attachment`.
"""
from __future__ import annotations

from flask import Flask, Response

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
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


def init_app(app: Flask) -> None:
    hsts = app.config.get("SESSION_COOKIE_SECURE", False)

    @app.after_request
    def secure_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
