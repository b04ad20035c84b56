"""The embedded search backend: a Whoosh index under INSTANCE_PATH.

Layout: `<dir>/current` is a symlink to `<dir>/builds/<name>`; a rebuild writes a new build and
swaps the link in one rename, so searches keep answering. Writers from several processes take
Whoosh's file lock in turn (with a timeout)."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from itertools import islice

from whoosh import columns, scoring, sorting
from whoosh.analysis import Filter, RegexTokenizer
from whoosh.fields import COLUMN, ID, NUMERIC, TEXT, Schema
from whoosh.index import create_in, open_dir
from whoosh.query import And, AndMaybe, Every, NullQuery, NumericRange, Or, Term

from ..text import Vocabulary, correct, fold
from .base import SearchBackend, SearchQuery, SearchResult
from .documents import SearchDocument

TEXT_FIELDS = {"name": 4.0, "name_en": 4.0, "seller": 2.0, "place": 2.0, "text": 1.0}
NAME_FIELDS = ("name", "name_en")
NAME_FIRST = 1000.0  # the boost of "every word is in the name": a tier above any other match
NAME_FIELDS = ("name", "name_en")
MAX_PREFIX_TERMS = 64
WRITE_TIMEOUT = 15.0


class FoldFilter(Filter):
    """Lower case, no diacritics, đ → d (marketplace.text.fold)."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            yield token


def _analyzer():
    return RegexTokenizer(r"\w+") | FoldFilter()


def make_schema() -> Schema:
    """Text fields are indexed with the folding analyzer; the fields used for filters, facets and
    sorting are columns (dates and the price as numbers, codes as terms): few postings per document."""
    analyzer = _analyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        name=TEXT(analyzer=analyzer, field_boost=TEXT_FIELDS["name"]),
        name_en=TEXT(analyzer=analyzer, field_boost=TEXT_FIELDS["name_en"]),
        seller=TEXT(analyzer=analyzer, field_boost=TEXT_FIELDS["seller"]),
        place=TEXT(analyzer=analyzer, field_boost=TEXT_FIELDS["place"]),
        text=TEXT(analyzer=analyzer, field_boost=TEXT_FIELDS["text"]),
        group_top=ID(sortable=True),
        group_sub=ID(sortable=True),
        group_code=ID(sortable=True),
        province=ID(sortable=True),
        stars=ID(sortable=True),
        price=NUMERIC(int, bits=64, sortable=True),
        decided=COLUMN(columns.NumericColumn("i")),
        valid_from=COLUMN(columns.NumericColumn("i")),
        valid_until=COLUMN(columns.NumericColumn("i")),
    )


