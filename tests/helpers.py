"""What many tests share: the password every test account has, signing in, the people (an officer, a clerk,
a seller), a stocked product, both steps of checkout, a sales point, and several clients acting at the same
moment (a thread's error fails its test: see pytest.ini)."""
import csv
import datetime as dt
import io
import re
import threading

from jsonschema import Draft202012Validator
from PIL import Image
from referencing import Registry, Resource

from marketplace import ocop
from marketplace.accounts.services import create_user, find_user
from marketplace.catalog.importer import COLUMNS
from marketplace.extensions import db
from marketplace.inventory import services as stock
from marketplace.salespoints import services
from marketplace.salespoints.models import SalesPointStaff
from marketplace.unit_of_work import run

from .factories import gtin, tax_code

PASSWORD = "mat-khau-dai-12"


CONTACT = {"name": "Nguyễn Văn An", "phone": "0912 345 678", "email": "an@example.vn", "province": "19",
           "ward": "Phường Phan Đình Phùng", "street": "12 Hoàng Văn Thụ", "payment": "cod"}


SHIPMENT = {"carrier": "vnpost", "tracking_no": "EB123456789VN"}  # what a seller types when it ships


def shipping(action: str) -> dict:
    """The form fields (or `move` arguments) an action needs: a carrier and a number to ship."""
    return SHIPMENT if action == "ship" else {}


def sign_in(client, email):
    client.post("/account/sign-out")
    assert client.post("/account/sign-in", data={"email": email, "password": PASSWORD}).status_code == 302


def officer(province_code=19, email="office19@ocop.vn"):
    user = create_user(email, "Cán bộ", PASSWORD, role="office", province_code=province_code)
    db.session.commit()
    return user


def find_user_of(seller):
    """The seller's login (made on first use)."""
    user = find_user(f"seller{seller.id}@example.vn")
    if user is None:
        user = create_user(f"seller{seller.id}@example.vn", "HTX", PASSWORD, role="seller", seller_id=seller.id)
        db.session.commit()
    return user


def seller_signs_in(client, seller):
    find_user_of(seller)
    client.post("/account/sign-out")
    client.post("/account/sign-in", data={"email": f"seller{seller.id}@example.vn", "password": PASSWORD})


def staff(point, email, role="staff"):
    user = create_user(email, "Nhân viên", PASSWORD, role="staff")
    db.session.flush()
    db.session.add(SalesPointStaff(user_id=user.id, sales_point_id=point.id, role=role))
    db.session.commit()
    return user


def stocked(make, seller, name, price, quantity, **kw):
    product = make.listed(seller=seller, name=name, price_vnd=price, **kw)
    stock.receive(stock.warehouse_of(seller).id, product.id, quantity)
    db.session.commit()
    return product


def level_of(product):
    location = stock.warehouse_of(product.seller).id
    current = stock.level(location, product.id)
    assert (current.on_hand, current.reserved) == stock.ledger_totals(location, product.id)
    return current.on_hand, current.reserved


def review(client, data):
    """The checkout's first step: the page shows the total and carries it into the next submission."""
    response = client.post("/checkout", data=data)
    if response.status_code != 200:
        return response, None
    page = response.get_data(as_text=True)
    seen = {name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1)
            for name in ("seen_total", "seen_prices", "seen_for", "client_key")}
    return response, seen


def check_out(client, data):
    """Both steps of checkout, as a buyer does them: see the total, then place the order at that total."""
    response, seen = review(client, data)
    if seen is None:
        return response
    return client.post("/checkout", data=data | seen)


def new_point(office, code="TN-01", province_code=19, **changes):
    values = {"code": code, "name": f"Điểm OCOP {code}", "kind": "station_airport", "province_code": province_code,
              "ward_code": int(ocop.wards_of(province_code)[0].code), "street": "1 Đường Ga",
              "opening_hours": "7:00–21:00", "phone": "0208 3855 123", "active": True} | changes
    return run(services.create_point, office, values)


def twin(app, client):
    """A second connection of the same browser (its session cookie: the same till, the same sign-in)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def clients(app, *emails):
    """A test client of its own (its own cookies, its own database session per request) per email."""
    found = []
    for email in emails:
        client = app.test_client()
        sign_in(client, email)
        found.append(client)
    return found


def outcome(client) -> str:
    """"done" or "refused", by the flash the client's last form left it (and forget the flash)."""
    with client.session_transaction() as session:
        flashes = session.pop("_flashes", [])
    return "refused" if any(category == "error" for category, _message in flashes) else "done"


