"""The identity of a certified product (DESIGN rule 7): what the council evaluated stays as evaluated
while a recognition holds; a change is a request the office approves or refuses."""
import datetime as dt
import io
import os
import re

import pytest
from sqlalchemy import func, select

from marketplace.audit import AuditLog
from marketplace.catalog.services import save_product
from marketplace.certification.models import ProductChangeRequest
from marketplace.certification.services import IdentityLocked, identity_locked_by
from marketplace.extensions import db
from marketplace.office import services as office
from marketplace.outbox.models import OutboxEmail
from marketplace.products.models import Product, ProductImage
from marketplace.unit_of_work import run

from .factories import gtin
from .helpers import jpeg, officer, sign_in

LOCK_NOTE_VI = "Đã khóa: Hội đồng đã đánh giá theo quyết định 1021/QĐ-UBND"
LOCK_NOTE_EN = "Locked: evaluated by the council under decision 1021/QĐ-UBND"


@pytest.fixture
def tea(make, seller_user, today):
    """Chè La Bằng, 4★ under decision 1021/QĐ-UBND, in force."""
    product = make.product(seller_user, name="Chè La Bằng", name_en="La Bang tea", group_code="I.5",
                           unit="hộp 500 g", weight_grams=600, gtin=gtin(21), price_vnd=180000)
    make.record(product, stars=4, decision_no="1021/QĐ-UBND", decision_date=today - dt.timedelta(days=200))
    db.session.commit()
    return product


def whisky(**overrides):
    """What the browser posts for a locked product: the disabled identity inputs are not sent."""
    values = {"name_en": "Imported whisky", "price_vnd": "990000", "weight_grams": "1500",
              "description": "Rượu ngoại", "description_en": "Scotch", "status": "active"}
    return values | overrides


def tag(page: str, field_id: str) -> str:
    """The opening tag of the form control with this id."""
    match = re.search(rf'<(input|select|textarea)[^>]*\bid="{re.escape(field_id)}"[^>]*>', page)
    assert match, field_id
    return match.group(0)


def identity(product):
    db.session.expire_all()
    return product.name, product.group_code, product.unit, product.gtin


def test_the_whisky_scenario_is_refused_and_the_product_keeps_its_identity(client, tea):
    before = identity(tea)
    sign_in(client, "htx@tancuong.vn")
    page = client.get(f"/seller/products/{tea.id}").get_data(as_text=True)
    assert page.count(LOCK_NOTE_VI) == 4  # name, group, unit, GTIN
    assert all("disabled" in tag(page, name) for name in ("name", "group_code", "unit", "gtin"))
    assert not any("disabled" in tag(page, name) for name in ("price_vnd", "name_en", "description", "weight_grams"))

    response = client.post(f"/seller/products/{tea.id}",
                           data=whisky(name="Whisky nhập khẩu", group_code="IV.1", unit="chai 700 ml"))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert ("Tên tiếng Việt, Nhóm sản phẩm, Đơn vị tính và quy cách đóng gói (khối lượng tịnh) không thể thay đổi "
            "khi quyết định công nhận OCOP 1021/QĐ-UBND còn hiệu lực") in text
    assert identity(tea) == before and tea.price_vnd == 180000  # nothing saved, the price neither

    api = client.get(f"/api/v1/products/{tea.id}").get_json()
    assert api["name"] == "Chè La Bằng" and api["group_code"] == "I.5"


def test_a_certified_product_still_changes_price_photos_descriptions_and_english(client, tea):
    before = identity(tea)
    sign_in(client, "htx@tancuong.vn")
    response = client.post(f"/seller/products/{tea.id}", data=whisky(
        price_vnd="210000", description="Chè búp hái tay", photos=[(io.BytesIO(jpeg()), "anh.jpg")]),
        content_type="multipart/form-data")
    assert response.status_code == 303
    assert identity(tea) == before
    assert (tea.price_vnd, tea.description, tea.name_en, tea.description_en, tea.weight_grams) == (
        210000, "Chè búp hái tay", "Imported whisky", "Scotch", 1500)
    assert len(tea.images) == 1
    # An older page, or a client that sends the locked fields unchanged, is fine too.
    same = client.post(f"/seller/products/{tea.id}", data=whisky(
        name="Chè La Bằng", group_code="I.5", unit="hộp 500 g", gtin=tea.gtin, price_vnd="220000"))
    assert same.status_code == 303 and tea.price_vnd == 220000


def test_the_lock_note_is_in_english_too(client, tea):
    sign_in(client, "htx@tancuong.vn")
    client.get("/lang/en")
    page = client.get(f"/seller/products/{tea.id}").get_data(as_text=True)
    assert LOCK_NOTE_EN in page and "Ask the office to change it, or create a new product." in page
    refused = client.post(f"/seller/products/{tea.id}", data=whisky(name="Whisky nhập khẩu"))
    assert refused.status_code == 422 and "Name in Vietnamese cannot change" in refused.get_data(as_text=True)


