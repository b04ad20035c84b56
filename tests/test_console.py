"""The seller console's listings and the office's recognitions, with every URL tried by others."""
import csv
import datetime as dt
import io
import os
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from marketplace.audit import AuditLog
from marketplace.certification.expiry import send_reminders
from marketplace.certification.models import EvaluationRecord
from marketplace.certification.services import is_listable
from marketplace.extensions import db
from marketplace.outbox.models import OutboxEmail
from marketplace.products.images import renditions
from marketplace.products.models import Product
from marketplace.unit_of_work import run

from .factories import gtin
from .helpers import evaluation, import_file, import_row, jpeg, listing, officer, sign_in

PDF = b"%PDF-1.4\n%%EOF\n"


def test_a_seller_drafts_a_listing_with_photos_and_sees_why_it_is_not_shown(client, app, seller_user):
    sign_in(client, "htx@tancuong.vn")
    data = listing(status="draft") | {"photos": [(io.BytesIO(jpeg(3000, 2000)), "anh.jpg"),
                                                 (io.BytesIO(jpeg()), "anh2.jpg")]}
    response = client.post("/seller/products/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    product = db.session.scalar(select(Product))
    assert (product.price_vnd, product.weight_grams, product.status) == (250000, 220, "draft")
    assert len(product.images) == 2
    full = Image.open(os.path.join(app.config["UPLOAD_DIR"], product.images[0].filename))
    thumb = Image.open(os.path.join(app.config["UPLOAD_DIR"], product.images[0].thumbnail))
    assert max(full.size) == 1600 and max(thumb.size) == 480 and full.format == "JPEG"
    assert product.images[0].widths == "240,480,720,1080"  # the WebP renditions cards pick from
    for name, width in renditions(product.images[0].filename, product.images[0].widths):
        rendition = Image.open(os.path.join(app.config["UPLOAD_DIR"], name))
        assert rendition.format == "WEBP" and rendition.size == (width, width * 2 // 3)
    page = client.get("/seller/products").get_data(as_text=True)
    assert "sản phẩm chưa được đăng bán" in page and "chưa có quyết định công nhận OCOP còn hiệu lực" in page


@pytest.mark.parametrize("photo, message", [
    ((io.BytesIO(PDF), "anh.png"), "không phải ảnh"),
    ((io.BytesIO(b"\x00" * 100), "anh.jpg"), "không phải ảnh"),
])
def test_bad_photos_and_fields_save_nothing(client, seller_user, photo, message):
    sign_in(client, "htx@tancuong.vn")
    response = client.post("/seller/products/new", data=listing() | {"photos": [photo]},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_a_bad_gtin_is_refused(client, seller_user):
    sign_in(client, "htx@tancuong.vn")
    bad = gtin(42)[:-1] + str((int(gtin(42)[-1]) + 1) % 10)
    response = client.post("/seller/products/new", data=listing(gtin=bad))
    assert response.status_code == 422 and "sai chữ số kiểm tra" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_every_seller_url_refuses_another_sellers_ids(client, make, seller_user, other_seller):
    product = make.product(seller_user, name="Của HTX Tân Cương")
    db.session.commit()
    sign_in(client, "khac@example.vn")
    urls = [f"/seller/products/{product.id}", f"/seller/stock/{product.id}", "/seller/products/0"]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, data=listing(name="Bị sửa")).status_code == 404, url
    db.session.expire_all()
    assert product.name == "Của HTX Tân Cương"
    assert db.session.scalar(select(func.count(Product.id))) == 1  # product 0 is no way to add one


def test_a_one_line_field_refuses_a_line_break(client, seller_user):
    """A name with a line break would break every email whose subject names it: it is refused on the form."""
    sign_in(client, "htx@tancuong.vn")
    response = client.post("/seller/products/new", data=listing(name="Trà ngon\r\nBcc: ai@example.vn"))
    assert response.status_code == 422 and "một dòng" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Product.id))) == 0


def test_the_seller_is_warned_thirty_days_before_expiry(client, make, seller_user, today):
    product = make.product(seller_user, name="Trà sắp hết hạn")
    make.record(product, decision_date=today - dt.timedelta(days=1000), valid_until=today + dt.timedelta(days=12))
    db.session.commit()
    sign_in(client, "htx@tancuong.vn")
    assert "hết hiệu lực sau 12 ngày" in client.get("/seller/products").get_data(as_text=True)

    assert run(send_reminders, today) == 1 and run(send_reminders, today) == 0  # once
    email = db.session.scalar(select(OutboxEmail))
    assert email.to == "htx@tancuong.vn" and "Trà sắp hết hạn" in email.subject


