"""Search on PostgreSQL full text: `product_search` rows with a weighted tsvector (name A; seller,
province, ward and GI B; descriptions and stories C) under the `ocop_vi` configuration
(unaccent, then simple), a GIN index, and `search_terms` for one-typo tolerance. For a shop that
runs several app servers: every one of them reads and writes the same rows."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from sqlalchemy import text

from ..text import FUZZY_MIN_LENGTH, correct, within_one_edit
from .base import SearchBackend, SearchQuery, SearchResult
from .documents import SearchDocument

CONFIG = "ocop_vi"
RANK_WEIGHTS = "{0.05, 0.2, 0.5, 1.0}"  # D, C, B, A
BATCH = 500
SUGGEST_AMONG = 200  # matches a suggestion is chosen from, the best-starred first

UPSERT = text(f"""
INSERT INTO product_search (product_id, name, name_en, group_top, group_sub, group_code, province_code, stars,
                            price_vnd, decision_date, valid_from, valid_until, vector)
VALUES (:id, :name, :name_en, :group_top, :group_sub, :group_code, :province_code, :stars, :price_vnd,
        :decision_date, :valid_from, :valid_until,
        setweight(to_tsvector('{CONFIG}', :name || ' ' || :name_en), 'A')
        || setweight(to_tsvector('{CONFIG}', :seller || ' ' || :place), 'B')
        || setweight(to_tsvector('{CONFIG}', :text), 'C'))
ON CONFLICT (product_id) DO UPDATE SET
    name = EXCLUDED.name, name_en = EXCLUDED.name_en, group_top = EXCLUDED.group_top,
    group_sub = EXCLUDED.group_sub, group_code = EXCLUDED.group_code, province_code = EXCLUDED.province_code,
    stars = EXCLUDED.stars, price_vnd = EXCLUDED.price_vnd, decision_date = EXCLUDED.decision_date,
    valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until, vector = EXCLUDED.vector
