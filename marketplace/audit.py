"""The audit log: who did what to which object, with the values before and after.

Every decision of the office (a seller verified, a recognition recorded or revoked, an import, a refund
marked sent, a sales point's settings) and every manager's act at a point writes one entry, in the same
unit of work as the change itself. Like `transitions`, this module depends on nothing of the domain
packages; they depend on it.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .models_base import UTCDateTime, utcnow


class AuditLog(db.Model):
    """Every office action: who, what, on which object, when, and the values before and after."""
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    actor = relationship("User")


def audit(actor, action: str, obj, before: dict | None, after: dict | None) -> None:
    """One entry about `obj` (any model with an id), in the caller's unit of work; `actor` None: the shop
    itself (a command, a periodic job)."""
    db.session.add(AuditLog(actor_id=actor.id if actor is not None else None, action=action, object_type=obj.__tablename__, object_id=obj.id,
                            before=before, after=after))
