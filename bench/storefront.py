"""Storefront benchmark (issues 2 and 15): requests per second of the group pages and a product page
under gunicorn (2 workers), each measured with wrk right after the bare Flask endpoint (so each page has
its own reference on a shared machine), the SQL query count of each page, and the resident memory of
the shop's workers after the runs.

    .venv/bin/python bench/storefront.py [--products 20000] [--duration 15] [--database-url URL]

Needs Debian's wrk (apt-get install wrk). Uses a throw-away instance directory; with --database-url
the database must exist and be empty.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import free_port, generate, scratch_app

SEARCHES = ["trà tân cương", "mat ong", "nuoc mam phu quoc", "que van yen", "banh", "gom bat trang", "tra",
            "cinamon", "hop qua", "moc chau"]


def wrk(url: str, duration: int) -> dict:
    out = subprocess.run(["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non_2xx": int(errors.group(1)) if errors else 0}


def serve(module: str, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
                                "--log-level", "warning", module],
                               cwd=ROOT, env=env)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{module} did not start")


def workers_rss_mb(master: int, field: str = "VmRSS") -> list[float]:
    """VmRSS (or another field: RssAnon, the worker's own memory without the files it maps, such as the
    search index, which every worker and the OS share) of the gunicorn master's children, in MB, from /proc."""
    sizes = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        if re.search(r"^PPid:\s+(\d+)$", status, re.M).group(1) == str(master):
            rss = re.search(rf"^{field}:\s+(\d+) kB$", status, re.M)
            if rss:
                sizes.append(int(rss.group(1)) / 1024)
    return sorted(sizes)


def query_count(url: str) -> int:
    with urllib.request.urlopen(url) as response:
        return int(response.headers["X-Query-Count"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--database-url")
    parser.add_argument("--redis-url", help="the page cache (and jobs) in this Redis; else files in the instance")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    app, instance, url = scratch_app(args.database_url, "ocop-bench-")
    env = os.environ | {"MARKETPLACE_CONFIG": "development", "INSTANCE_PATH": str(instance), "DATABASE_URL": url,
                        "COUNT_QUERIES": "1", "REDIS_URL": args.redis_url or ""}
    started = time.perf_counter()
    generate(app, args.products)
    print(f"generated {args.products} products in {time.perf_counter() - started:.1f} s on {url.split(':')[0]}")

    started = time.perf_counter()
    with app.test_request_context():
        from marketplace.search import services
        indexed = services.rebuild()
    print(f"search index ({app.config['SEARCH_BACKEND']}) of {indexed} products built in "
          f"{time.perf_counter() - started:.1f} s")
    with app.app_context():
        from marketplace.catalog.services import Filters, find_listings
        listed = find_listings(Filters(group="I.5", per_page=1))
        product_id = listed.items[0].product.id
        print(f"listable products: {find_listings(Filters(per_page=1)).total}, in I.5: {listed.total}")

    shop_port, bare_port, rendering_port = free_port(), free_port(), free_port()
    shop = serve("wsgi:app", shop_port, env)
    rendering = serve("wsgi:app", rendering_port, env | {"PAGE_CACHE": "0"})  # every request rendered
    bare = serve("bench.bare:app", bare_port, env)
    try:
        bare_url = f"http://127.0.0.1:{bare_port}/"
        pages = {}
        for name, path in (("group page /groups/I.5", "/groups/I.5"), ("group page /groups/I (top group)", "/groups/I"),
                           (f"product page /products/{product_id}", f"/products/{product_id}")):
            pages[name + ", rendered"] = f"http://127.0.0.1:{rendering_port}{path}"
            pages[name + ", page cache"] = f"http://127.0.0.1:{shop_port}{path}"
        print(f"\nwrk -t2 -c16 -d{args.duration}s against gunicorn -w 2; each page right after the bare endpoint")
        print(f"{'page':52} {'req/s':>9} {'of bare':>8} {'p50':>9} {'p99':>9} {'queries':>8}")
        for name, page_url in pages.items():
            reference = wrk(bare_url, args.duration)
            print(f"{'  bare Flask endpoint':52} {reference['rps']:9.1f} {'':>8} {reference['p50']:>9} "
                  f"{reference['p99']:>9} {'-':>8}")
            result = wrk(page_url, args.duration)
            share = 100 * result["rps"] / reference["rps"]
            print(f"{name:52} {result['rps']:9.1f} {share:7.1f}% {result['p50']:>9} {result['p99']:>9} "
                  f"{query_count(page_url):>8}"
                  + (f"  ({result['non_2xx']} non-2xx)" if result["non_2xx"] else ""))
        rss, own = workers_rss_mb(shop.pid), workers_rss_mb(shop.pid, "RssAnon")
        print("\nshop workers' resident memory (VmRSS) after the runs: "
              + ", ".join(f"{size:.0f} MB" for size in rss) + f"  (max {max(rss):.0f} MB; without mapped files "
              + f"max {max(own):.0f} MB)")
        for _ in range(4):  # each worker opens the search index and its caches (vocabulary, today's window)
            for q in SEARCHES:
                urllib.request.urlopen(f"http://127.0.0.1:{shop_port}/search?q={quote(q)}").read()
                urllib.request.urlopen(f"http://127.0.0.1:{shop_port}/api/v1/suggest?q={quote(q[:4])}").read()
        rss, own = workers_rss_mb(shop.pid), workers_rss_mb(shop.pid, "RssAnon")
        print(f"... and after {4 * len(SEARCHES)} searches and suggestions: "
              + ", ".join(f"{size:.0f} MB" for size in rss) + f"  (max {max(rss):.0f} MB; without mapped files "
              + f"max {max(own):.0f} MB)")
    finally:
        for process in (shop, rendering, bare):
            process.send_signal(signal.SIGTERM)
            process.wait()
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
