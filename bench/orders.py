"""Order placement benchmark (issue 5): POST /api/v1/orders from 16 concurrent clients for 30 s against
gunicorn on PostgreSQL; orders per second, latency percentiles, and at the end a check that every stock
level equals its ledger and that what is held equals what the placed orders hold.

    .venv/bin/python bench/orders.py --database-url postgresql://postgres@127.0.0.1:5432/EMPTY_DB
        [--clients 16] [--duration 30] [--products 2000] [--stock 40] [--workers 4]

Each order has 1–3 random listable products, 1–2 of each; 80 % cash on delivery, 20 % VietQR; each order its
own phone number (a phone may have only MAX_OPEN_ORDERS_PER_PHONE orders open: one number for all would be
refused from the fourth order on). Stock is small on purpose, so popular products run out during the run and
some orders are answered 409. Answers other than 201 and 409 are counted by status, and fail the run.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import free_port, generate

VIETQR = {"VIETQR_BANK_BIN": "970436", "VIETQR_ACCOUNT_NO": "0011001234567", "VIETQR_ACCOUNT_NAME": "BENCH"}
BUYER = {"contact": {"name": "Nguyễn Văn An", "phone": "0912 345 678", "email": "an@example.vn"},
         "address": {"province": 19, "ward": "Phường Phan Đình Phùng", "street": "12 Hoàng Văn Thụ"}}


def stock_up(app, quantity: int) -> list[int]:
    """Receive `quantity` of every listable product into its seller's warehouse; answers their ids."""
    from marketplace.certification.services import listable_select
    from marketplace.extensions import db
    from marketplace.inventory import services as stock
    from marketplace.products.models import Product
    from marketplace.sellers.models import Seller

    with app.app_context():
        rows = db.session.execute(listable_select().with_only_columns(Product.id, Product.seller_id)).all()
        warehouses = {seller.id: stock.warehouse_of(seller).id
                      for seller in db.session.scalars(db.select(Seller)).all()}
        for product_id, seller_id in rows:
            stock.receive(warehouses[seller_id], product_id, quantity, reason="bench")
        db.session.commit()
        return [product_id for product_id, _ in rows]