@pytest.mark.parametrize("history", ["none", "expired", "revoked", "superseded_by_revoked"])
def test_without_a_recognition_holding_every_field_changes(client, make, seller_user, today, history):
    product = make.product(seller_user, name="Chè La Bằng", group_code="I.5", unit="hộp 500 g", status="draft")
    if history == "expired":
        make.record(product, decision_date=today - dt.timedelta(days=1200), valid_until=today)
    elif history == "revoked":
        make.record(product, revoked_at=dt.datetime.now(dt.UTC), revoked_reason="Vi phạm")
    elif history == "superseded_by_revoked":
        make.record(product, decision_date=today - dt.timedelta(days=400))
        make.record(product, decision_date=today - dt.timedelta(days=10),
                    revoked_at=dt.datetime.now(dt.UTC), revoked_reason="Vi phạm")
    db.session.commit()
    assert identity_locked_by(product) is None
    sign_in(client, "htx@tancuong.vn")
    assert "disabled" not in client.get(f"/seller/products/{product.id}").get_data(as_text=True)
    response = client.post(f"/seller/products/{product.id}", data=whisky(
        name="Whisky nhập khẩu", group_code="IV.1", unit="chai 700 ml", gtin=gtin(77), status="draft"))
    assert response.status_code == 303
    assert identity(product) == ("Whisky nhập khẩu", "IV.1", "chai 700 ml", gtin(77))


def test_a_decision_for_a_later_date_and_any_star_level_lock_too(make, seller_user, today):
    later = make.product(seller_user)
    record = make.record(later, decision_date=today + dt.timedelta(days=5))
    low = make.product(seller_user)
    two_stars = make.record(low, stars=2)
    db.session.commit()
    assert identity_locked_by(later) == record and identity_locked_by(low) == two_stars


def test_save_product_refuses_a_locked_field_and_writes_nothing(app, tea, seller_user):
    uploads = app.config["UPLOAD_DIR"]
    files_before = set(os.listdir(uploads)) if os.path.isdir(uploads) else set()

    class Upload:
        stream = io.BytesIO(jpeg())

    with pytest.raises(IdentityLocked) as refused:
        run(save_product, seller_user, {"name": "Whisky nhập khẩu", "group_code": "IV.1", "price_vnd": 990000},
                     [Upload()], tea)
    assert set(refused.value.fields) == {"name", "group_code"} and refused.value.record.decision_no == "1021/QĐ-UBND"
    db.session.rollback()
    assert identity(tea)[:2] == ("Chè La Bằng", "I.5") and tea.price_vnd == 180000
    assert db.session.scalar(select(func.count(ProductImage.id))) == 0
    assert (set(os.listdir(uploads)) if os.path.isdir(uploads) else set()) == files_before


def test_save_product_refuses_another_sellers_product(tea, other_seller):
    with pytest.raises(PermissionError):
        run(save_product, other_seller, {"price_vnd": 1000}, (), tea)


# --- Change requests ---------------------------------------------------------------------------

def ask(client, product, **overrides):
    values = {"change-name": product.name, "change-group_code": product.group_code, "change-unit": product.unit,
              "change-gtin": product.gtin or "", "change-reason": "Đổi bao bì theo quy định mới"}
    return client.post(f"/seller/products/{product.id}/change-request", data=values | overrides)


def decide(client, change, action, note=""):
    return client.post(f"/office/change-requests/{change.id}/decision", data={"action": action, "note": note},
                       follow_redirects=True)