def test_the_office_records_a_council_result_and_the_product_is_shown(client, make, seller_user):
    product = make.product(seller_user, name="Trà búp")
    db.session.commit()
    office = officer()
    sign_in(client, office.email)
    response = client.post(f"/office/products/{product.id}", data=evaluation())
    assert response.status_code == 303
    db.session.expire_all()
    assert is_listable(product)
    record = product.records[0]
    assert record.valid_until.year == record.decision_date.year + 3 and record.legal_basis == "148/QĐ-TTg"
    assert db.session.scalar(select(AuditLog.action)) == "recognition.record"
    assert "Câu chuyện đã đánh giá" in client.get(f"/products/{product.id}").get_data(as_text=True)


@pytest.mark.parametrize("overrides, message", [
    ({"stars": "5", "score": "82", "level": "national"}, "nằm ngoài khung"),
    ({"stars": "5", "score": "95"}, "cấp quốc gia"),
    ({"decision_date": "31/02/2025"}, ""),
    ({"valid_until": "2001-01-01"}, "valid_until"),
    ({"valid_until": "9999-12-31"}, "36"),  # a certificate is valid 36 months at most
    ({"decision_date": "9999-12-31"}, "9999-12-31"),
])
def test_a_wrong_council_result_records_nothing(client, make, seller_user, overrides, message):
    product = make.product(seller_user)
    db.session.commit()
    sign_in(client, officer().email)
    response = client.post(f"/office/products/{product.id}", data=evaluation(**overrides))
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(EvaluationRecord.id))) == 0


def test_revoking_needs_a_reason_and_unlists(client, make, seller_user):
    product = make.listed(seller=seller_user, name="Trà thu hồi")
    record = product.records[0]
    sign_in(client, officer().email)
    client.post(f"/office/recognitions/{record.id}/revoke", data={"reason": ""})
    db.session.expire_all()
    assert is_listable(product)
    client.post(f"/office/recognitions/{record.id}/revoke", data={"reason": "Không duy trì chất lượng"})
    db.session.expire_all()
    assert not is_listable(product) and record.revoked_reason == "Không duy trì chất lượng"
    page = client.get(f"/office/products/{product.id}").get_data(as_text=True)
    assert "Không duy trì chất lượng" in page  # the history stays visible
    assert "đã bị thu hồi" in db.session.scalar(select(OutboxEmail.subject))


def test_an_officer_cannot_touch_another_provinces_products(client, make, seller_user):
    product = make.listed(seller=seller_user)
    record = product.records[0]
    sign_in(client, officer(14, "office14@ocop.vn").email)
    assert client.get(f"/office/products/{product.id}").status_code == 404
    assert client.post(f"/office/products/{product.id}", data=evaluation()).status_code == 404
    assert client.post(f"/office/recognitions/{record.id}/revoke", data={"reason": "x"}).status_code == 404
    db.session.expire_all()
    assert len(product.records) == 1 and record.revoked_at is None


def test_the_office_uploads_the_import_file(client):
    sign_in(client, officer().email)
    good = client.post("/office/import", data={"file": (import_file([import_row()]), "qd.csv")},
                       content_type="multipart/form-data")
    assert good.status_code == 200 and "1 sản phẩm mới" in good.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Product.id))) == 1
    other = client.post("/office/import", data={"file": (import_file([import_row(province="Sơn La", product_name="X")]),
                                                         "qd.csv")}, content_type="multipart/form-data")
    assert other.status_code == 422 and "thuộc tỉnh khác" in other.get_data(as_text=True)
    bad = client.post("/office/import", data={"file": (import_file([import_row(product_name="Y", group_code="Z.1")]),
                                                       "qd.csv")}, content_type="multipart/form-data")
    assert bad.status_code == 422 and "dòng 2" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Product.id))) == 1


