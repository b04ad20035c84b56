"""Small column helpers shared by the domain models."""
import datetime as dt
from collections.abc import Iterable

from sqlalchemy import CheckConstraint, DateTime, String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def upsert(model):
    """An INSERT of `model` that can say ON CONFLICT (DO NOTHING / DO UPDATE), for the database in use:
    one statement where a read-then-insert would race."""
    from .extensions import db
    return (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert(model)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """A moment, always read back as an aware UTC datetime: PostgreSQL keeps the zone, SQLite does not,
    and comparing a naive with an aware datetime is an error waiting to happen."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("a naive datetime cannot be stored: give it a time zone")
        return value.astimezone(dt.UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        # SQLite gives it naive; PostgreSQL in the connection's time zone, which need not be UTC
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SubmittedOnce:
    """A document made from a form or an API call that carries a key of its own (see
    `unit_of_work.run_once`): one document per key, enforced by the database."""
    client_key: Mapped[str | None] = mapped_column(String(64), unique=True)


def one_of(column: str, values: Iterable[str], name: str | None = None) -> CheckConstraint:
    """The database's copy of a vocabulary: `column IN ('a', 'b', ...)`, spelled from the same tuple (or
    dict of labels) the code, the forms and the API read."""
    allowed = ", ".join(f"'{value}'" for value in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name or column)