def test_a_change_request_is_decided_once_by_the_products_province(client, tea):
    sign_in(client, "htx@tancuong.vn")
    assert ask(client, tea, **{"change-unit": "hộp 250 g"}, **{"change-reason": ""}).status_code == 422
    assert ask(client, tea).status_code == 422  # nothing differs
    bad = ask(client, tea, **{"change-gtin": tea.gtin[:-1] + str((int(tea.gtin[-1]) + 1) % 10)})
    assert bad.status_code == 422 and "sai chữ số kiểm tra" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count(ProductChangeRequest.id))) == 0
    assert ask(client, tea, **{"change-unit": "hộp 250 g"}).status_code == 303
    change = db.session.scalar(select(ProductChangeRequest))
    assert change.requested == {"unit": "hộp 250 g"} and change.status == "pending"  # only what differs
    again = ask(client, tea, **{"change-name": "Chè La Bằng đặc biệt"})
    assert again.status_code == 422 and "đang chờ" in again.get_data(as_text=True)  # one at a time
    assert "đang chờ Văn phòng OCOP tỉnh" in client.get(f"/seller/products/{tea.id}").get_data(as_text=True)

    sign_in(client, officer(14, "office14@ocop.vn").email)  # another province: the request does not exist
    assert client.get(f"/office/products/{tea.id}").status_code == 404
    assert decide(client, change, "approve").status_code == 404

    sign_in(client, officer().email)
    page = client.get("/office/products").get_data(as_text=True)
    assert "có đề nghị thay đổi" in page
    page = client.get(f"/office/products/{tea.id}").get_data(as_text=True)
    assert "hộp 250 g" in page and "Đổi bao bì theo quy định mới" in page
    refused = decide(client, change, "refuse")  # a refusal needs a note
    assert "Vui lòng ghi lý do" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert change.status == "pending" and tea.unit == "hộp 500 g"
    assert db.session.scalar(select(func.count(AuditLog.id))) == 0

    approved = decide(client, change, "approve")
    assert "Đã lưu" in approved.get_data(as_text=True)
    db.session.expire_all()
    assert (change.status, tea.unit, tea.name) == ("approved", "hộp 250 g", "Chè La Bằng")
    assert change.decided_by.email == "office19@ocop.vn" and change.decided_at is not None
    entry = db.session.scalar(select(AuditLog))
    assert entry.action == "product_change.approve"
    assert (entry.before["values"], entry.after["values"]) == ({"unit": "hộp 500 g"}, {"unit": "hộp 250 g"})
    email = db.session.scalar(select(OutboxEmail))
    assert email.to == "htx@tancuong.vn" and "được chấp thuận" in email.subject and "hộp 250 g" in email.body

    twice = decide(client, change, "approve")  # a double submit, or a second officer
    assert "đã được quyết định" in twice.get_data(as_text=True)
    db.session.expire_all()
    assert change.status == "approved" and tea.unit == "hộp 250 g"
    assert db.session.scalar(select(func.count(AuditLog.id))) == 1
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 1


def test_a_refused_request_changes_nothing_and_the_seller_may_ask_again(client, tea):
    sign_in(client, "htx@tancuong.vn")
    assert ask(client, tea, **{"change-name": "Whisky nhập khẩu", "change-group_code": "IV.1"}).status_code == 303
    change = db.session.scalar(select(ProductChangeRequest))
    sign_in(client, officer().email)
    decide(client, change, "refuse", "Sản phẩm khác: cần đánh giá lại")
    db.session.expire_all()
    assert change.status == "refused" and change.decision_note == "Sản phẩm khác: cần đánh giá lại"
    assert identity(tea)[:2] == ("Chè La Bằng", "I.5")
    entry = db.session.scalar(select(AuditLog))
    assert entry.action == "product_change.refuse" and entry.after["requested"]["name"] == "Whisky nhập khẩu"
    email = db.session.scalar(select(OutboxEmail))
    assert "không được chấp thuận" in email.subject and "cần đánh giá lại" in email.body

    sign_in(client, "htx@tancuong.vn")
    page = client.get(f"/seller/products/{tea.id}").get_data(as_text=True)
    assert "Sản phẩm khác: cần đánh giá lại" in page
    assert ask(client, tea, **{"change-name": "Chè La Bằng hộp mới"}).status_code == 303  # decided: ask again


def test_two_officers_at_once_the_second_is_told_and_changes_nothing(make, seller_user, tea):
    from marketplace.certification.services import request_identity_change
    change = run(request_identity_change, seller_user.members[0], tea, {"unit": "hộp 250 g"}, "Bao bì mới")
    first, second = officer(), officer(19, "office19b@ocop.vn")
    run(office.decide_change_request, first, change, "approve")
    with pytest.raises(office.DecisionError, match="đã được quyết định"):
        run(office.decide_change_request, second, change, "refuse", "Không")  # it opened the page while pending
    db.session.expire_all()
    assert (change.status, change.decided_by_id, change.decision_note) == ("approved", first.id, None)
    assert tea.unit == "hộp 250 g"
    assert db.session.scalar(select(func.count(AuditLog.id))) == 1


def test_an_approval_that_clashes_with_another_product_name_changes_nothing(client, make, seller_user, tea):
    from marketplace.certification.services import request_identity_change
    make.product(seller_user, name="Chè La Bằng đặc biệt")
    db.session.commit()
    change = run(request_identity_change, seller_user.members[0], tea, {"name": "Chè La Bằng đặc biệt"}, "Đổi tên")
    with pytest.raises(office.DecisionError):
        run(office.decide_change_request, officer(), change, "approve")
    db.session.expire_all()
    assert change.status == "pending" and tea.name == "Chè La Bằng"
    assert db.session.scalar(select(func.count(Product.id))) == 2
