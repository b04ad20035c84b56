"""Search benchmark (issue 3): 20,000 generated products with Vietnamese names; index build time
and the latency (p50/p95) of a fixed list of 20 queries with facets, per backend, in one run.

    .venv/bin/python bench/search.py --database-url postgresql://postgres@127.0.0.1:5432/EMPTY_DB

Without --database-url only the Whoosh backend runs (on SQLite). Each query is timed twice:
the backend alone (ids, total, facets) and the whole search service (plus the rows through the
listing rule and the highlighting) that the page and the API call.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    "tra shan tuyet", "TRÀ SHAN TUYẾT", "cà phê", "ca phe dak lak", "coffee", "nuoc mam phu quoc", "mat ong",
    "gạo", "que van yen", "tuyte", "cinamon", "hop qua", "tra", "ban", "banh", "tinh dau", "moc chau",
    "lua", "gom bat trang", "hồi lạng sơn",
]
FILTERS = [{}, {"stars_min": 4}, {"group": "I"}, {"province": 14}]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from bench.storefront import generate
    from config import database_url
    from marketplace import create_app, ocop
    from marketplace.extensions import db
    from marketplace.search import services
    from marketplace.search.base import SearchQuery
    from marketplace.search.whoosh_backend import WhooshBackend
    from marketplace.text import query_words

    instance = Path(tempfile.mkdtemp(prefix="ocop-search-bench-"))
    url = database_url(args.database_url) or f"sqlite:///{instance}/bench.sqlite"
    app = create_app("development", {"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": url,
                                     "UPLOAD_DIR": str(instance / "uploads"), "SEARCH_BACKEND": "none"})
    with app.app_context():
        upgrade()
    generate(app, args.products)

    backends = {"whoosh": lambda: WhooshBackend(str(instance / "whoosh"))}
    if url.startswith("postgresql"):
        from marketplace.search.postgres_backend import PostgresBackend
        with app.app_context():
            db_engine = db.engine
        backends["postgres"] = lambda: PostgresBackend(db_engine)

    today = ocop.today()
    print(f"{args.products} products on {url.split(':')[0]}; {len(QUERIES)} queries x {len(FILTERS)} filter sets "
          f"x {args.rounds} rounds, facets on every query\n")
    print(f"{'backend':10} {'build':>8} {'backend p50':>12} {'p95':>8} {'service p50':>12} {'p95':>8}")
    for name, make_backend in backends.items():
        with app.test_request_context():
            app.extensions["search"] = make_backend()
            started = time.perf_counter()
            indexed = services.rebuild()
            build = time.perf_counter() - started
            search_backend = app.extensions["search"]
            for q in QUERIES:  # warm up caches (vocabulary, plans)
                search_backend.search(SearchQuery(words=query_words(q)), today)
            backend_times, service_times, totals = [], [], []
            for _ in range(args.rounds):
                for q in QUERIES:
                    for filters in FILTERS:
                        query = SearchQuery(words=query_words(q), **filters)
                        t0 = time.perf_counter()
                        result = search_backend.search(query, today)
                        t1 = time.perf_counter()
                        services.search(query, today)
                        t2 = time.perf_counter()
                        backend_times.append((t1 - t0) * 1000)
                        service_times.append((t2 - t1) * 1000)
                        totals.append(result.total)
            print(f"{name:10} {build:7.1f}s {statistics.median(backend_times):10.1f}ms "
                  f"{percentile(backend_times, .95):6.1f}ms {statistics.median(service_times):10.1f}ms "
                  f"{percentile(service_times, .95):6.1f}ms   ({indexed} indexed, median hits "
                  f"{int(statistics.median(totals))})")
            slowest = sorted(zip(backend_times, [q for _ in range(args.rounds) for q in QUERIES for _f in FILTERS]),
                             reverse=True)[:3]
            print(f"{'':10} slowest: " + ", ".join(f"{q!r} {t:.0f}ms" for t, q in slowest))


if __name__ == "__main__":
    main()
