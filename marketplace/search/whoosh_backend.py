"""The embedded search backend: a Whoosh index under INSTANCE_PATH.

Layout: `<dir>/current` is a symlink to `<dir>/builds/<name>`; a rebuild writes a new build and
swaps the link in one rename, so searches keep answering. Writers from several processes take
Whoosh's file lock in turn (with a timeout)."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import time
import uuid
from typing import Callable, Iterable

from whoosh import sorting
from whoosh.analysis import Filter, RegexTokenizer
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.index import create_in, open_dir
from whoosh.query import And, Every, NumericRange, Or, Prefix, Term

from .base import SearchBackend, SearchQuery, SearchResult
from .documents import SearchDocument
from .text import Vocabulary, correct, fold

TEXT_FIELDS = {"name": 4.0, "name_en": 4.0, "seller": 2.0, "place": 2.0, "text": 1.0}
NAME_FIELDS = ("name", "name_en")
MAX_PREFIX_TERMS = 64
WRITE_TIMEOUT = 15.0


class FoldFilter(Filter):
    """Lower case, no diacritics, đ → d (search.text.fold)."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            yield token


def _analyzer():
    return RegexTokenizer(r"\w+") | FoldFilter()


def make_schema() -> Schema:
    analyzer = _analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        pid=NUMERIC(int, stored=True),
        name=TEXT(analyzer=analyzer, field_boost=TEXT_FIELDS["name"]),
        name_en=TEXT(analyzer=analyzer, field_boost=TEXT_FIELDS["name_en"]),
        seller=TEXT(analyzer=analyzer, field_boost=TEXT_FIELDS["seller"]),
        place=TEXT(analyzer=analyzer, field_boost=TEXT_FIELDS["place"]),
        text=TEXT(analyzer=analyzer, field_boost=TEXT_FIELDS["text"]),
        group_top=ID(sortable=True),
        group_sub=ID(sortable=True),
        group_code=ID(sortable=True),
        province=NUMERIC(int, sortable=True),
        stars=NUMERIC(int, sortable=True),
        price=NUMERIC(int, sortable=True),
        decided=NUMERIC(int, sortable=True),
        valid_from=NUMERIC(int),
        valid_until=NUMERIC(int),
    )


