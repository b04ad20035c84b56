"""What a person or a client is told when a request cannot be answered: the error page in the visitor's
language, or for /api/ the one JSON shape `{"error", "status", "message", ...}` (`json_error`). A 500 rolls
the request's session back first, so nothing half-done is written by a later commit."""
from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .unit_of_work import Busy


def json_error(status: int, code: str, message: str | None = None, **extra):
    """The API's answer for anything it refuses: a code for programs, a message for people."""
    body = {"error": code, "status": status, **({"message": message} if message is not None else {}), **extra}
    return jsonify(body), status


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Busy, busy)
    app.register_error_handler(Exception, server_error)


def http_error(error: HTTPException):
    if _wants_json():
        response, _status = json_error(error.code, error.name.lower().replace(" ", "_"), error.description)
    else:
        response = current_app.make_response(render_template("errors/error.html", error=error,
                                                             expired_form=isinstance(error, CSRFError)))
    response.status_code = error.code
    for name, value in error.get_headers():  # e.g. Allow on 405, Retry-After on 429
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def busy(_error: Busy):
    """The database refused the same change twice for contention: ask the client to try again."""
    if _wants_json():
        response, _status = json_error(503, "busy", str(_l("The shop is busy right now. Please try again in a moment.")))
    else:
        response = current_app.make_response(render_template("errors/error.html", error=None))
    response.status_code = 503
    response.headers["Retry-After"] = "1"
    return response


def server_error(_error: Exception):
    current_app.logger.exception("unhandled error")
    db.session.rollback()
    if _wants_json():
        return json_error(500, "internal_server_error")
    return render_template("errors/error.html", error=None), 500