def test_the_dashboard_shows_shares_against_targets_and_exports_csv(client, make, today):
    coop = make.seller(entity_type="cooperative", women_led=True, province_code=19)
    firm = make.seller(entity_type="enterprise", ethnic_minority_led=True, province_code=19)
    make.seller(entity_type="household", province_code=19)
    make.seller(entity_type="cooperative", province_code=14)
    make.listed(seller=coop, stars=5, group_code="I.5")
    expiring = make.product(firm, group_code="IV.1")
    make.record(expiring, decision_date=today - dt.timedelta(days=1050), valid_until=today + dt.timedelta(days=40))
    db.session.commit()
    sign_in(client, officer().email)

    page = client.get("/office/dashboard").get_data(as_text=True)
    assert "Thái Nguyên" in page and "3 chủ thể đã xác minh" in page
    assert "33% (1) · mục tiêu ≥ 40%" in page  # cooperatives: 1 of 3
    assert "67% (2) · mục tiêu ≥ 50%" in page and "✓" in page  # two of three sell online
    assert "hết hiệu lực trong 90 ngày tới: 1" in page

    rows = list(csv.reader(io.StringIO(client.get("/office/dashboard.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["place", "indicator", "count", "of", "share", "target"]
    assert ["Thái Nguyên", "women_led", "1", "3", "0.333", "0.40"] in rows
    assert ["Thái Nguyên", "products_5_stars", "1", "2", "", ""] in rows
    assert ["Thái Nguyên", "sales_point", "0", "1", "0.000", "1.00"] in rows  # no OCOP point yet
    from marketplace.salespoints.services import create_point
    from marketplace.unit_of_work import run
    run(create_point, officer(None, "all@ocop.vn"), {
        "code": "TN-01", "name": "Điểm OCOP", "kind": "post_office", "province_code": 19, "ward_code": 5443,
        "street": "1 Đội Cấn", "opening_hours": "8–17", "phone": "0208 3855 678", "active": True})
    rows = list(csv.reader(io.StringIO(client.get("/office/dashboard.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert ["Thái Nguyên", "sales_point", "1", "1", "1.000", "1.00"] in rows
    nationwide = client.get("/office/dashboard?province=all").get_data(as_text=True)
    assert "4 chủ thể đã xác minh" in nationwide


def test_the_seller_receives_and_adjusts_stock_with_a_history(client, make, seller_user, other_seller):
    from marketplace.inventory import services as stock
    product = make.product(seller_user, name="Trà búp")
    db.session.commit()
    sign_in(client, "htx@tancuong.vn")
    client.post(f"/seller/stock/{product.id}", data={"action": "receive", "receive-quantity": "24",
                                                      "receive-reference": "PN-001"})
    client.post(f"/seller/stock/{product.id}", data={"action": "adjust", "adjust-change": "-2",
                                                      "adjust-reason": "Vỡ hộp"})
    too_much = client.post(f"/seller/stock/{product.id}", data={"action": "adjust", "adjust-change": "-50",
                                                                 "adjust-reason": "Nhầm"})
    assert too_much.status_code == 422
    no_reason = client.post(f"/seller/stock/{product.id}", data={"action": "adjust", "adjust-change": "-1"})
    assert no_reason.status_code == 422
    location = stock.warehouse_of(seller_user)
    current = stock.level(location.id, product.id)
    assert (current.on_hand, current.reserved) == (22, 0) == stock.ledger_totals(location.id, product.id)
    page = client.get(f"/seller/stock/{product.id}").get_data(as_text=True)
    assert "PN-001" in page and "Vỡ hộp" in page and "Nhầm" not in page
    assert "22" in client.get("/seller/stock").get_data(as_text=True)

    sign_in(client, "khac@example.vn")  # another seller's product
    assert client.get(f"/seller/stock/{product.id}").status_code == 404
    assert client.post(f"/seller/stock/{product.id}", data={"action": "receive",
                                                             "receive-quantity": "5"}).status_code == 404
    assert stock.level(location.id, product.id).on_hand == 22


def test_a_stock_change_sent_twice_is_made_once(app, make, seller_user):
    """A double tap on Receive or Adjust, one after the other or at the same moment, changes stock once."""
    from marketplace.inventory import services as stock
    from marketplace.inventory.check import problems

    from .helpers import at_once, clients, twin
    product = make.product(seller_user, name="Trà búp")
    db.session.commit()
    seller, = clients(app, "htx@tancuong.vn")
    path = f"/seller/stock/{product.id}"

    def keys():  # the page's forms, each with a key of its own: receive, adjust
        return re.findall(r'name="client_key" value="([0-9a-f]+)"', seller.get(path).get_data(as_text=True))

    received, adjusted = keys()
    for _tap in range(2):
        assert seller.post(path, data={"action": "receive", "receive-quantity": "24",
                                       "client_key": received}).status_code == 303
        assert seller.post(path, data={"action": "adjust", "adjust-change": "-2", "adjust-reason": "Vỡ hộp",
                                       "client_key": adjusted}).status_code == 303
    location = stock.warehouse_of(seller_user)
    assert stock.level(location.id, product.id).on_hand == 22
    received, adjusted = keys()
    for data in ({"action": "receive", "receive-quantity": "10", "client_key": received},
                 {"action": "adjust", "adjust-change": "-1", "adjust-reason": "Mẫu thử", "client_key": adjusted}):
        assert at_once([(seller, path, data), (twin(app, seller), path, data)]) == ["done", "done"]
    db.session.expire_all()
    assert stock.level(location.id, product.id).on_hand == 31
    assert [m.on_hand_change for m in stock.history(location.id, product.id)] == [-1, 10, -2, 24]
    assert problems() == []