def client_loop(port: int, product_ids: list[int], stop: float, seed: int, results: list) -> None:
    rng = random.Random(seed)
    popular = product_ids[:50]  # most buyers want the same few products: contention on purpose
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    phones = iter(range(seed * 1_000_000, (seed + 1) * 1_000_000))  # one number per order: see BUYER
    while time.perf_counter() < stop:
        chosen = rng.sample(popular if rng.random() < .7 else product_ids, rng.randint(1, 3))
        contact = BUYER["contact"] | {"phone": f"09{next(phones):08d}"}
        body = BUYER | {"contact": contact, "items": [{"product_id": pid, "quantity": rng.randint(1, 2)} for pid in chosen],
                        "payment": "vietqr" if rng.random() < .2 else "cod"}
        started = time.perf_counter()
        try:
            connection.request("POST", "/api/v1/orders", json.dumps(body), {"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            results.append((response.status, time.perf_counter() - started))
        except (OSError, http.client.HTTPException):
            results.append((0, time.perf_counter() - started))
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def check_ledger(app) -> tuple[int, int, int, int]:
    """(levels, levels not equal to their ledger, levels whose held stock differs from open orders, orders)."""
    from sqlalchemy import func, select

    from marketplace.extensions import db
    from marketplace.inventory.models import StockLevel, StockMovement
    from marketplace.orders.models import Order, OrderLine, OrderPart

    with app.app_context():
        ledger = {(loc, pid): (int(h), int(r)) for loc, pid, h, r in db.session.execute(
            select(StockMovement.location_id, StockMovement.product_id, func.sum(StockMovement.on_hand_change),
                   func.sum(StockMovement.reserved_change)).group_by(StockMovement.location_id,
                                                                     StockMovement.product_id))}
        held = {(loc, pid): int(q) for loc, pid, q in db.session.execute(
            select(OrderPart.location_id, OrderLine.product_id, func.sum(OrderLine.quantity))
            .join(OrderLine.part).where(OrderPart.state == "placed")
            .group_by(OrderPart.location_id, OrderLine.product_id))}
        levels = db.session.scalars(select(StockLevel)).all()
        wrong = sum(ledger.get((lv.location_id, lv.product_id)) != (lv.on_hand, lv.reserved) for lv in levels)
        wrong_held = sum(held.get((lv.location_id, lv.product_id), 0) != lv.reserved for lv in levels)
        return len(levels), wrong, wrong_held, db.session.scalar(select(func.count(Order.id)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--stock", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="ocop-bench-orders-"))
    from config import database_url
    url = database_url(args.database_url)
    env = os.environ | VIETQR | {"MARKETPLACE_CONFIG": "development", "INSTANCE_PATH": str(instance),
                                 "DATABASE_URL": url, "SEARCH_BACKEND": "none",
                                 "ORDER_RATE_LIMIT": "1000000 per minute", "MAIL_BACKEND": "file"}
    from flask_migrate import upgrade

    from marketplace import create_app
    app = create_app("development", {"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": url,
                                     "SEARCH_BACKEND": "none"})
    with app.app_context():
        upgrade()
    generate(app, args.products)
    product_ids = stock_up(app, args.stock)
    random.Random(5).shuffle(product_ids)
    print(f"{len(product_ids)} listable products, {args.stock} of each in stock; {url.split(':')[0]}")

    port, bare_port = free_port(), free_port()
    bare = serve_with(args.workers, bare_port, env, app="bench.bare:app", ready="/")
    try:
        reference, reference_elapsed = run_clients(bare_port, product_ids, args.clients, min(args.duration, 10))
    finally:
        bare.send_signal(signal.SIGTERM)
        bare.wait()
    shop = serve_with(args.workers, port, env)
    try:
        results, elapsed = run_clients(port, product_ids, args.clients, args.duration)
    finally:
        shop.send_signal(signal.SIGTERM)
        shop.wait()

    placed = [t for status, t in results if status == 201]
    refused = [t for status, t in results if status == 409]
    other = [status for status, _ in results if status not in (201, 409)]
    every = sorted(t for _, t in results)
    cuts = statistics.quantiles(every, n=100)
    print(f"\n{args.clients} clients × {args.duration} s, gunicorn -w {args.workers}")
    print(f"reference: the same clients and bodies against a bare Flask endpoint (bench/bare.py), just before:"
          f" {len(reference) / reference_elapsed:.1f} answers/s,"
          f" p95 {statistics.quantiles([t for _, t in reference], n=100)[94] * 1000:.1f} ms")
    print(f"requests {len(results)}: placed (201) {len(placed)}, out of stock (409) {len(refused)}, other {len(other)}"
          + (f" {dict(sorted(Counter(other).items()))}" if other else ""))
    print(f"orders placed per second: {len(placed) / elapsed:.1f} (all answers {len(results) / elapsed:.1f}/s)")
    print(f"latency p50 {cuts[49] * 1000:.1f} ms, p95 {cuts[94] * 1000:.1f} ms, p99 {cuts[98] * 1000:.1f} ms;"
          f" placed p95 {statistics.quantiles(placed, n=100)[94] * 1000:.1f} ms")
    levels, wrong, wrong_held, orders = check_ledger(app)
    print(f"stock levels {levels}: {wrong} differ from their ledger, {wrong_held} hold other than the open orders;"
          f" orders in the database {orders} (201 answers {len(placed)})")
    shutil.rmtree(instance, ignore_errors=True)
    if wrong or wrong_held or orders != len(placed) or other:
        sys.exit("CHECK FAILED")


def run_clients(port: int, product_ids: list[int], clients: int, duration: int) -> tuple[list, float]:
    """`clients` threads placing orders for `duration` seconds: their (status, seconds) and the time taken."""
    results: list = []
    stop = time.perf_counter() + duration
    threads = [threading.Thread(target=client_loop, args=(port, product_ids, stop, n, results))
               for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def serve_with(workers: int, port: int, env: dict, log=None, app: str = "wsgi:app",
               ready: str = "/api/v1/openapi.json"):
    """gunicorn with `workers` sync workers serving `app` (the storefront bench's serve() uses 2); its output
    goes to `log` (a path) when given."""
    import subprocess
    import urllib.request
    output = {"stdout": open(log, "ab"), "stderr": subprocess.STDOUT} if log else {}  # noqa: SIM115 (the server keeps it)
    process = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
                                "--log-level", "info" if log else "warning", app], cwd=ROOT, env=env,
                               **output)
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=10)
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the shop did not start{f': see {log}' if log else ''}")


if __name__ == "__main__":
    main()
