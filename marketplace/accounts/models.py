from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db, login_manager
from ..models_base import Timestamped, UTCDateTime

ROLES = ("shopper", "seller", "staff", "office")


class User(UserMixin, Timestamped, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('shopper', 'seller', 'staff', 'office')", name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16), default="shopper")
    # A seller member acts for one seller; an office user for one province (None: nationwide).
    seller_id: Mapped[int | None] = mapped_column(ForeignKey("sellers.id"), index=True)
    province_code: Mapped[int | None]
    is_active_account: Mapped[bool] = mapped_column(default=True)
    # Part of the id a session keeps: signing out or a new password raises it, and every session made
    # before (another browser, a stolen cookie) names a user that no longer is.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the person showed the address is theirs (the link in the confirmation or password-reset email);
    # only then are the orders placed as a guest with that address theirs too.
    email_confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    seller = relationship("Seller", back_populates="members")

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    def set_password(self, password: str) -> None:
        if self.password_hash:  # a new password for an existing account ends its sessions
            self.session_version = (self.session_version or 0) + 1
        self.password_hash = generate_password_hash(password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version or 0}"

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user a session names, while the session's version is the user's (see `session_version`)."""
    user_id, _sep, version = (session_id or "").partition(":")
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and (user.session_version or 0) == int(version) else None
