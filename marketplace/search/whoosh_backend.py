"""The embedded search backend: a Whoosh index under INSTANCE_PATH.

Layout: `<dir>/current` is a symlink to `<dir>/builds/<name>`; a rebuild writes a new build and
swaps the link in one rename, so searches keep answering. Writers from several processes take
Whoosh's file lock in turn (with a timeout)."""
from __future__ import annotations

import datetime as dt
import heapq
import os
import shutil
import threading
import time
import uuid
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from itertools import islice
from math import log

from whoosh import columns, scoring
from whoosh.analysis import Filter, RegexTokenizer
from whoosh.fields import COLUMN, ID, TEXT, Schema
from whoosh.index import create_in, open_dir

from ..text import Vocabulary, correct, fold
from .base import SearchBackend, SearchQuery, SearchResult
from .documents import SearchDocument

TEXT_FIELDS = {"name": 4.0, "name_en": 4.0, "seller": 2.0, "place": 2.0, "text": 1.0}
NAME_FIELDS = ("name", "name_en")
NAME_FIRST = 1000.0  # the boost of "every word is in the name": a tier above any other match
MAX_PREFIX_TERMS = 64
MAX_CACHED_POSTINGS = 1_500_000  # per process: 12 MB of ids and weights
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
    sorting are columns (dates and the price as numbers, codes as terms): few postings per document.
    Searches read the columns, never range queries (an index built with the price as a NUMERIC field,
    before, reads the same)."""
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
        price=COLUMN(columns.NumericColumn("q")),  # a column only: its 16 trie terms a document cost a third of a build
        decided=COLUMN(columns.NumericColumn("i")),
        valid_from=COLUMN(columns.NumericColumn("i")),
        valid_until=COLUMN(columns.NumericColumn("i")),
    )


def _day(value: dt.date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def _fields(doc: SearchDocument) -> dict:
    groups = doc.groups
    fields = dict(
        id=str(doc.id), name=doc.name, name_en=doc.name_en, seller=doc.seller, place=doc.place,
        text=doc.text, group_top=groups[0], group_sub=groups[1] if len(groups) > 1 else groups[0],
        group_code=doc.group_code, province=str(doc.province_code), stars=str(doc.stars), price=doc.price_vnd,
        decided=_day(doc.decision_date), valid_from=_day(doc.valid_from), valid_until=_day(doc.valid_until),
    )
    return {name: value for name, value in fields.items() if value != ""}  # an empty text costs its analyzer


class _Snapshot:
    """One version of the index (a reader generation) as this process searches it: the facet and sort
    columns of every document in compact arrays (read once), today's window as a byte mask, and the
    postings of the terms asked (ids and weights, cached up to MAX_CACHED_POSTINGS). A search is then
    set operations and one pass over its terms' postings; Whoosh's own matchers cost several Python
    calls per posting and per matcher in their tree, which at 100,000 products took 100 ms and more."""

    def __init__(self, reader):
        self.count = reader.doc_count_all()
        self._leaves = list(reader.leaf_readers())

        def column(field, translate=False):
            if not self.count:  # an empty index (a new shop, before its first reindex) has no columns
                return []
            return list(reader.column_reader(field, translate=translate))

        keys = list(zip(column("group_top"), column("group_sub"), column("group_code"), column("province"),
                        column("stars")))
        table: dict[tuple, int] = {}
        self.combo = array("I", (table.setdefault(key, len(table)) for key in keys))
        self.combos = [tuple(v.decode() for v in key) for key in table]  # index -> (top, sub, code, province, stars)
        stars_of = [int(key[4]) for key in self.combos]
        self.stars = array("b", (stars_of[c] for c in self.combo))
        self.price = array("q", column("price", translate=True))
        self.decided = array("i", column("decided", translate=True))
        self._valid_from = array("i", column("valid_from", translate=True))
        self._valid_until = array("i", column("valid_until", translate=True))
        self._alive = bytearray(self.count)
        for d in reader.all_doc_ids():
            self._alive[d] = 1
        self._windows: dict[int, bytes] = {}
        self._postings: OrderedDict[tuple[str, bytes], tuple[array, array | float]] = OrderedDict()
        self._cached = 0
        self._idf: dict[tuple[str, bytes], float] = {}
        self._reader = reader

    def window(self, day: int) -> bytes:
        """1 for a live document whose recognition holds on `day` (one day kept)."""
        if day not in self._windows:
            self._windows = {day: bytes(alive and start <= day < end for alive, start, end
                                        in zip(self._alive, self._valid_from, self._valid_until))}
        return self._windows[day]

    def combos_allowed(self, query) -> bytes | None:
        """Per facet combination, 1 when it passes the query's group, province and stars filters."""
        if not (query.group or query.province is not None or query.stars_min is not None):
            return None
        level = {1: 0, 2: 1}.get(query.group.count(".") + 1, 2) if query.group else None
        province = str(query.province) if query.province is not None else None
        return bytes((level is None or key[level] == query.group) and (province is None or key[3] == province)
                     and (query.stars_min is None or int(key[4]) >= query.stars_min) for key in self.combos)

    def facets(self, docs) -> dict:
        group: dict[str, int] = {}
        province: dict[int, int] = {}
        stars: dict[int, int] = {}
        for index, n in Counter(map(self.combo.__getitem__, docs)).items():
            top, sub, _code, prov, star = self.combos[index]
            group[top] = group.get(top, 0) + n
            if sub != top:
                group[sub] = group.get(sub, 0) + n
            province[int(prov)] = province.get(int(prov), 0) + n
            stars[int(star)] = stars.get(int(star), 0) + n
        return {"group": group, "province": province, "stars": stars}

    def idf(self, reader, field: str, term: bytes) -> float:
        """Whoosh's TF-IDF idf (scoring.WeightingModel.idf)."""
        key = (field, term)
        if key not in self._idf:
            self._idf[key] = log(self.count / (reader.doc_frequency(field, term) + 1)) + 1
        return self._idf[key]

    def postings(self, reader, field: str, term: bytes) -> tuple[array, array | float]:
        """Document numbers and weights of a term (deleted documents included: the window drops them);
        one float for the weights when they are all the same."""
        key = (field, term)
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
            return found
        ids, weights = array("I"), array("f")
        for leaf, offset in self._leaves:
            if (field, term) not in leaf:
                continue
            matcher = leaf.postings(field, term)
            matcher = getattr(matcher, "child", matcher)  # under the deleted documents' filter
            if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):  # whoosh3 blocks
                while matcher.is_active():
                    matcher._read_ids()
                    matcher._read_weights()
                    ids.extend([d + offset for d in matcher._ids] if offset else matcher._ids)
                    weights.extend(matcher._weights)
                    matcher._next_block()
            else:
                while matcher.is_active():
                    ids.append(matcher.id() + offset)
                    weights.append(matcher.weight())
                    matcher.next()
        if weights and weights.count(weights[0]) == len(weights):
            weights = float(weights[0])  # the usual case in names: each word once, the field's boost
        found = (ids, weights)
        self._postings[key] = found
        self._cached += len(ids)
        while self._cached > MAX_CACHED_POSTINGS and len(self._postings) > 1:
            _key, (old, _w) = self._postings.popitem(last=False)
            self._cached -= len(old)
        return found

    def product_id(self, docnum: int) -> int:
        return int(self._reader.stored_fields(docnum)["id"])


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
        self._snap = None
        self._snapshot_key = None
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
            writer = open_dir(build).writer(procs=2, multisegment=True, limitmb=128)
            for doc in docs:
                writer.add_document(**_fields(doc))
                if progress:
                    progress(1)
            writer.commit()
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

    def _open_searcher(self):
        """A searcher kept between queries, opened anew when the index changes. Not Whoosh's `refresh()`: it
        keeps the readers of segments it knew, with the deletions they had then, so a product indexed again
        (its old document deleted, a new one added) was found twice until the process restarted."""
        ix = self._ix()
        if self._searcher is None or self._searcher._ix is not ix or not self._searcher.up_to_date():
            previous, self._searcher = self._searcher, ix.searcher(weighting=scoring.TF_IDF())
            if previous is not None:
                previous.close()
        return self._searcher

    def _snapshot(self, searcher) -> _Snapshot:
        reader = searcher.reader()
        key = (self._index_dir, reader.generation())
        if self._snapshot_key != key:
            self._snap, self._snapshot_key = None, None  # let the old one go before reading the new
            self._snap, self._snapshot_key = _Snapshot(reader), key
        return self._snap

    def _words(self, searcher, words: list[str], fields) -> list[dict] | None:
        """Per query word, its terms with their query boosts, per field: exact (2), a prefix while
        typing (the last word), one typo if long (1). None when a word matches nothing."""
        vocabulary, reader = self._vocabulary(searcher), searcher.reader()
        found = []
        for i, word in enumerate(words):
            variants = sorted(vocabulary.near(word))
            terms: dict[tuple[str, bytes], float] = {}
            for field in fields:
                exact = reader.schema[field].to_bytes(word)
                if i == len(words) - 1:
                    expanded = list(islice(reader.expand_prefix(field, word), MAX_PREFIX_TERMS))
                    if expanded:
                        terms[(field, exact)] = terms.get((field, exact), 0.0) + 2.0  # typed as is ranks first
                        for term in expanded:
                            terms[(field, term)] = terms.get((field, term), 0.0) + 1.0
                elif reader.doc_frequency(field, word):
                    terms[(field, exact)] = terms.get((field, exact), 0.0) + 2.0
                for variant in variants:
                    if reader.doc_frequency(field, variant):
                        term = reader.schema[field].to_bytes(variant)
                        terms[(field, term)] = terms.get((field, term), 0.0) + 1.0
            if not terms:
                return None
            found.append(terms)
        return found

    def _allowed(self, snapshot: _Snapshot, query: SearchQuery | None):
        """A predicate over document numbers for the filters (None: no filter)."""
        ok = snapshot.combos_allowed(query) if query is not None else None
        prices = None
        if query is not None and (query.price_min is not None or query.price_max is not None):
            low = query.price_min if query.price_min is not None else -(2 ** 63)
            high = query.price_max if query.price_max is not None else 2 ** 63
            prices = (snapshot.price, low, high)
        return ok, prices

    def _match(self, searcher, query: SearchQuery | None, words: list[str], today: dt.date, fields,
               name_tier: bool) -> tuple[list[int], dict[int, float]]:
        """The documents in today's window and the filters that hold every word, and their scores:
        Whoosh's TF-IDF (posting weight x idf x the query boost, summed over the terms that match),
        plus NAME_FIRST times the names' part for a document whose name fields hold every word."""
        snapshot = self._snapshot(searcher)
        window = snapshot.window(_day(today))
        ok, prices = self._allowed(snapshot, query)
        combo = snapshot.combo

        def keep(candidates):
            kept = {d for d in candidates if window[d]}
            if ok is not None:
                kept = {d for d in kept if ok[combo[d]]}
            if prices is not None:
                price, low, high = prices
                kept = {d for d in kept if low <= price[d] <= high}
            return kept

        if not words:
            return keep(range(snapshot.count)), None
        per_word = self._words(searcher, words, fields)
        if per_word is None:
            return set(), {}
        reader = searcher.reader()
        postings = [[(snapshot.postings(reader, f, t), boost * snapshot.idf(reader, f, t), f in NAME_FIELDS)
                     for (f, t), boost in terms.items()] for terms in per_word]
        sets = []
        for components in postings:
            docs = set()
            for (ids, _weights), _c, _n in components:
                docs.update(ids)
            sets.append(docs)
        sets.sort(key=len)
        matched = keep(sets[0].intersection(*sets[1:]) if len(sets) > 1 else sets[0])
        if not matched:
            return matched, {}
        scores = dict.fromkeys(matched, 0.0)
        in_name = dict.fromkeys(matched, 0.0) if name_tier else None
        named = []  # per word: the matched documents holding it in a name field
        for components in postings:
            word_named = set()
            for (ids, weights), factor, is_name in components:
                name_part = is_name and in_name is not None
                if isinstance(weights, float):  # one weight for every posting: only the matched ones are read
                    s = weights * factor
                    hits = matched.intersection(ids)
                    for d in hits:
                        scores[d] += s
                    if name_part:
                        for d in hits:
                            in_name[d] += s
                        word_named |= hits
                elif name_part:
                    for d, w in zip(ids, weights):
                        if d in scores:
                            s = w * factor
                            scores[d] += s
                            in_name[d] += s
                            word_named.add(d)
                else:
                    for d, w in zip(ids, weights):
                        if d in scores:
                            scores[d] += w * factor
            named.append(word_named)
        if in_name is not None:
            for d in set.intersection(*named):
                scores[d] += NAME_FIRST * in_name[d]
        return matched, scores

    def search(self, query: SearchQuery, today: dt.date) -> SearchResult:
        with self._lock:
            searcher = self._open_searcher()
            snapshot = self._snapshot(searcher)
            matched, scores = self._match(searcher, query, query.words, today, TEXT_FIELDS, name_tier=True)
            if not matched:
                result = SearchResult(ids=[], total=0)
                if query.words:
                    result.suggestion = self._correct(searcher, query.words)
                return result
            start = (query.page - 1) * query.per_page
            end = start + query.per_page
            sort = query.sort if query.sort in ("price_asc", "price_desc", "stars", "newest") else None
            if sort is None and scores is None:
                sort = "newest"
            if sort is None:
                page = heapq.nsmallest(end, matched, key=lambda d: (-scores[d], d))
            elif sort == "stars":
                stars = snapshot.stars
                page = heapq.nsmallest(end, matched, key=lambda d: (-stars[d], -(scores or {}).get(d, 0.0), d))
            else:
                column, sign = {"price_asc": (snapshot.price, 1), "price_desc": (snapshot.price, -1),
                                "newest": (snapshot.decided, -1)}[sort]
                page = heapq.nsmallest(end, matched, key=lambda d: (sign * column[d], d))
            result = SearchResult(ids=[snapshot.product_id(reader_doc) for reader_doc in page[start:end]],
                                  total=len(matched), facets=snapshot.facets(matched))
            return result

    def _correct(self, searcher, words: list[str]) -> list[str] | None:
        vocabulary = self._vocabulary(searcher)
        return correct(words, lambda w: w in vocabulary.words, vocabulary.candidates)

    def suggest(self, words: list[str], today: dt.date, limit: int = 8) -> list[int]:
        if not words:
            return []
        with self._lock:
            searcher = self._open_searcher()
            matched, scores = self._match(searcher, None, words, today, NAME_FIELDS, name_tier=False)
            snapshot, reader = self._snapshot(searcher), searcher.reader()
            # As on PostgreSQL: a name holding the last word as typed ("tra": Trà) before names it only
            # begins (Tráng), then the score, then the best-starred.
            typed = set()
            for field in NAME_FIELDS:
                term = reader.schema[field].to_bytes(words[-1])
                if reader.doc_frequency(field, term):
                    typed.update(snapshot.postings(reader, field, term)[0])
            stars = snapshot.stars
            best = heapq.nsmallest(limit, matched, key=lambda d: (d not in typed, -scores[d], -stars[d], d))
            return [snapshot.product_id(d) for d in best]

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._index is not None:
            self._index.close()
        self._index = None