def _day(value: dt.date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def _fields(doc: SearchDocument) -> dict:
    groups = doc.groups
    return dict(
        id=str(doc.id), name=doc.name, name_en=doc.name_en, seller=doc.seller, place=doc.place,
        text=doc.text, group_top=groups[0], group_sub=groups[1] if len(groups) > 1 else groups[0],
        group_code=doc.group_code, province=str(doc.province_code), stars=str(doc.stars), price=doc.price_vnd,
        decided=_day(doc.decision_date), valid_from=_day(doc.valid_from), valid_until=_day(doc.valid_until),
    )


_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _directory_lock(directory: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(os.path.realpath(directory), threading.Lock())


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
        self._searcher = None
        self._window_key = None
        self._window_docs: set[int] = set()
        self._lock = threading.RLock()  # one search at a time per process (a threaded server)

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

    @contextmanager
    def _writer(self):
        """Writers queue on a lock per directory inside this process (Whoosh's file lock is polled,
        and a polling thread can starve behind two others), then take Whoosh's file lock, which
        other processes also wait for; committed or cancelled."""
        with _directory_lock(self.directory):
            writer = self._ix().writer(timeout=WRITE_TIMEOUT, delay=0.05)
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            writer.commit()

    def index(self, docs: Iterable[SearchDocument]) -> None:
        docs = list(docs)
        if docs:
            with self._writer() as writer:
                for doc in docs:
                    writer.update_document(**_fields(doc))

    def remove(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if ids:
            with self._writer() as writer:
                for product_id in ids:
                    writer.delete_by_term("id", str(product_id))

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

    def _word_query(self, reader, vocabulary: Vocabulary, word: str, is_last: bool, fields) -> Or:
        """One query word against each field: exact, a prefix while typing, one typo if long.
        Only terms the field holds are asked for: every extra matcher costs on every document."""
        variants = sorted(vocabulary.near(word))
        alternatives = []
        for field in fields:
            if is_last:
                expanded = list(islice(reader.expand_prefix(field, word), MAX_PREFIX_TERMS))
                if expanded:
                    alternatives.append(Term(field, word, boost=2.0))  # typed as is ranks first
                    alternatives.append(Or([Term(field, reader.schema[field].from_bytes(t)) for t in expanded]))
            elif reader.doc_frequency(field, word):
                alternatives.append(Term(field, word, boost=2.0))
            alternatives.extend(Term(field, v) for v in variants if reader.doc_frequency(field, v))
        return Or(alternatives) if alternatives else NullQuery

    def _open_searcher(self):
        """A searcher kept between queries and refreshed when the index changes."""
        ix = self._ix()
        if self._searcher is None or self._searcher._ix is not ix:
            # TF-IDF with the fields' boosts: the names rank first, and without BM25's length
            # normalisation no field length is read per matching document.
            self._searcher = ix.searcher(weighting=scoring.TF_IDF())
        else:
            self._searcher = self._searcher.refresh()
        return self._searcher

    def _in_window(self, searcher, today: dt.date) -> set[int]:
        """Documents whose recognition holds today: worked out from the columns once per index
        version and day (a range query over dates on every search costs more than the search)."""
        reader = searcher.reader()
        key = (self._index_dir, reader.generation(), today)
        if self._window_key != key:
            day = _day(today)
            starts, ends = reader.column_reader("valid_from"), reader.column_reader("valid_until")
            self._window_docs = {d for d in reader.all_doc_ids() if starts[d] <= day < ends[d]}
            self._window_key = key
        return self._window_docs

    def _allowed(self, searcher, query: SearchQuery, today: dt.date) -> set[int]:
        allowed = self._in_window(searcher, today)
        parts = self._filters(query)
        if parts:
            allowed = allowed & set(searcher.docs_for_query(And(parts)))
        return allowed

    def _filters(self, query: SearchQuery) -> list:
        parts = []
        if query.group:
            level = {1: "group_top", 2: "group_sub"}.get(query.group.count(".") + 1, "group_code")
            parts.append(Term(level, query.group))
        if query.province is not None:
            parts.append(Term("province", str(query.province)))
        if query.stars_min is not None:
            parts.append(Or([Term("stars", str(n)) for n in range(query.stars_min, 6)]))
        if query.price_min is not None or query.price_max is not None:
            parts.append(NumericRange("price", query.price_min, query.price_max))
        return parts

    def _text_query(self, searcher, words: list[str], fields):
        if not words:
            return Every()
        vocabulary, reader = self._vocabulary(searcher), searcher.reader()
        return And([self._word_query(reader, vocabulary, w, i == len(words) - 1, fields)
                    for i, w in enumerate(words)])

    def _ranked_query(self, searcher, words: list[str]):
        """Every word somewhere; a product whose name holds every word first (NAME_FIRST dwarfs any other
        score), so a seller called "HTX Mật ong …" does not lift its dried shrimp above honey."""
        matches = self._text_query(searcher, words, TEXT_FIELDS)
        if not words:
            return matches
        vocabulary, reader = self._vocabulary(searcher), searcher.reader()
        in_name = [self._word_query(reader, vocabulary, w, i == len(words) - 1, NAME_FIELDS)
                   for i, w in enumerate(words)]
        if any(part is NullQuery for part in in_name):  # a word no name holds: no product is in the first tier
            return matches
        return AndMaybe(matches, And(in_name, boost=NAME_FIRST))

    def search(self, query: SearchQuery, today: dt.date) -> SearchResult:
        with self._lock:
            searcher = self._open_searcher()
            text_query = self._ranked_query(searcher, query.words)
            sortedby, reverse = {
                "price_asc": ("price", False),
                "price_desc": ("price", True),
                "stars": (sorting.MultiFacet([sorting.FieldFacet("stars", reverse=True), sorting.ScoreFacet()]),
                          False),
                "newest": ("decided", True),
            }.get(query.sort, (None, False))
            if sortedby is None and not query.words:
                sortedby, reverse = "decided", True
            allowed = self._allowed(searcher, query, today)
            if not allowed:  # Whoosh reads an empty filter as no filter at all
                return SearchResult(ids=[], total=0)
            facets = {"group_top": sorting.FieldFacet("group_top"), "group_sub": sorting.FieldFacet("group_sub"),
                      "province": sorting.FieldFacet("province"), "stars": sorting.FieldFacet("stars")}
            results = searcher.search_page(text_query, query.page, pagelen=query.per_page,
                                           filter=allowed, sortedby=sortedby,
                                           reverse=reverse,
                                           groupedby=facets, maptype=sorting.Count)
            counts = {name: results.results.groups(name) for name in facets}
            group = {k: v for k, v in counts["group_top"].items()} | dict(counts["group_sub"])
            result = SearchResult(
                ids=[int(hit["id"]) for hit in results],
                total=results.total,
                facets={"group": group, "province": {int(k): v for k, v in counts["province"].items()},
                        "stars": {int(k): v for k, v in counts["stars"].items()}},
            )
            if result.total == 0 and query.words:
                result.suggestion = self._correct(searcher, query.words)
            return result

    def _correct(self, searcher, words: list[str]) -> list[str] | None:
        vocabulary = self._vocabulary(searcher)
        return correct(words, lambda w: w in vocabulary.words, vocabulary.candidates)

    def suggest(self, words: list[str], today: dt.date, limit: int = 8) -> list[int]:
        if not words:
            return []
        with self._lock:
            searcher = self._open_searcher()
            window = self._in_window(searcher, today)
            if not window:
                return []
            text_query = self._text_query(searcher, words, NAME_FIELDS)
            results = searcher.search(text_query, limit=limit, filter=window)
            return [int(hit["id"]) for hit in results]

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._index is not None:
            self._index.close()
        self._index = None