def _day(value: dt.date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def _fields(doc: SearchDocument) -> dict:
    groups = doc.groups
    return dict(
        id=str(doc.id), pid=doc.id, name=doc.name, name_en=doc.name_en, seller=doc.seller, place=doc.place,
        text=doc.text, group_top=groups[0], group_sub=groups[1] if len(groups) > 1 else groups[0],
        group_code=doc.group_code, province=doc.province_code, stars=doc.stars, price=doc.price_vnd,
        decided=_day(doc.decision_date), valid_from=_day(doc.valid_from), valid_until=_day(doc.valid_until),
    )


class WhooshBackend(SearchBackend):
    name = "whoosh"

    def __init__(self, directory: str):
        self.directory = directory
        self.link = os.path.join(directory, "current")
        self.builds = os.path.join(directory, "builds")
        self._index = None
        self._index_dir = None
        self._vocab = None
        self._vocabulary_key = None

    # --- the index on disk ----------------------------------------------------------------

    def _current_dir(self) -> str:
        if not os.path.islink(self.link):
            os.makedirs(self.builds, exist_ok=True)
            self._swap_to(self._new_build(create=True))
        return os.path.realpath(self.link)

    def _new_build(self, create: bool) -> str:
        path = os.path.join(self.builds, time.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:8])
        os.makedirs(path)
        if create:
            create_in(path, make_schema())
        return path

    def _swap_to(self, build: str) -> None:
        temporary = f"{self.link}.{uuid.uuid4().hex}"
        os.symlink(os.path.relpath(build, self.directory), temporary)
        os.replace(temporary, self.link)  # atomic: a reader sees the old build or the new one

    def _ix(self):
        current = self._current_dir()
        if self._index is None or self._index_dir != current:
            self._index, self._index_dir = open_dir(current), current
        return self._index

    # --- writing ----------------------------------------------------------------------------

    def index(self, docs: Iterable[SearchDocument]) -> None:
        docs = list(docs)
        if not docs:
            return
        writer = self._ix().writer(timeout=WRITE_TIMEOUT, delay=0.05)
        try:
            for doc in docs:
                writer.update_document(**_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def remove(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if not ids:
            return
        writer = self._ix().writer(timeout=WRITE_TIMEOUT, delay=0.05)
        try:
            for product_id in ids:
                writer.delete_by_term("id", str(product_id))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, docs: Iterable[SearchDocument], progress: Callable[[int], None] | None = None) -> None:
        os.makedirs(self.builds, exist_ok=True)
        previous = os.path.realpath(self.link) if os.path.islink(self.link) else None
        build = self._new_build(create=True)
        try:
            writer = open_dir(build).writer(limitmb=128)
            for doc in docs:
                writer.add_document(**_fields(doc))
                if progress:
                    progress(1)
            writer.commit(optimize=True)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        self._swap_to(build)
        # Keep the previous build a while: another process may still be reading it.
        for name in os.listdir(self.builds):
            path = os.path.join(self.builds, name)
            if path not in (build, previous):
                shutil.rmtree(path, ignore_errors=True)

    # --- reading ----------------------------------------------------------------------------

    def _vocabulary(self, searcher) -> Vocabulary:
        """The words of the text fields, rebuilt when the index changes (per process)."""
        key = (self._index_dir, searcher.reader().generation())
        if self._vocabulary_key != key:
            reader = searcher.reader()
            words = (reader.schema[f].from_bytes(t) for f in TEXT_FIELDS for t in reader.lexicon(f))
            self._vocab, self._vocabulary_key = Vocabulary(words), key
        return self._vocab

    def _word_query(self, vocabulary: Vocabulary, word: str, is_last: bool, fields) -> Or:
        """One query word against each field: exact, a prefix while typing, one typo if long."""
        variants = sorted(vocabulary.near(word))
        alternatives = []
        for field in fields:
            alternatives.append(Term(field, word, boost=2.0))
            if is_last:
                alternatives.append(Prefix(field, word))
            alternatives.extend(Term(field, variant) for variant in variants)
        return Or(alternatives)

    def _filter(self, query: SearchQuery, today: dt.date):
        day = _day(today)
        parts = [NumericRange("valid_from", None, day), NumericRange("valid_until", day + 1, None)]
        if query.group:
            level = {1: "group_top", 2: "group_sub"}.get(query.group.count(".") + 1, "group_code")
            parts.append(Term(level, query.group))
        if query.province is not None:
            parts.append(NumericRange("province", query.province, query.province))
        if query.stars_min is not None:
            parts.append(NumericRange("stars", query.stars_min, None))
        if query.price_min is not None or query.price_max is not None:
            parts.append(NumericRange("price", query.price_min, query.price_max))
        return And(parts)

    def _text_query(self, searcher, words: list[str], fields):
        if not words:
            return Every()
        vocabulary = self._vocabulary(searcher)
        return And([self._word_query(vocabulary, w, i == len(words) - 1, fields) for i, w in enumerate(words)])

    def search(self, query: SearchQuery, today: dt.date) -> SearchResult:
        with self._ix().searcher() as searcher:
            text_query = self._text_query(searcher, query.words, TEXT_FIELDS)
            sortedby, reverse = {
                "price_asc": ("price", False),
                "price_desc": ("price", True),
                "stars": (sorting.MultiFacet([sorting.FieldFacet("stars", reverse=True), sorting.ScoreFacet()]),
                          False),
                "newest": ("decided", True),
            }.get(query.sort, (None, False))
            if sortedby is None and not query.words:
                sortedby, reverse = "decided", True
            facets = {"group_top": sorting.FieldFacet("group_top"), "group_sub": sorting.FieldFacet("group_sub"),
                      "province": sorting.FieldFacet("province"), "stars": sorting.FieldFacet("stars")}
            results = searcher.search_page(text_query, query.page, pagelen=query.per_page,
                                           filter=self._filter(query, today), sortedby=sortedby, reverse=reverse,
                                           groupedby=facets, maptype=sorting.Count)
            counts = {name: results.results.groups(name) for name in facets}
            group = {k: v for k, v in counts["group_top"].items()} | dict(counts["group_sub"])
            result = SearchResult(
                ids=[hit["pid"] for hit in results],
                total=results.total,
                facets={"group": group, "province": {int(k): v for k, v in counts["province"].items()},
                        "stars": {int(k): v for k, v in counts["stars"].items()}},
            )
            if result.total == 0 and query.words:
                result.suggestion = self._correct(searcher, query.words)
            return result

    def _correct(self, searcher, words: list[str]) -> list[str] | None:
        vocabulary = self._vocabulary(searcher)
        return correct(words, lambda w: w in vocabulary.words, lambda w: vocabulary.words)

    def suggest(self, words: list[str], today: dt.date, limit: int = 8) -> list[int]:
        if not words:
            return []
        with self._ix().searcher() as searcher:
            text_query = self._text_query(searcher, words, NAME_FIELDS)
            results = searcher.search(text_query, limit=limit, filter=self._filter(SearchQuery(words), today))
            return [hit["pid"] for hit in results]

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
        self._index = None
