"""Accounts: create users, check passwords, and who may do what."""
from __future__ import annotations

import functools
from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db, login_manager
from .models import User


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