""")
ADD_TERMS = text("""
INSERT INTO search_terms (term)
SELECT DISTINCT term FROM product_search, unnest(tsvector_to_array(vector)) AS term
WHERE product_id = ANY(:ids) AND term ~ '[a-z]'
ON CONFLICT DO NOTHING
""")


def _params(doc: SearchDocument) -> dict:
    groups = doc.groups
    return dict(id=doc.id, name=doc.name, name_en=doc.name_en, seller=doc.seller, place=doc.place, text=doc.text,
                group_top=groups[0], group_sub=groups[1] if len(groups) > 1 else groups[0],
                group_code=doc.group_code, province_code=doc.province_code, stars=doc.stars,
                price_vnd=doc.price_vnd, decision_date=doc.decision_date, valid_from=doc.valid_from,
                valid_until=doc.valid_until)


def _batches(docs: Iterable[SearchDocument]):
    batch = []
    for doc in docs:
        batch.append(doc)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


class PostgresBackend(SearchBackend):
    name = "postgres"

    def __init__(self, engine):
        self.engine = engine

    # --- writing ----------------------------------------------------------------------------

    def index(self, docs: Iterable[SearchDocument]) -> None:
        with self.engine.begin() as conn:
            for batch in _batches(docs):
                conn.execute(UPSERT, [_params(d) for d in batch])
                conn.execute(ADD_TERMS, {"ids": [d.id for d in batch]})

    def remove(self, ids: Iterable[int]) -> None:
        ids = list(ids)
        if ids:
            with self.engine.begin() as conn:
                conn.execute(text("DELETE FROM product_search WHERE product_id = ANY(:ids)"), {"ids": ids})

    def rebuild(self, docs: Iterable[SearchDocument], progress: Callable[[int], None] | None = None) -> None:
        # One transaction: searches see the old rows until the new ones are all in.
        with self.engine.begin() as conn:
            conn.execute(text("DELETE FROM product_search"))
            for batch in _batches(docs):
                conn.execute(UPSERT, [_params(d) for d in batch])
                if progress:
                    progress(len(batch))
            conn.execute(text("DELETE FROM search_terms"))
            conn.execute(text("INSERT INTO search_terms (term) SELECT DISTINCT term FROM product_search, "
                              "unnest(tsvector_to_array(vector)) AS term WHERE term ~ '[a-z]' ON CONFLICT DO NOTHING"))
            # Fresh statistics: without them the planner takes every new row's window for a rare one and
            # sorts and groups the matches as if a few hundred (100,000 products: 60 ms instead of 20).
            conn.execute(text("ANALYZE product_search"))
            conn.execute(text("ANALYZE search_terms"))

    # --- reading ----------------------------------------------------------------------------

    def _variants(self, conn, word: str) -> set[str]:
        if len(word) < FUZZY_MIN_LENGTH:
            return set()
        rows = conn.execute(text("SELECT term FROM search_terms WHERE length(term) BETWEEN :lo AND :hi "
                                 "AND levenshtein_less_equal(term, :w, 2) <= 2"),
                            {"w": word, "lo": len(word) - 1, "hi": len(word) + 1}).scalars()
        return {term for term in rows if term != word and within_one_edit(word, term)}

    def _tsquery(self, conn, words: list[str], weight: str = "", variants: dict | None = None) -> str:
        """Every word must match: exactly, as a prefix if it is the last one, or within one typo.
        Words are folded \\w runs, so nothing in them is tsquery syntax. `weight` "A": in the name."""
        variants = variants if variants is not None else {word: self._variants(conn, word) for word in words}
        parts = []
        for i, word in enumerate(words):
            options = [f"{word}:{weight}" if weight else word]
            options += [f"{v}:{weight}" if weight else v for v in sorted(variants[word])]
            if i == len(words) - 1:
                options.append(f"{word}:*{weight}")
            parts.append("(" + " | ".join(options) + ")")
        return " & ".join(parts)

    def _where(self, query: SearchQuery, today: dt.date, tsquery: str | None) -> tuple[str, dict]:
        conditions = ["valid_from <= :today", "valid_until > :today"]
        params: dict = {"today": today}
        if tsquery:
            conditions.append(f"vector @@ to_tsquery('{CONFIG}', :tsq)")
            params["tsq"] = tsquery
        if query.group:
            column = {1: "group_top", 2: "group_sub"}.get(query.group.count(".") + 1, "group_code")
            conditions.append(f"{column} = :group")
            params["group"] = query.group
        for column, operator, value in (("province_code", "=", query.province), ("stars", ">=", query.stars_min),
                                        ("price_vnd", ">=", query.price_min), ("price_vnd", "<=", query.price_max)):
            if value is not None:
                name = f"p{len(params)}"
                conditions.append(f"{column} {operator} :{name}")
                params[name] = value
        return " AND ".join(conditions), params

    @staticmethod
    def _rank(words: list[str], params: dict) -> str:
        """ts_rank by field weight, with the words as typed counting twice (as in the Whoosh
        backend): an exact 'tra' ranks above a prefix match on 'trang'."""
        params["exact"] = " | ".join(words)
        return (f"(ts_rank('{RANK_WEIGHTS}', vector, to_tsquery('{CONFIG}', :tsq)) "
                f"+ ts_rank('{RANK_WEIGHTS}', vector, to_tsquery('{CONFIG}', :exact)))")

    def search(self, query: SearchQuery, today: dt.date) -> SearchResult:
        """One statement: the matching rows are read once, then give the page and the facets."""
        with self.engine.connect() as conn:
            variants = {word: self._variants(conn, word) for word in query.words}
            tsquery = self._tsquery(conn, query.words, variants=variants) if query.words else None
            where, params = self._where(query, today, tsquery)
            rank = self._rank(query.words, params) if tsquery else "0"
            # A product whose name holds every word ranks above one matched elsewhere (its seller's name).
            in_name = f"vector @@ to_tsquery('{CONFIG}', :tsq_name)" if tsquery else "false"
            params["tsq_name"] = self._tsquery(conn, query.words, "A", variants) if tsquery else ""
            order = {
                "price_asc": "price_vnd, product_id",
                "price_desc": "price_vnd DESC, product_id",
                "stars": "stars DESC, in_name DESC, rank DESC, product_id",
                "newest": "decision_date DESC, product_id DESC",
            }.get(query.sort) or ("in_name DESC, rank DESC, product_id" if tsquery
                                  else "decision_date DESC, product_id DESC")
            rows = conn.execute(text(f"""
                WITH matched AS MATERIALIZED (
                    SELECT product_id, group_top, group_sub, province_code, stars, price_vnd, decision_date,
                           {rank} AS rank, {in_name} AS in_name
                    FROM product_search WHERE {where}
                ), page AS (  -- the page's rows by a top-N sort, then numbered: no full sort of every match
                    SELECT product_id, price_vnd, stars, decision_date, rank, in_name
                    FROM matched ORDER BY {order} LIMIT :limit OFFSET :offset
                )
                SELECT row_number() OVER (ORDER BY {order}), product_id, NULL, NULL, NULL, NULL, NULL FROM page
                UNION ALL
                SELECT NULL, NULL, group_top, group_sub, province_code, stars, count(*) FROM matched
                GROUP BY GROUPING SETS ((group_top), (group_sub), (province_code), (stars))
            """), params | {"limit": query.per_page, "offset": (query.page - 1) * query.per_page}).all()
            page = sorted((position, product_id) for position, product_id, *_ in rows if position is not None)
            facets = {"group": {}, "province": {}, "stars": {}}
            total = 0
            for position, _id, top, sub, province, stars, count in rows:
                if position is not None:
                    continue
                if top is not None:
                    facets["group"][top] = count
                elif sub is not None:
                    facets["group"][sub] = count
                elif province is not None:
                    facets["province"][province] = count
                else:
                    facets["stars"][stars] = count
                    total += count
            result = SearchResult(ids=[product_id for _position, product_id in page], total=total, facets=facets)
            if total == 0 and query.words:
                result.suggestion = self._correct(conn, query.words)
            return result

    def _correct(self, conn, words: list[str]) -> list[str] | None:
        known = set(conn.execute(text("SELECT term FROM search_terms WHERE term = ANY(:words)"),
                                 {"words": words}).scalars())

        def candidates(word):
            return conn.execute(text("SELECT term FROM search_terms WHERE levenshtein_less_equal(term, :w, 2) <= 2"),
                                {"w": word}).scalars().all()

        return correct(words, known.__contains__, candidates)

    def suggest(self, words: list[str], today: dt.date, limit: int = 8) -> list[int]:
        """Names that match what is typed, ranked among the SUGGEST_AMONG best-starred matches (newest first
        among equal stars): a few letters that thousands of names share are answered from the first rows of
        the stars index instead of ranking every one of them. Words are folded \\w runs (see _tsquery)."""
        if not words:
            return []
        with self.engine.connect() as conn:
            tsquery = self._tsquery(conn, words, weight="A")
            where, params = self._where(SearchQuery(words=words), today, tsquery)
            rank = self._rank(words, params)
            # a name holding the last word as typed ("tra": Trà) before names it only begins (Tráng)
            typed = f"vector @@ to_tsquery('{CONFIG}', :typed)"
            params["typed"] = f"{words[-1]}:A"
            return conn.execute(text(
                f"SELECT product_id FROM (SELECT product_id, stars, vector FROM product_search WHERE {where} "
                f"ORDER BY stars DESC, product_id DESC LIMIT :among) AS best "
                f"ORDER BY {typed} DESC, {rank} DESC, stars DESC, product_id DESC LIMIT :limit"),
                params | {"limit": limit, "among": SUGGEST_AMONG}).scalars().all()
