"""Soak test (issue 10): the whole shop under mixed load for 10 minutes on PostgreSQL and gunicorn -w 4,
with one worker killed (kill -9) at minute 3 and Redis stopped for 30 s at minute 6.

    .venv/bin/python bench/soak.py --database-url postgresql://postgres@127.0.0.1:5432/EMPTY_DB
        [--minutes 10] [--workers 4] [--products 500] [--stock 100] [--kill-at 180]
        [--redis-stop-at 360] [--redis-stop-for 30] [--redis-url redis://127.0.0.1:6379/0]

The database must exist and be empty (the schema comes from `flask db upgrade`). The app gets REDIS_URL, so
the rate limits (set high: nothing here should be limited) are counted in Redis; VietQR is switched on.
Every actor is a thread with its own HTTP connection and cookies, and uses the pages as a browser does
(each form's CSRF token read from the page it came on):

  API buyers     POST /api/v1/orders (75 % cash on delivery, 25 % VietQR; each order its own phone number),
                 sometimes GET /api/v1/orders/<n>, and cancel some of their orders later on the order page
  page buyers    (a new guest each order) home or group page, product pages, add to cart, the checkout form,
                 its review (which gives the page its total, destination and key) and the placing; the order page; some cancel
  sellers        signed in; read /seller/orders and move their parts (confirm, pack, ship, deliver; a few
                 cancelled, a few delivered ones returned)
  the office     a nationwide officer reads the unpaid transfers and confirms most of them
  two tills      two clerks at one sales point sell 1-3 lines by barcode (scan, till page, pay cash,
                 receipt); a few popular products run out, so the tills contend for the last boxes

At --kill-at one gunicorn worker (not the master) gets SIGKILL; at --redis-stop-at Redis is shut down
(`redis-cli -p 6379 shutdown nosave`) and started again --redis-stop-for seconds later, also when the
script fails. The report: requests per kind with p50/p95, answers by status per kind, every 5xx (the first
bodies and the server's tracebacks), connection errors apart (a request cut by the kill is one, not a
5xx), a minute-by-minute line, then `flask inventory check` against the database and a money check (no
order paid whose parts are all cancelled). Exits non-zero on a 5xx or a failed check.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import free_port, generate
from bench.orders import VIETQR, serve_with, stock_up

PASSWORD = "mat-khau-dai-12"
LIMITS = "100000 per minute"
REDIS_START = ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
               "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log"]
ADDRESS = {"province": "19", "ward": "Phường Phan Đình Phùng", "street": "12 Hoàng Văn Thụ"}
GROUPS = ["I", "I.5", "I.4", "II", "III", "IV.1"]


# --- Recording ----------------------------------------------------------------------------------------

@dataclass
class Hit:
    kind: str
    status: int  # 0: the connection failed (refused, reset, cut by the kill)
    at: float  # seconds since the start of the run, when the request began
    elapsed: float
    method: str
    path: str
    detail: str = ""  # the body of a 5xx, the error of a connection failure


class Run:
    """What every actor shares: the clock, the stop time and the log of requests (list.append is atomic)."""

    def __init__(self, port: int, seconds: float):
        self.port, self.started = port, time.time()
        self.stop = self.started + seconds
        self.hits: list[Hit] = []
        self.events: list[tuple[float, str]] = []
        self.outcomes: Counter = Counter()
        self.script_errors: list[str] = []
        self.lock = threading.Lock()

    def now(self) -> float:
        return time.time() - self.started

    def count(self, outcome: str) -> None:
        with self.lock:
            self.outcomes[outcome] += 1

    def running(self) -> bool:
        return time.time() < self.stop

    def event(self, what: str) -> None:
        self.events.append((self.now(), what))
        print(f"[{self.now():6.1f} s] {what}", flush=True)


class Browser:
    """One HTTP connection and its cookies, like one browser tab (or one API client)."""

    def __init__(self, run: Run):
        self.run, self.cookies = run, {}
        self.connection = http.client.HTTPConnection("127.0.0.1", run.port, timeout=60)

    def forget(self) -> None:
        self.cookies = {}

    def go(self, kind: str, method: str, path: str, form: dict | None = None, body: dict | None = None):
        """One request, recorded under `kind`; answers (status, location, text), or None when it failed."""
        headers = {}
        data = None
        if form is not None:
            data, headers["Content-Type"] = urlencode(form), "application/x-www-form-urlencoded"
        elif body is not None:
            data, headers["Content-Type"] = json.dumps(body), "application/json"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        at, started = self.run.now(), time.perf_counter()
        try:
            self.connection.request(method, path, data, headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.run.hits.append(Hit(kind, 0, at, time.perf_counter() - started, method, path, repr(error)))
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.run.port, timeout=60)
            return None
        self.run.hits.append(Hit(kind, response.status, at, time.perf_counter() - started, method, path,
                                 text[:2000] if response.status >= 500 else ""))
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _eq, value = cookie.split(";", 1)[0].partition("=")
            if value and "Max-Age=0" not in cookie:
                self.cookies[name.strip()] = value
            else:
                self.cookies.pop(name.strip(), None)
        location = response.getheader("Location") or ""
        return response.status, urlsplit(location).path + (f"?{urlsplit(location).query}" if urlsplit(location).query
                                                           else ""), text

    def sign_in(self, email: str) -> bool:
        page = self.go("sign_in_page", "GET", "/account/sign-in")
        if not page or page[0] != 200:
            return False
        done = self.go("sign_in", "POST", "/account/sign-in",
                       form={"csrf_token": csrf(page[2]), "email": email, "password": PASSWORD})
        return bool(done) and done[0] in (302, 303)


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]*)"', html)
    if not found:
        raise LookupError("no csrf_token on the page")
    return found.group(1)


def hidden(html: str, name: str) -> str | None:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    return unescape(found.group(1)) if found else None


def actor(run: Run, name: str, work) -> None:
    """Keep `work` going until the end; a failure of the script itself is counted, not fatal."""
    while run.running():
        try:
            work()
        except Exception:  # a page the script did not expect: count it and go on with the next round
            run.script_errors.append(f"{name}: {traceback.format_exc(limit=2).splitlines()[-1]}")
            time.sleep(0.5)


def pause(rng: random.Random, think: float) -> None:
    if think:
        time.sleep(rng.uniform(0, 2 * think))


# --- The actors ----------------------------------------------------------------------------------------

class Buyers:
    """Orders placed by the API and by the pages; some cancelled later on their order page."""

    def __init__(self, run: Run, product_ids: list[int], cancel_share: float, think: float):
        self.run, self.product_ids, self.cancel_share, self.think = run, product_ids, cancel_share, think
        self.popular = product_ids[:40]  # most buyers want the same few products: they run out and contend
        self.phones = iter(range(10_000_000, 99_999_999))  # 09xxxxxxxx, one per order
        self.lock = threading.Lock()
        self.answers: dict[str, str] = {}  # phone → what the request placing its order was answered

    @staticmethod
    def answer(status: int, placed: bool) -> str:
        return "placed" if placed else "cut" if status == 0 else "5xx" if status >= 500 else f"refused {status}"

    def phone(self) -> str:
        with self.lock:
            return f"09{next(self.phones):08d}"

    def choose(self, rng: random.Random) -> list[int]:
        return rng.sample(self.popular if rng.random() < .5 else self.product_ids, rng.randint(1, 3))

    def cancel_one(self, browser: Browser, mine: list[tuple[str, str]], rng: random.Random) -> None:
        """Open one of my recent orders and cancel it (refused once a seller has confirmed it)."""
        number, token = mine.pop(rng.randrange(len(mine)))
        page = browser.go("order_page", "GET", f"/orders/{number}?token={token}")
        if page and page[0] == 200:
            if f"/orders/{number}/cancel" not in page[2]:
                self.run.count("cancel not offered (confirmed or paid and moved)")
                return
            done = browser.go("cancel", "POST", f"/orders/{number}/cancel",
                              form={"csrf_token": csrf(page[2]), "token": token})
            if done:
                self.run.count("cancel posted")

    def api(self, seed: int):
        rng, browser, mine = random.Random(seed), Browser(self.run), []

        def one_round():
            items = [{"product_id": pid, "quantity": rng.randint(1, 2)} for pid in self.choose(rng)]
            body = {"contact": {"name": "Nguyễn Văn An", "phone": self.phone(), "email": "an@example.vn"},
                    "address": {"province": 19, "ward": ADDRESS["ward"], "street": ADDRESS["street"]},
                    "items": items, "payment": "vietqr" if rng.random() < .25 else "cod"}
            answer = browser.go("api_order", "POST", "/api/v1/orders", body=body)
            self.answers[body["contact"]["phone"]] = self.answer(answer[0] if answer else 0,
                                                                 bool(answer) and answer[0] == 201)
            if answer and answer[0] == 201:
                order = json.loads(answer[2])
                mine.append((order["number"], order["token"]))
                self.run.count(f"api order placed ({body['payment']})")
                if rng.random() < .3:
                    browser.go("api_get", "GET", f"/api/v1/orders/{order['number']}?token={order['token']}")
            elif answer:
                self.run.count(f"api order refused {answer[0]}")
            del mine[:-50]
            if mine and rng.random() < self.cancel_share:
                self.cancel_one(browser, mine, rng)
            pause(rng, self.think)
        return one_round

    def pages(self, seed: int):
        rng, browser, mine = random.Random(seed), Browser(self.run), []

        def one_round():
            browser.forget()  # a new guest
            if rng.random() < .5:
                browser.go("browse", "GET", "/" if rng.random() < .5 else f"/groups/{rng.choice(GROUPS)}")
            for pid in self.choose(rng):
                page = browser.go("product_page", "GET", f"/products/{pid}")
                if not page or page[0] != 200:
                    continue
                browser.go("cart_add", "POST", "/cart/add", form={
                    "csrf_token": csrf(page[2]), "product_id": pid, "quantity": rng.randint(1, 2),
                    "next": f"/products/{pid}"})
            form = browser.go("checkout_form", "GET", "/checkout")
            if not form or form[0] != 200:
                self.run.count("checkout not offered (cart empty or out of stock)")
                return
            data = {"csrf_token": csrf(form[2]), "name": "Trần Thị Bình", "phone": self.phone(),
                    "email": "binh@example.vn", "delivery": "post", **ADDRESS,
                    "payment": "vietqr" if rng.random() < .25 else "cod"}
            review = browser.go("checkout_review", "POST", "/checkout", form=data)
            if not review or review[0] != 200 or hidden(review[2], "seen_total") in (None, ""):
                self.run.count(f"checkout review not shown {review[0] if review else 0}")
                return
            seen = {name: hidden(review[2], name) for name in ("seen_total", "seen_prices", "seen_for", "client_key")}
            seen["csrf_token"] = csrf(review[2])  # everything the review step gives the page, as a browser sends it
            placed = browser.go("checkout_place", "POST", "/checkout", form=data | seen)
            self.answers[data["phone"]] = self.answer(placed[0] if placed else 0, bool(placed) and placed[0] == 303
                                                      and placed[1].startswith("/orders/"))
            if placed and placed[0] == 303 and placed[1].startswith("/orders/"):
                self.run.count(f"page order placed ({data['payment']})")
                number, token = placed[1].split("/")[2].split("?")[0], placed[1].split("token=")[1]
                browser.go("order_page", "GET", placed[1])
                mine.append((number, token))
            elif placed:
                self.run.count(f"page order refused {placed[0]} {placed[1]}")
            del mine[:-50]
            if mine and rng.random() < self.cancel_share:
                self.cancel_one(browser, mine, rng)
            pause(rng, self.think)
        return one_round


def seller(run: Run, email: str, seed: int, think: float):
    """A producer working through its order list: mostly forward, a few cancelled, a few returned."""
    rng, browser = random.Random(seed), Browser(run)
    FORWARD = ("confirm", "pack", "ship", "deliver")

    def one_round():
        if "session" not in browser.cookies and not browser.sign_in(email):
            time.sleep(1)
            return
        page = browser.go("seller_list", "GET", "/seller/orders")
        if not page or page[0] != 200:
            time.sleep(1)
            return
        token = csrf(page[2]) if "csrf_token" in page[2] else ""
        offered: dict[int, list[str]] = defaultdict(list)
        for part_id, action in re.findall(r'action="/seller/orders/(\d+)"[^<]*<input[^>]*>\s*'
                                          r'<input type="hidden" name="action" value="(\w+)"', page[2]):
            offered[int(part_id)].append(action)
        chosen = []
        for part_id, actions in offered.items():
            forward = [a for a in actions if a in FORWARD]
            if forward:
                chosen.append((part_id, "cancel" if rng.random() < .05 and "cancel" in actions else forward[0]))
            elif actions == ["cancel"] and rng.random() < .02:  # waiting for payment: a few given up
                chosen.append((part_id, "cancel"))
            elif actions == ["return"] and rng.random() < .01:
                chosen.append((part_id, "return"))
        if not chosen:
            time.sleep(1)
        for part_id, action in rng.sample(chosen, min(len(chosen), 8)):
            if not run.running():
                return
            done = browser.go("seller_move", "POST", f"/seller/orders/{part_id}",
                              form={"csrf_token": token, "action": action})
            if done:
                run.count(f"seller {action}")
            pause(rng, think)
    return one_round


def officer(run: Run, email: str, seed: int, think: float):
    """The office confirming the transfers that arrived (most of those waiting, a round every few seconds)."""
    rng, browser = random.Random(seed), Browser(run)

    def one_round():
        if "session" not in browser.cookies and not browser.sign_in(email):
            time.sleep(1)
            return
        page = browser.go("office_list", "GET", "/office/orders?view=transfers")
        if not page or page[0] != 200:
            time.sleep(1)
            return
        numbers = re.findall(r'action="/office/orders/([^/"]+)/confirm-transfer"', page[2])
        token = csrf(page[2]) if numbers else ""
        for number in rng.sample(numbers, min(len(numbers), 6)):
            if not run.running():
                return
            done = browser.go("office_confirm", "POST", f"/office/orders/{number}/confirm-transfer",
                              form={"csrf_token": token})
            if done:
                run.count("office confirm posted")
            pause(rng, think)
        time.sleep(rng.uniform(1, 3))
    return one_round


def till(run: Run, email: str, point_id: int, gtins: list[str], seed: int, think: float):
    """A clerk selling 1-3 lines by barcode, paid in cash; an empty shelf refuses the sale and clears the till."""
    rng, browser = random.Random(seed), Browser(run)
    base = f"/counter/{point_id}/sell"
    popular = gtins[:12]

    def one_round():
        if "session" not in browser.cookies and not browser.sign_in(email):
            time.sleep(1)
            return
        page = browser.go("till_page", "GET", base)
        if not page or page[0] != 200:
            time.sleep(1)
            return
        for code in rng.sample(popular if rng.random() < .6 else gtins, rng.randint(1, 3)):
            browser.go("till_scan", "POST", base, form={"csrf_token": csrf(page[2]), "code": code, "quantity": 1})
            page = browser.go("till_page", "GET", base)
            if not page or page[0] != 200:
                return
        paid = browser.go("till_pay", "POST", f"{base}/pay",
                          form={"csrf_token": csrf(page[2]), "payment": "cash", "cash_given": "100000000"})
        if paid and paid[0] == 303 and "/sales/" in paid[1]:
            run.count("till sale recorded")
            browser.go("till_receipt", "GET", paid[1])
        elif paid:
            run.count(f"till sale refused {paid[0]}")
            page = browser.go("till_page", "GET", base)
            if page and page[0] == 200:
                browser.go("till_clear", "POST", f"{base}/clear", form={"csrf_token": csrf(page[2])})
        pause(rng, think)
    return one_round


# --- Set-up --------------------------------------------------------------------------------------------

def set_up_people(app, sellers: int, shelf: int, shelf_stock: int) -> dict:
    """A nationwide officer; accounts for the `sellers` producers with the most listable products; a sales
    point in Thái Nguyên with two clerks and `shelf` products (with barcodes) received from their sellers."""
    from sqlalchemy import func, select
    from stdnum import ean

    from marketplace import ocop
    from marketplace.accounts.services import create_user
    from marketplace.certification.services import listable_select
    from marketplace.extensions import db
    from marketplace.inventory.models import StockLevel
    from marketplace.products.models import Product
    from marketplace.salespoints import services
    from marketplace.salespoints.models import SalesPointStaff
    from marketplace.unit_of_work import run

    with app.app_context():
        office = create_user("office@ocop.vn", "Cán bộ OCOP", PASSWORD, role="office")
        listable = listable_select().with_only_columns(Product.id, Product.seller_id).subquery()
        busiest = db.session.execute(select(listable.c.seller_id).group_by(listable.c.seller_id)
                                     .order_by(func.count().desc(), listable.c.seller_id).limit(sellers)).scalars()
        seller_emails = []
        for seller_id in busiest:
            email = f"seller{seller_id}@example.vn"
            create_user(email, f"HTX {seller_id}", PASSWORD, role="seller", seller_id=seller_id)
            seller_emails.append(email)
        db.session.commit()
        point = run(services.create_point, office, {
            "code": "TN-01", "name": "Điểm OCOP Ga Thái Nguyên", "kind": "station_airport", "province_code": 19,
            "ward_code": int(ocop.wards_of(19)[0].code), "street": "1 Đường Ga", "opening_hours": "7:00–21:00",
            "phone": "0208 3855 123", "active": True})
        clerks = []
        for n in (1, 2):
            user = create_user(f"quay{n}@ocop.vn", f"Quầy {n}", PASSWORD, role="staff")
            db.session.flush()
            db.session.add(SalesPointStaff(user_id=user.id, sales_point_id=point.id, role="staff"))
            clerks.append(user)
        db.session.commit()
        rows = db.session.execute(listable_select().with_only_columns(Product.id, Product.seller_id)
                                  .order_by(Product.id.desc()).limit(shelf)).all()
        gtins, by_seller = [], defaultdict(list)
        for product_id, seller_id in rows:
            base = f"893{700000000 + product_id:09d}"
            gtins.append(base + ean.calc_check_digit(base))
            db.session.execute(db.update(Product).where(Product.id == product_id).values(gtin=gtins[-1]))
            by_seller[seller_id].append(product_id)
        db.session.commit()
        for seller_id, ids in by_seller.items():
            run(services.receive_goods, point, clerks[0], seller_id,
                [services.ReceiptLine(pid, shelf_stock) for pid in ids])
        on_shelf = db.session.scalar(select(func.count()).select_from(StockLevel)
                                     .where(StockLevel.location_id == point.location_id, StockLevel.on_hand > 0))
        if on_shelf != len(gtins):
            raise RuntimeError(f"the point holds {on_shelf} products, not {len(gtins)}")
        return {"officer": office.email, "sellers": seller_emails, "point": point.id,
                "clerks": [c.email for c in clerks], "gtins": gtins}


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return sorted(int(pid) for pid in children)


class Chaos(threading.Thread):
    """kill -9 of one worker at `kill_at`; Redis down from `redis_at` for `redis_for` seconds."""

    def __init__(self, run: Run, master: int, kill_at: float, redis_at: float, redis_for: float):
        super().__init__(daemon=True)
        self.load, self.master = run, master
        self.kill_at, self.redis_at, self.redis_for = kill_at, redis_at, redis_for
        self.redis_down = False

    def wait_until(self, second: float) -> bool:
        while self.load.now() < second:
            if not self.load.running():
                return False
            time.sleep(0.1)
        return True

    def run_chaos(self) -> None:
        plan = sorted([(self.kill_at, "kill"), (self.redis_at, "redis")])
        for second, what in plan:
            if second < 0 or not self.wait_until(second):
                continue
            if what == "kill":
                before = workers_of(self.master)
                victim = random.Random(3).choice(before)
                os.kill(victim, signal.SIGKILL)
                self.load.event(f"kill -9 worker {victim} (workers were {before})")
                for _ in range(100):
                    time.sleep(0.1)
                    now = workers_of(self.master)
                    if len(now) == len(before) and victim not in now:
                        self.load.event(f"gunicorn has {len(now)} workers again: {now}")
                        break
            else:
                self.stop_redis()
                self.wait_until(second + self.redis_for)
                self.start_redis()

    def run(self) -> None:  # threading.Thread.run
        try:
            self.run_chaos()
        except Exception:
            self.load.event(f"chaos failed: {traceback.format_exc()}")

    def stop_redis(self) -> None:
        self.redis_down = True
        done = subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], capture_output=True, text=True)
        self.load.event(f"Redis stopped (redis-cli shutdown nosave: exit {done.returncode} {done.stdout.strip()})")

    def start_redis(self) -> None:
        if not self.redis_down:
            return
        subprocess.run(REDIS_START, check=False)
        for _ in range(50):
            ping = subprocess.run(["redis-cli", "-p", "6379", "ping"], capture_output=True, text=True)
            if ping.stdout.strip() == "PONG":
                break
            time.sleep(0.1)
        self.redis_down = False
        self.load.event("Redis started again")


# --- The report ----------------------------------------------------------------------------------------

def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def report_requests(run: Run, seconds: float) -> None:
    hits = run.hits
    kinds = sorted({h.kind for h in hits}, key=lambda k: -sum(h.kind == k for h in hits))
    print(f"\nrequests {len(hits)} in {seconds:.0f} s ({len(hits) / seconds:.1f}/s)")
    print(f"{'kind':16} {'n':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  answers by status")
    for kind in kinds:
        mine = [h for h in hits if h.kind == kind]
        answered = [h.elapsed for h in mine if h.status]
        statuses = Counter(h.status for h in mine)
        shown = "  ".join(f"{'conn-err' if s == 0 else s}×{n}" for s, n in sorted(statuses.items()))
        print(f"{kind:16} {len(mine):7} {percentile(answered, 50) * 1000:8.1f} {percentile(answered, 95) * 1000:8.1f}"
              f" {max(answered, default=0) * 1000:8.0f}  {shown}")
    by_status = Counter(h.status for h in hits)
    print("all kinds: " + "  ".join(f"{'conn-err' if s == 0 else s}×{n}" for s, n in sorted(by_status.items())))

    print("\nminute  requests   req/s   p95 ms   5xx  conn-err")
    for minute in range(int(-(-seconds // 60))):
        mine = [h for h in hits if minute * 60 <= h.at < (minute + 1) * 60]
        span = min(60.0, seconds - minute * 60)
        if not mine or span <= 0:
            continue
        print(f"{minute:6} {len(mine):9} {len(mine) / span:7.1f} "
              f"{percentile([h.elapsed for h in mine if h.status], 95) * 1000:8.1f} "
              f"{sum(h.status >= 500 for h in mine):5} {sum(h.status == 0 for h in mine):9}")


def report_failures(run: Run, log: Path) -> int:
    errors = [h for h in run.hits if h.status >= 500]
    cuts = [h for h in run.hits if h.status == 0]
    print(f"\n5xx answers: {len(errors)}")
    for (kind, status), n in sorted(Counter((h.kind, h.status) for h in errors).items()):
        times = [h.at for h in errors if (h.kind, h.status) == (kind, status)]
        print(f"  {kind} {status} × {n}, between {min(times):.1f} s and {max(times):.1f} s")
    bodies = Counter((h.kind, h.status, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", h.detail)).strip()[:200])
                     for h in errors)
    for (kind, status, body), n in bodies.most_common(6):
        first = next(h for h in errors if (h.kind, h.status) == (kind, status))
        print(f"  × {n} {kind} {status} (first at {first.at:.1f} s {first.method} {first.path}): {body}")
    print(f"connection errors: {len(cuts)}")
    for h in cuts[:10]:
        print(f"  at {h.at:.1f} s {h.kind} {h.method} {h.path}: {h.detail}")
    if len(cuts) > 10:
        print(f"  … and {len(cuts) - 10} more, between {cuts[10].at:.1f} s and {cuts[-1].at:.1f} s")

    text = log.read_text(errors="replace")
    blocks = re.split(r"\n(?=\[\d{4}-\d\d-\d\d )", text)
    tracebacks = [b for b in blocks if "Traceback" in b]
    print(f"\nserver log ({log}): {len(tracebacks)} tracebacks")
    for line in (b.splitlines()[0] for b in blocks if re.search(r"\[(ERROR|CRITICAL|WARNING)\]", b.splitlines()[0])):
        print(f"  {line}")
    kinds: dict[str, list[str]] = {}
    for block in tracebacks:
        lines = block.splitlines()
        frames = [line.strip() for line in block.split("Traceback (most recent call last):")[-1].splitlines()
                  if line.strip().startswith("File ")]
        ours = [f for f in frames if "/marketplace/" in f] or [f for f in frames if "/flask/app.py" not in f]
        last = next((line for line in reversed(lines) if line and not line.startswith(" ")), lines[-1])
        logged = re.sub(r"^\[[^]]*\] ", "", lines[0])
        key = f"{logged}: {last.strip()[:160]}\n      at {ours[-1] if ours else '?'}"
        kinds.setdefault(key, []).append(lines[0])
    for key, firsts in kinds.items():
        print(f"  × {len(firsts)} (first {firsts[0][:25]}): {key}")
    if tracebacks:
        print("  the first one in full:\n    " + "\n    ".join(tracebacks[0].splitlines()[:60]))
    return len(errors)


def check_database(app, env: dict, answers: dict) -> bool:
    """`flask inventory check` on the database; no order paid whose parts are all cancelled; every order
    placed was answered so (or its answer was lost: a cut connection, a 5xx), none answered otherwise."""
    from sqlalchemy import text

    from marketplace.extensions import db

    done = subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "inventory", "check"], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    output = (done.stdout + done.stderr).strip().splitlines()
    print(f"\nflask inventory check: exit {done.returncode}")
    for line in output[:30]:
        print(f"  {line}")
    if len(output) > 30:
        print(f"  … {len(output) - 30} more lines")
    def q(sql: str) -> list:
        return db.session.execute(text(sql)).all()

    with app.app_context():
        paid_all_cancelled = q("""SELECT o.number FROM orders o WHERE o.payment_status = 'paid'
                                  AND NOT EXISTS (SELECT 1 FROM order_parts p WHERE p.order_id = o.id
                                                  AND p.state <> 'cancelled')""")
        payments = q("SELECT payment_method, payment_status, count(*) FROM orders GROUP BY 1, 2 ORDER BY 1, 2")
        parts = q("SELECT state, count(*) FROM order_parts GROUP BY 1 ORDER BY 1")
        phones = q("SELECT contact_phone FROM orders")
        sales = q("SELECT count(*), coalesce(sum(total_vnd), 0) FROM counter_sales")[0]
        levels = q("SELECT count(*), sum(on_hand), sum(reserved) FROM stock_levels")[0]
    print(f"money: orders paid with every part cancelled: {len(paid_all_cancelled)}"
          + (f" ({', '.join(n for (n,) in paid_all_cancelled[:10])})" if paid_all_cancelled else ""))
    print("orders by payment: " + ", ".join(f"{m} {s} {n}" for m, s, n in payments))
    print("order parts by state: " + ", ".join(f"{s} {n}" for s, n in parts))
    print(f"counter sales {sales[0]} ({sales[1]:,} ₫); stock levels {levels[0]}, on hand {levels[1]}, "
          f"reserved {levels[2]}")
    # Each order has its own phone number: match every order in the database with the answer to its request.
    answer_of = Counter()
    for (phone,) in phones:
        answer_of[answers.get(phone, "never asked")] += 1
    stored = {phone for (phone,) in phones}
    missing = sum(1 for phone, answer in answers.items() if answer == "placed" and phone not in stored)
    answered_ok = missing == 0 and set(answer_of) <= {"placed", "5xx", "cut"}
    print(f"orders in the database {len(phones)}, by the answer their request got: "
          + ", ".join(f"{k} {n}" for k, n in sorted(answer_of.items()))
          + f"; answered placed but not in the database: {missing}"
          + ("" if answered_ok else "  INCONSISTENT"))
    if answer_of["5xx"]:
        print(f"  {answer_of['5xx']} orders were placed although their request was answered 5xx: a client that tries"
              " again orders twice")
    return done.returncode == 0 and not paid_all_cancelled and answered_ok


# --- Main ----------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="an empty PostgreSQL database")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--products", type=int, default=500, help="generated (about 78 %% listable)")
    parser.add_argument("--stock", type=int, default=100, help="units of each listable product at its seller")
    parser.add_argument("--shelf", type=int, default=80, help="products on the sales point's shelf")
    parser.add_argument("--shelf-stock", type=int, default=25)
    parser.add_argument("--kill-at", type=float, default=180, help="seconds; negative: no kill")
    parser.add_argument("--redis-stop-at", type=float, default=360, help="seconds; negative: Redis stays up")
    parser.add_argument("--redis-stop-for", type=float, default=30)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--api-buyers", type=int, default=5)
    parser.add_argument("--page-buyers", type=int, default=4)
    parser.add_argument("--sellers", type=int, default=3)
    parser.add_argument("--cancel-share", type=float, default=.12, help="chance a buyer cancels after an order")
    parser.add_argument("--think", type=float, default=.05, help="mean pause between an actor's steps, seconds")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="ocop-soak-"))
    log = instance / "gunicorn.log"
    from config import database_url
    url = database_url(args.database_url)
    if not url.startswith("postgresql"):
        sys.exit("--database-url must be a PostgreSQL database")
    settings = {"INSTANCE_PATH": str(instance), "DATABASE_URL": url, "SEARCH_BACKEND": "none",
                "REDIS_URL": args.redis_url, "ORDER_RATE_LIMIT": LIMITS, "AUTH_RATE_LIMIT": LIMITS,
                "MAIL_BACKEND": "file"}
    env = os.environ | VIETQR | settings | {"MARKETPLACE_CONFIG": "development"}  # plain http: no Secure cookies
    from flask_migrate import upgrade

    from marketplace import create_app
    app = create_app("development", {"INSTANCE_PATH": str(instance), "SQLALCHEMY_DATABASE_URI": url,
                                     "SEARCH_BACKEND": "none", "UPLOAD_DIR": str(instance / "uploads")})
    with app.app_context():
        upgrade()
    generate(app, args.products)
    product_ids = stock_up(app, args.stock)
    random.Random(5).shuffle(product_ids)
    people = set_up_people(app, args.sellers, args.shelf, args.shelf_stock)
    print(f"{len(product_ids)} listable products, {args.stock} of each at their sellers; a point with "
          f"{len(people['gtins'])} products × {args.shelf_stock}; sellers {', '.join(people['sellers'])}")

    port = free_port()
    shop = serve_with(args.workers, port, env, log)
    seconds = args.minutes * 60
    run = Run(port, seconds)
    chaos = Chaos(run, shop.pid, args.kill_at, args.redis_stop_at, args.redis_stop_for)
    buyers = Buyers(run, product_ids, args.cancel_share, args.think)
    works = ([(f"api buyer {n}", buyers.api(100 + n)) for n in range(args.api_buyers)]
             + [(f"page buyer {n}", buyers.pages(200 + n)) for n in range(args.page_buyers)]
             + [(email, seller(run, email, 300 + n, args.think)) for n, email in enumerate(people["sellers"])]
             + [("office", officer(run, people["officer"], 400, args.think))]
             + [(email, till(run, email, people["point"], people["gtins"], 500 + n, args.think))
                for n, email in enumerate(people["clerks"])])
    threads = [threading.Thread(target=actor, args=(run, name, work), daemon=True) for name, work in works]
    print(f"{len(threads)} actors for {seconds:.0f} s against gunicorn -w {args.workers} on port {port}; "
          f"kill -9 at {args.kill_at:.0f} s, Redis down at {args.redis_stop_at:.0f} s for {args.redis_stop_for:.0f} s",
          flush=True)
    try:
        chaos.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        chaos.join(timeout=args.redis_stop_for + 5)
    finally:
        chaos.start_redis()  # never leave Redis down
        shop.send_signal(signal.SIGTERM)
        shop.wait()
    elapsed = run.now()

    report_requests(run, min(elapsed, seconds))
    print("\nevents: " + "; ".join(f"{at:.1f} s {what}" for at, what in run.events))
    print("outcomes: " + ", ".join(f"{k} {n}" for k, n in sorted(run.outcomes.items())))
    if run.script_errors:
        print(f"script errors (the load script's own, not the server's): {len(run.script_errors)}")
        for line, n in Counter(run.script_errors).most_common(8):
            print(f"  × {n} {line}")
    server_errors = report_failures(run, log)
    sound = check_database(app, env, buyers.answers)
    if sound and not server_errors:
        shutil.rmtree(instance, ignore_errors=True)
    else:
        print(f"the server's log is kept in {instance}")
    if server_errors or not sound:
        sys.exit("SOAK FAILED: " + ", ".join(filter(None, [f"{server_errors} × 5xx" if server_errors else "",
                                                            "" if sound else "a database check failed"])))


if __name__ == "__main__":
    main()