def at_once(posts, answer: str = "outcome") -> list:
    """POST every (client, path, data) from its own thread at the same moment. Answers, in order, what each
    form left ("done" or "refused", by its flash: every answer must then be a redirect), or with
    answer="status" each status code. An error in a thread is raised here, in the test's thread."""
    start, answers = threading.Barrier(len(posts)), [None] * len(posts)

    def post(n, client, path, data):
        start.wait()
        try:
            answers[n] = client.post(path, data=data).status_code
        except Exception as error:
            answers[n] = error

    threads = [threading.Thread(target=post, args=(n, *sent)) for n, sent in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for got in answers:
        if isinstance(got, Exception):
            raise got
    db.session.expire_all()
    if answer == "status":
        return answers
    assert all(got == 303 for got in answers), answers
    return [outcome(client) for client, _path, _data in posts]


def office_signs_in(client, province_code=19):
    """An officer of this province (made on first use) signs in on this client."""
    email = f"office{province_code}@ocop.vn"
    if find_user(email) is None:
        officer(province_code, email)
    sign_in(client, email)


# --- What forms and files are filled with ---------------------------------------------------------------

def check(spec, schema_name, payload):
    """Validate a payload against a component schema of the served document."""
    registry = Registry().with_resource("urn:openapi", Resource.from_contents(
        spec | {"$schema": "https://json-schema.org/draft/2020-12/schema"}))
    schema = {"$ref": f"urn:openapi#/components/schemas/{schema_name}"}
    errors = list(Draft202012Validator(schema, registry=registry).iter_errors(payload))
    assert not errors, [e.message for e in errors]

def jpeg(width=800, height=600, colour=(30, 120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG")
    return out.getvalue()

def png(width=40, height=30) -> bytes:
    out = io.BytesIO()
    Image.new("1" if width * height > 10_000_000 else "RGB", (width, height)).save(out, "PNG")
    return out.getvalue()

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

def form(**overrides):
    values = {
        "name": "Nguyễn Thị Bình", "email": "binh@htx-tancuong.vn", "password": PASSWORD,
        "password_again": PASSWORD, "entity_type": "cooperative", "legal_name": "HTX Chè Tân Cương Hoàng Bình",
        "registration_no": tax_code(7001), "representative": "Nguyễn Thị Bình", "phone": "0912 345 678",
        "province": "19", "ward": "Phan Đình Phùng", "street_address": "Xóm Hoàng Bình", "women_led": "y",
    }
    values.update(overrides)
    if "document" not in values:
        values["document"] = (io.BytesIO(PDF), "giay-dkkd.pdf")
    return {k: v for k, v in values.items() if v is not None}

def join(client, **overrides):
    return client.post("/seller/join", data=form(**overrides), content_type="multipart/form-data")

def listing(**overrides):
    values = {"name": "Trà búp Tân Cương", "name_en": "Tan Cuong tea buds", "group_code": "I.5",
              "price_vnd": "250000", "unit": "gói 200 g", "weight_grams": "220", "gtin": gtin(42),
              "status": "active"}
    values.update(overrides)
    return values

def evaluation(**overrides):
    values = {"stars": "4", "score": "82", "score_a": "33", "score_b": "20", "score_c": "29",
              "decision_no": "1358/QĐ-UBND", "decision_date": (ocop.today() - dt.timedelta(days=3)).isoformat(),
              "issuer": "UBND tỉnh Thái Nguyên", "level": "provincial", "story": "Câu chuyện đã đánh giá"}
    values.update(overrides)
    return values

def import_file(rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode("utf-8"))

def import_row(**overrides):
    return {"seller_name": "HTX Mới", "entity_type": "cooperative", "registration_no": tax_code(8100),
            "province": "Thái Nguyên", "product_name": "Chè mới", "group_code": "I.5", "price_vnd": "100000",
            "unit": "gói", "stars": "3", "score": "60", "decision_no": "77/QĐ-UBND",
            "decision_date": (ocop.today() - dt.timedelta(days=2)).isoformat(), "issuer": "UBND tỉnh Thái Nguyên",
            "level": "provincial"} | overrides


# --- Experiences ---------------------------------------------------------------------------------------------

def in_days(days: int, hour: int = 8) -> dt.datetime:
    """A moment `days` from today at `hour` o'clock, Vietnam time."""
    return dt.datetime.combine(ocop.today() + dt.timedelta(days=days), dt.time(hour), ocop.VN_TZ)


def plan(**changes):
    """A session of the homestay three days ahead at 08:00: ten places at 450.000 ₫, in Vietnamese and English."""
    from marketplace.experiences.services import SessionPlan
    return SessionPlan(**({"starts_at": in_days(3), "duration_minutes": 24 * 60, "capacity": 10,
                           "price_vnd": 450_000, "languages": ["vi", "en"],
                           "meeting_point_vi": "Nhà văn hoá bản Áng, Mộc Châu",
                           "meeting_point_en": "Ang village hall, Moc Chau"} | changes))


# --- Bookings (tests/test_bookings*.py) ------------------------------------------------------------------------

VISITOR = {"name": "Emma Laurent", "phone": "+33 6 12 34 56 78", "email": "emma@example.fr"}


def body(session_id, people=2, payment="on_site", n=None, **changes) -> dict:
    """A POST /api/v1/bookings body; `n` makes the visitor another one (their own phone and email)."""
    contact = VISITOR if n is None else VISITOR | {"phone": f"+84 912 000 {n:03d}", "email": f"v{n}@example.com"}
    return {"session_id": session_id, "people": people, "contact": contact, "payment": payment} | changes


def order_of(number: str):
    from marketplace.orders.models import Order
    db.session.expire_all()
    return db.session.scalar(db.select(Order).where(Order.number == number))


def booking_of(number: str):
    from marketplace.experiences.models import Booking
    from marketplace.orders.models import Order
    db.session.expire_all()
    return db.session.scalar(db.select(Booking).join(Order, Order.id == Booking.order_id).where(Order.number == number))


def seats_taken(session_id: int) -> int:
    from marketplace.experiences.models import ExperienceSession
    db.session.expire_all()
    return db.session.get(ExperienceSession, session_id).seats_taken


def book(client, session_id, **kw) -> dict:
    """A booking through the API (it must be made): its 201 answer."""
    answer = client.post("/api/v1/bookings", json=body(session_id, **kw))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def paid(client, session_id, **kw) -> dict:
    """A VietQR booking whose money arrived."""
    from marketplace.orders import services as orders
    booked = book(client, session_id, payment="vietqr", **kw)
    assert run(orders.mark_paid, order_of(booked["number"])) == "paid"
    return booked


def move_start(session_id: int, starts_at: dt.datetime) -> None:
    """The clock moves on: the session now starts at `starts_at` (what a test cannot wait for)."""
    from marketplace.experiences.models import ExperienceSession
    db.session.execute(db.update(ExperienceSession).where(ExperienceSession.id == session_id)
                       .values(starts_at=starts_at.astimezone(dt.UTC)))
    db.session.commit()


def status(call) -> int:
    """A response's status; an exception the testing app lets through is what a visitor sees as a 500."""
    try:
        return call().status_code
    except Exception:  # any crash is the break being shown
        db.session.rollback()
        return 500


def sound() -> None:
    """The promises after any path: each session's seats are exactly the places of its bookings that hold them,
    every booking's state agrees with its order part, no order gives back more than it took, the money ledger
    balances and the stock invariant holds."""
    from marketplace.experiences import services as experiences
    from marketplace.experiences.models import Booking
    from marketplace.inventory import check as stock_check
    from marketplace.orders.models import Order
    from marketplace.settlements import check as ledger_check
    db.session.expire_all()
    assert experiences.seat_problems() == []
    agree = {"booked": {"placed", "confirmed"}, "checked_in": {"delivered"}, "no_show": {"cancelled"},
             "cancelled": {"cancelled"}}
    for booking in db.session.scalars(db.select(Booking)):
        assert booking.part.state in agree[booking.state], (booking.state, booking.part.state)
    for order in db.session.scalars(db.select(Order)):
        assert 0 <= order.refunded_vnd <= order.total_vnd and order.refund_vnd >= 0, order.number
    assert ledger_check.problems() == []
    assert [str(problem) for problem in stock_check.problems()] == []
