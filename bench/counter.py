"""Sales-point benchmark (issue 6): server time of a counter sale of 3 lines (p50/p95 over 500 sales)
and of the stock report of a point holding 2,000 products.

    .venv/bin/python bench/counter.py [--database-url postgresql://postgres@127.0.0.1:5432/EMPTY_DB]
        [--sales 500] [--products 2000]

Runs the app in-process through Flask's test client, so the times are the server's own (routing,
SQL, templates), without a network or a load generator. SQLite in a temporary directory by default.
"""
from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate

PASSWORD = "mat-khau-dai-12"


def setup(app, wanted: int) -> tuple[int, list[str]]:
    """A point in Thái Nguyên holding `wanted` listable products (1,000 of each, with barcodes), received
    from their sellers through the receiving service; a manager and a clerk. Answers the point id and GTINs."""
    from stdnum import ean

    from marketplace import ocop
    from marketplace.accounts.services import create_user
    from marketplace.certification.services import listable_select
    from marketplace.extensions import db
    from marketplace.products.models import Product
    from marketplace.salespoints import services
    from marketplace.salespoints.models import SalesPointStaff
    from marketplace.unit_of_work import run

    with app.app_context():
        office = create_user("office@ocop.vn", "Cán bộ", PASSWORD, role="office")
        db.session.commit()
        point = run(services.create_point, office, {
            "code": "TN-01", "name": "Điểm OCOP Ga Thái Nguyên", "kind": "station_airport", "province_code": 19,
            "ward_code": int(ocop.wards_of(19)[0].code), "street": "1 Đường Ga", "opening_hours": "7:00–21:00",
            "phone": "0208 3855 123", "active": True})
        for email, role in (("quanly@ocop.vn", "manager"), ("quay@ocop.vn", "staff")):
            user = create_user(email, email, PASSWORD, role="staff")
            db.session.flush()
            db.session.add(SalesPointStaff(user_id=user.id, sales_point_id=point.id, role=role))
        db.session.commit()
        clerk = db.session.scalar(db.select(SalesPointStaff).filter_by(role="staff")).user
        rows = db.session.execute(listable_select().with_only_columns(Product.id, Product.seller_id)
                                  .order_by(Product.id).limit(wanted)).all()
        gtins = []
        for product_id, _seller in rows:
            base = f"893{600000000 + product_id:09d}"
            code = base + ean.calc_check_digit(base)
            db.session.execute(db.update(Product).where(Product.id == product_id).values(gtin=code))
            gtins.append(code)
        db.session.commit()
        by_seller: dict[int, list[int]] = {}
        for product_id, seller_id in rows:
            by_seller.setdefault(seller_id, []).append(product_id)
        for seller_id, ids in by_seller.items():
            run(services.receive_goods, point, clerk, seller_id, [services.ReceiptLine(pid, 1000) for pid in ids])
        return point.id, gtins


def timed(call, into: list[float]):
    """Run one request, add its time to `into`, answer the response."""
    started = time.perf_counter()
    response = call()
    into.append(time.perf_counter() - started)
    if response.status_code >= 400:
        raise RuntimeError(f"{response.status_code} {response.request.path}")
    return response


def summary(name: str, times: list[float]) -> None:
    cuts = statistics.quantiles(times, n=100)
    print(f"{name:52} n={len(times):4}  p50 {cuts[49] * 1000:7.1f} ms  p95 {cuts[94] * 1000:7.1f} ms  "
          f"max {max(times) * 1000:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--sales", type=int, default=500)
    parser.add_argument("--products", type=int, default=2000)
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="ocop-bench-counter-"))
    from config import database_url
    url = database_url(args.database_url) or f"sqlite:///{instance}/bench.sqlite"
    from flask_migrate import upgrade

    from marketplace import create_app
    app = create_app("development", {"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": url,
                                     "SEARCH_BACKEND": "none", "UPLOAD_DIR": str(instance / "uploads"),
                                     "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
    generate(app, int(args.products * 1.35))  # about 78 % come out listable
    point_id, gtins = setup(app, args.products)
    print(f"point holding {len(gtins)} products on {url.split(':')[0]}")

    rng = random.Random(6)
    clerk, manager = app.test_client(), app.test_client()
    for client, email in ((clerk, "quay@ocop.vn"), (manager, "quanly@ocop.vn")):
        client.post("/account/sign-in", data={"email": email, "password": PASSWORD})
    scans, tills, pays, receipts, wholes = [], [], [], [], []
    for _ in range(args.sales):
        started = time.perf_counter()
        for code in rng.sample(gtins, 3):
            timed(lambda c=code: clerk.post(f"/counter/{point_id}/sell", data={"code": c}), scans)
            timed(lambda: clerk.get(f"/counter/{point_id}/sell"), tills)  # the page after each scan
        paid = timed(lambda: clerk.post(f"/counter/{point_id}/sell/pay",
                                        data={"payment": "cash", "cash_given": "10000000"}), pays)
        timed(lambda r=paid: clerk.get(r.headers["Location"]), receipts)
        wholes.append(time.perf_counter() - started)
    print(f"\ncounter sales of 3 lines, in-process (Flask test client), {args.sales} sales")
    summary("scan one barcode (POST /sell)", scans)
    summary("the till page after a scan (GET /sell)", tills)
    summary("record the sale (POST /sell/pay: 3 lines)", pays)
    summary("receipt page", receipts)
    summary("whole sale: 3 × (scan + till page) + record + receipt", wholes)

    with app.app_context():
        from marketplace.inventory.models import SalesPoint
        from marketplace.salespoints.reports import stock_report
        location = app.extensions["sqlalchemy"].session.get(SalesPoint, point_id).location_id
        service = []
        for _ in range(50):
            started = time.perf_counter()
            rows = stock_report(location)
            service.append(time.perf_counter() - started)
    print(f"\nstock report of the point ({len(rows)} products), 50 runs")
    summary("stock_report() service", service)
    pages, downloads = [], []
    for _ in range(50):
        timed(lambda: manager.get(f"/counter/{point_id}/reports"), pages)
    for _ in range(20):
        timed(lambda: manager.get(f"/counter/{point_id}/reports/stock.xlsx"), downloads)
    summary("report page (GET /reports: sales + stock)", pages)
    summary("stock.xlsx download", downloads)
    shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
