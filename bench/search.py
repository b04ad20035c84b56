"""Search benchmark (issues 3 and 15): N generated products with Vietnamese names (20,000 by default);
index build time and the latency (p50/p95) of a fixed list of 20 queries with facets, and of the
suggestions typed letter by letter, per backend, in one run.

    .venv/bin/python bench/search.py [--products 100000] [--database-url postgresql://postgres@127.0.0.1:5432/EMPTY_DB]

Without --database-url only the Whoosh backend runs (on SQLite). Each query is timed twice:
the backend alone (ids, total, facets) and the whole search service (plus the rows through the
listing rule and the highlighting) that the page and the API call. Suggestions likewise: the
backend's ids, and the service that /api/v1/suggest calls (plus the rows through the listing rule).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
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
# What a shopper types into the search box, one letter at a time (from the second letter on).
TYPED = ["tra tan cuong", "mật ong", "nuoc mam phu quoc", "que van yen", "banh", "gom bat", "cafe", "hat dieu"]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(call, *args, **kwargs) -> tuple[float, object]:
    started = time.perf_counter()
    result = call(*args, **kwargs)
    return (time.perf_counter() - started) * 1000, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    from bench.generate import generate, scratch_app
    from marketplace import ocop
    from marketplace.extensions import db
    from marketplace.search import services
    from marketplace.search.base import SearchQuery
    from marketplace.search.whoosh_backend import WhooshBackend
    from marketplace.text import query_words

    app, instance, url = scratch_app(args.database_url, "ocop-search-bench-", SEARCH_BACKEND="none")
    started = time.perf_counter()
    generate(app, args.products)
    print(f"generated {args.products} products in {time.perf_counter() - started:.1f} s on {url.split(':')[0]}")

    backends = {"whoosh": lambda: WhooshBackend(str(instance / "whoosh"))}
    if url.startswith("postgresql"):
        from marketplace.search.postgres_backend import PostgresBackend
        with app.app_context():
            db_engine = db.engine
        backends["postgres"] = lambda: PostgresBackend(db_engine)

    today = ocop.today()
    typed = [text[:n] for text in TYPED for n in range(2, len(text) + 1) if not text[:n].endswith(" ")]
    print(f"{len(QUERIES)} queries x {len(FILTERS)} filter sets x {args.rounds} rounds, facets on every query; "
          f"{len(typed)} suggestions x {args.rounds} rounds\n")
    print(f"{'backend':10} {'build':>7} | {'search: backend p50':>19} {'p95':>6} {'service p50':>12} {'p95':>6} | "
          f"{'suggest: backend p50':>20} {'p95':>6} {'service p50':>12} {'p95':>6}")
    try:
        for name, make_backend in backends.items():
            with app.test_request_context():
                app.extensions["search"] = make_backend()
                build, indexed = timed(services.rebuild)
                search_backend = app.extensions["search"]
                for q in QUERIES:  # warm up caches (vocabulary, plans)
                    search_backend.search(SearchQuery(words=query_words(q)), today)
                backend_times, service_times, totals, asked = [], [], [], []
                for _ in range(args.rounds):
                    for q in QUERIES:
                        for filters in FILTERS:
                            query = SearchQuery(words=query_words(q), **filters)
                            took, result = timed(search_backend.search, query, today)
                            backend_times.append(took)
                            service_times.append(timed(services.search, query, today)[0])
                            totals.append(result.total)
                            asked.append(q)
                suggest_backend, suggest_service, suggest_asked = [], [], []
                for _ in range(args.rounds):
                    for q in typed:
                        suggest_backend.append(timed(search_backend.suggest, query_words(q), today)[0])
                        suggest_service.append(timed(services.suggest, q, today=today)[0])
                        suggest_asked.append(q)
                print(f"{name:10} {build / 1000:6.1f}s | {statistics.median(backend_times):17.1f}ms "
                      f"{percentile(backend_times, .95):4.1f}ms {statistics.median(service_times):10.1f}ms "
                      f"{percentile(service_times, .95):4.1f}ms | {statistics.median(suggest_backend):18.1f}ms "
                      f"{percentile(suggest_backend, .95):4.1f}ms {statistics.median(suggest_service):10.1f}ms "
                      f"{percentile(suggest_service, .95):4.1f}ms")
                print(f"{'':10} {indexed} indexed, median hits {int(statistics.median(totals))}")
                slowest = sorted(zip(backend_times, asked), reverse=True)[:3]
                print(f"{'':10} slowest searches: " + ", ".join(f"{q!r} {t:.0f}ms" for t, q in slowest))
                slowest = sorted(zip(suggest_backend, suggest_asked), reverse=True)[:3]
                print(f"{'':10} slowest suggestions: " + ", ".join(f"{q!r} {t:.1f}ms" for t, q in slowest))
                search_backend.close()
    finally:
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
