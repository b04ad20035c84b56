"""The one search interface. A backend indexes SearchDocuments and answers SearchQuery with ids,
a total, facet counts and a suggestion; rows come back from the database through the listing rule."""
from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..catalog.services import Filters
from .documents import SearchDocument


@dataclass
class SearchQuery(Filters):
    """The storefront's filters (catalog.services.Filters) plus the folded query words."""
    words: list[str] = field(default_factory=list)  # text.query_words
    sort: str = "relevance"


@dataclass
class SearchResult:
    ids: list[int]
    total: int
    facets: dict[str, dict] = field(default_factory=lambda: {"group": {}, "province": {}, "stars": {}})
    suggestion: list[str] | None = None  # corrected query words, when nothing matched


class SearchBackend(abc.ABC):
    name: str

    @abc.abstractmethod
    def index(self, docs: Iterable[SearchDocument]) -> None:
        """Add or replace these documents."""

    @abc.abstractmethod
    def remove(self, ids: Iterable[int]) -> None:
        """Drop these products (a no-op for ids not indexed)."""

    @abc.abstractmethod
    def rebuild(self, docs: Iterable[SearchDocument], progress: Callable[[int], None] | None = None) -> None:
        """Build a whole new index from `docs` and swap it in at once; searches keep answering."""

    @abc.abstractmethod
    def search(self, query: SearchQuery, today: dt.date) -> SearchResult:
        """Products whose recognition window holds `today`, matching every query word."""

    @abc.abstractmethod
    def suggest(self, words: list[str], today: dt.date, limit: int = 8) -> list[int]:
        """Ids of the best name matches for what is being typed."""

    def close(self) -> None:  # noqa: B027 - optional for backends holding files
        """Release what the backend holds open (files, searchers)."""
