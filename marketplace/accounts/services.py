"""Accounts: create users, check passwords, reset a forgotten one, confirm an address, and who may do what."""
from __future__ import annotations

import functools
from functools import wraps

from blinker import Namespace
from flask import abort, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db, login_manager
from ..models_base import utcnow
from ..outbox.services import queue_email
from ..urls import public_url
from . import tokens
from .models import User

# Sent inside the transaction that confirms an address, with `user=`: the orders placed as a guest with that
# address become the account's (`orders` listens; accounts knows nothing of orders).
email_confirmed = Namespace().signal("email-confirmed")


class AccountError(ValueError):
    pass


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(email: str, name: str, password: str, role: str = "shopper", **extra) -> User:
    """A new account (not committed). Raises AccountError when the email is taken."""
    if find_user(email):
        raise AccountError("email_taken")
    user = User(email=email.strip().lower(), name=name.strip(), role=role, **extra)
    user.set_password(password)
    db.session.add(user)
    return user


def sign_up(email: str, name: str, password: str, language: str) -> User:
    """A shopper's account, and the email that lets them confirm the address."""
    user = create_user(email, name, password, role="shopper")
    db.session.flush()
    send_confirmation(user, language)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password. An unknown email costs the same hashing as a known
    one, so the time of the answer does not tell which emails have accounts."""
    user = find_user(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash("not anybody's password")


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session cookie issued before this names an older version."""
    db.session.execute(update(User).where(User.id == user.id)
                       .values(session_version=User.session_version + 1).execution_options(synchronize_session=False))


def send_confirmation(user: User, language: str) -> None:
    """Queue the email whose link shows the address is the person's (sign-up, or asked again)."""
    url = public_url("accounts.confirm", token=tokens.make_token(user, tokens.CONFIRM))
    with force_locale(language):
        queue_email(user.email, _("Confirm your email for the OCOP Marketplace"), "notice", name=user.name,
                    paragraphs=[_("Open the link below to confirm this address. Orders you placed as a guest with "
                                  "it will then appear under \"My orders\"."),
                                _("If you did not make an account, ignore this email.")],
                    url=url)


def request_password_reset(email: str, language: str) -> None:
    """Email a reset link if an active account has this address; nothing otherwise. The page says the same
    either way, so it does not tell who has an account."""
    user = find_user(email)
    if user is None or not user.is_active:
        return
    url = public_url("accounts.reset_password", token=tokens.make_token(user, tokens.RESET))
    with force_locale(language):
        queue_email(user.email, _("Reset your password for the OCOP Marketplace"), "notice", name=user.name,
                    paragraphs=[_("Open the link below within %(minutes)d minutes to choose a new password. It "
                                  "works once.", minutes=current_app.config["RESET_LINK_MINUTES"]),
                                _("If you did not ask for it, ignore this email: your password stays as it is.")],
                    url=url)


def confirm_email(user: User) -> bool:
    """Mark the address confirmed, once (a guarded update: a second click, or two at once, do nothing);
    then the account claims its guest orders in the same transaction. True when confirmed now."""
    claimed = db.session.execute(update(User).where(User.id == user.id, User.email_confirmed_at.is_(None))
                                 .values(email_confirmed_at=utcnow())
                                 .execution_options(synchronize_session=False)).rowcount == 1
    if claimed:
        db.session.refresh(user)
        email_confirmed.send(current_app._get_current_object(), user=user)
    return claimed


def reset_password(user: User, password: str) -> None:
    """A new password from a reset link: every session of the account ends (`set_password`), the link dies
    with the old password, and the address is confirmed (the email reached its owner)."""
    user.set_password(password)
    db.session.flush()
    confirm_email(user)


def roles_required(*roles: str):
    """The view needs a signed-in user with one of these roles (401 to sign in, else 403)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator
