"""Tables of the search package: the reindex queue (both backends) and, for the PostgreSQL
backend, the search documents with their tsvector and the vocabulary used for typo tolerance."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..models_base import UTCDateTime, utcnow

# SQLite keeps the PostgreSQL tables (as plain text) so both databases share one schema history.
TsVector = TSVECTOR().with_variant(Text(), "sqlite")


class SearchQueue(db.Model):
    """Products whose index update failed after their commit; retried on the next successful one
    and by `flask search process-queue`."""
    __tablename__ = "search_queue"

    product_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    queued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    error: Mapped[str | None] = mapped_column(Text)


class ProductSearch(db.Model):
    """One row per listable product (PostgreSQL backend)."""
    __tablename__ = "product_search"
    __table_args__ = (
        Index("ix_product_search_vector", "vector", postgresql_using="gin"),
        Index("ix_product_search_window", "valid_until", "valid_from"),
        # Suggestions rank the best-starred matches, read backwards in this order: for a prefix that many
        # names share ("ma"), the index's last few hundred rows hold them, instead of ranking every match.
        Index("ix_product_search_stars", "stars", "product_id"),
    )

    product_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text)
    group_top: Mapped[str] = mapped_column(String(12))
    group_sub: Mapped[str] = mapped_column(String(12))
    group_code: Mapped[str] = mapped_column(String(12))
    province_code: Mapped[int]
    stars: Mapped[int]
    price_vnd: Mapped[int]
    decision_date: Mapped[dt.date] = mapped_column(Date)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    vector = mapped_column(TsVector)


class SearchTerm(db.Model):
    """Every indexed word once (PostgreSQL backend): where a mistyped word finds its neighbours."""
    __tablename__ = "search_terms"

    term: Mapped[str] = mapped_column(Text, primary_key=True)
