"""The links an account's emails carry: signed (itsdangerous, with the app's SECRET_KEY and one salt per
purpose), expiring, and good once.

- A password-reset link names the user and a fingerprint of the password it replaces: once a new password is
  set (by this link or any other way) every earlier link is dead.
- A confirmation link names the user and the address it was sent to; confirming is claimed with a guarded
  UPDATE (`email_confirmed_at IS NULL`), so a second click changes nothing."""
from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..extensions import db
from .models import User

RESET, CONFIRM = "password-reset", "email-confirm"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def _max_age(purpose: str) -> int:
    return current_app.config["RESET_LINK_MINUTES" if purpose == RESET else "CONFIRM_LINK_HOURS"] * (
        60 if purpose == RESET else 3600)


def _fingerprint(user: User, purpose: str) -> str:
    state = user.password_hash if purpose == RESET else user.email
    return hashlib.sha256(state.encode()).hexdigest()[:20]


def make_token(user: User, purpose: str) -> str:
    return _serializer(purpose).dumps({"u": user.id, "f": _fingerprint(user, purpose)})


def user_for_token(token: str, purpose: str) -> User | None:
    """The user a link of this purpose names, while it is in date and still good (None otherwise)."""
    try:
        data = _serializer(purpose).loads(token, max_age=_max_age(purpose))
    except BadSignature:  # also SignatureExpired
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or not user.is_active or data.get("f") != _fingerprint(user, purpose):
        return None
    return user
