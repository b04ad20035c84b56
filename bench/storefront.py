"""Storefront benchmark (issue 2): requests per second of a group page and a product page under
gunicorn (2 workers), measured with wrk beside a bare Flask endpoint in the same run, and the SQL
query count of each page at 24 items and at 20,000 products.

    .venv/bin/python bench/storefront.py [--products 20000] [--duration 15] [--database-url URL]

Needs Debian's wrk (apt-get install wrk). Uses a throw-away instance directory; with --database-url
the database must exist and be empty.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SYLLABLES = ["Trà", "Cà phê", "Gạo", "Mật ong", "Nước mắm", "Quế", "Hồi", "Miến", "Chả", "Bánh", "Rượu", "Lụa",
             "Gốm", "Tinh dầu", "Tiêu", "Hạt điều", "Yến", "Nem", "Kẹo", "Mứt"]
PLACES = ["Tân Cương", "Mộc Châu", "Sơn La", "Phú Quốc", "Văn Yên", "Lạng Sơn", "Bát Tràng", "Vạn Phúc", "Hạ Long",
          "Đà Lạt", "Buôn Ma Thuột", "Chư Sê", "Tri Tôn", "Cà Mau", "Huế", "Hưng Yên", "Nghệ An", "Lý Sơn"]
SUBGROUPS = ["I.1", "I.2", "I.3", "I.4", "I.5", "I.6", "II.1", "II.2", "III.1", "III.2", "III.3", "IV.1", "IV.2",
             "V.1", "V.2", "V.3", "VI"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def generate(app, count: int) -> None:
    from stdnum.vn import mst

    from marketplace import ocop
    from marketplace.certification.models import EvaluationRecord
    from marketplace.extensions import db
    from marketplace.products.models import Product
    from marketplace.sellers.models import Seller

    rng = random.Random(2)
    today = ocop.today()
    with app.app_context():
        sellers, seed = [], 320000000
        for i in range(count // 40):
            while len(mst.calc_check_digit(f"{seed:09d}")) != 1:
                seed += 1
            sellers.append(dict(id=i + 1, entity_type=rng.choice(list(ocop.ENTITY_TYPES)),
                                legal_name=f"HTX {rng.choice(PLACES)} số {i}",
                                registration_no=f"{seed:09d}" + mst.calc_check_digit(f"{seed:09d}"),
                                province_code=int(rng.choice(ocop.PROVINCES).code), verification_status="verified",
                                women_led=rng.random() < .4, ethnic_minority_led=rng.random() < .2))
            seed += 1
        db.session.execute(db.insert(Seller), sellers)
        products, records = [], []
        for i in range(count):
            stars = rng.choice([3, 3, 3, 4, 4, 5, 2])
            decision = today - dt.timedelta(days=rng.randint(1, 1200))
            products.append(dict(id=i + 1, seller_id=rng.randint(1, len(sellers)), group_code=rng.choice(SUBGROUPS),
                                 name=f"{rng.choice(SYLLABLES)} {rng.choice(PLACES)} {i}", unit="hộp",
                                 price_vnd=rng.randint(2, 300) * 5000, status="active"))
            records.append(dict(product_id=i + 1, stars=stars, score={2: 45, 3: 60, 4: 80, 5: 95}[stars],
                                decision_no=f"{i}/QĐ-UBND", decision_date=decision, issuer="UBND tỉnh",
                                level="national" if stars == 5 else "provincial",
                                valid_until=ocop.default_valid_until(decision),
                                legal_basis=ocop.legal_basis_for(decision)))
        db.session.execute(db.insert(Product), products)
        db.session.execute(db.insert(EvaluationRecord), records)  # one record each: none superseded
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()


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


def query_count(url: str) -> int:
    with urllib.request.urlopen(url) as response:
        return int(response.headers["X-Query-Count"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=20000)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    instance = Path(tempfile.mkdtemp(prefix="ocop-bench-"))
    from config import database_url
    url = database_url(args.database_url) or f"sqlite:///{instance}/bench.sqlite"
    env = os.environ | {"MARKETPLACE_CONFIG": "development", "INSTANCE_PATH": str(instance), "DATABASE_URL": url,
                        "COUNT_QUERIES": "1"}

    from flask_migrate import upgrade

    from marketplace import create_app
    app = create_app("development", {"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": url,
                                     "UPLOAD_DIR": str(instance / "uploads")})
    with app.app_context():
        upgrade()
    started = time.perf_counter()
    generate(app, args.products)
    print(f"generated {args.products} products in {time.perf_counter() - started:.1f} s on {url.split(':')[0]}")

    with app.app_context():
        from marketplace.catalog.services import Filters, find_listings
        listed = find_listings(Filters(group="I.5", per_page=1))
        product_id = listed.items[0].product.id
        print(f"listable products: {find_listings(Filters(per_page=1)).total}, in I.5: {listed.total}")

    shop_port, bare_port = free_port(), free_port()
    shop = serve("wsgi:app", shop_port, env)
    bare = serve("bench.bare:app", bare_port, env)
    try:
        pages = {
            "bare Flask endpoint": f"http://127.0.0.1:{bare_port}/",
            "group page /groups/I.5": f"http://127.0.0.1:{shop_port}/groups/I.5",
            "group page /groups/I (top group)": f"http://127.0.0.1:{shop_port}/groups/I",
            f"product page /products/{product_id}": f"http://127.0.0.1:{shop_port}/products/{product_id}",
        }
        print(f"\nwrk -t2 -c16 -d{args.duration}s against gunicorn -w 2")
        print(f"{'page':40} {'req/s':>9} {'p50':>9} {'p99':>9} {'queries':>8}")
        for name, page_url in pages.items():
            result = wrk(page_url, args.duration)
            queries = "-" if "bare" in name else query_count(page_url)
            print(f"{name:40} {result['rps']:9.1f} {result['p50']:>9} {result['p99']:>9} {queries:>8}"
                  + (f"  ({result['non_2xx']} non-2xx)" if result["non_2xx"] else ""))
    finally:
        for process in (shop, bare):
            process.send_signal(signal.SIGTERM)
            process.wait()
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
