"""Seller sign-up, certificate uploads, sign-in, and the office's verification queue."""
import io
import os
import pathlib

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.accounts.services import create_user
from marketplace.audit import AuditLog
from marketplace.certification.services import is_listable
from marketplace.extensions import db
from marketplace.outbox.models import OutboxEmail
from marketplace.sellers.models import Seller, SellerDocument

from .factories import tax_code
from .helpers import PASSWORD, PDF, at_once, form, join, officer, png, sign_in


def sellers_count():
    return db.session.scalar(select(func.count(Seller.id)))


def test_sign_up_creates_a_pending_seller_with_its_certificate(client, app):
    response = join(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/seller/")
    seller = db.session.scalar(select(Seller))
    assert seller.verification_status == "pending" and seller.women_led and seller.province_code == 19
    assert seller.ward_name == "Phường Phan Đình Phùng" and seller.phone == "0912345678"
    user = seller.members[0]
    assert user.role == "seller" and user.check_password(PASSWORD) and user.password_hash != PASSWORD
    document = seller.documents[0]
    assert document.content_type == "application/pdf" and document.original_name == "giay-dkkd.pdf"
    stored = os.path.join(app.config["PRIVATE_UPLOAD_DIR"], "registrations", document.stored_name)
    assert pathlib.Path(stored).read_bytes() == PDF
    assert "giay" not in document.stored_name and not stored.startswith(app.static_folder)
    page = client.get("/seller/").get_data(as_text=True)
    assert "đang chờ Văn phòng OCOP tỉnh kiểm tra" in page
    assert client.get(f"/seller/documents/{document.id}").data == PDF


def test_a_household_may_use_its_representatives_personal_id(client):
    assert join(client, entity_type="household", registration_no="019185001234").status_code == 302
    assert db.session.scalar(select(Seller.registration_no)) == "019185001234"


@pytest.mark.parametrize("overrides, message", [
    ({"registration_no": tax_code(7001)[:9] + str((int(tax_code(7001)[9]) + 1) % 10)}, "sai chữ số kiểm tra"),
    ({"registration_no": "019185001234"}, "chỉ dùng cho hộ kinh doanh và trang trại"),
    ({"phone": "12345"}, "không phải số điện thoại Việt Nam"),
    ({"ward": "Phường Hoàn Kiếm"}, "không phải xã, phường của Thái Nguyên"),
    ({"password_again": "khac-hoan-toan"}, "Hai mật khẩu không khớp"),
    ({"document": (io.BytesIO(b"hello, I am text"), "giay.pdf")}, "PDF, JPEG hoặc PNG"),
    ({"document": (io.BytesIO(b"%PDF-1.4 cut in the midd"), "giay.pdf")}, "không đầy đủ hoặc bị hỏng"),
    ({"document": (io.BytesIO(b"\x89PNG\r\n\x1a\nnot really"), "anh.png")}, "Không đọc được ảnh"),
    ({"document": (io.BytesIO(png(20000, 20000)), "bom.png")}, "Ảnh quá lớn"),
    ({"document": (io.BytesIO(PDF + b"0" * (10 * 1024 * 1024)), "lon.pdf")}, "lớn hơn 10 MB"),
    ({"document": None}, "đính kèm giấy chứng nhận"),
])
def test_bad_sign_ups_change_nothing_and_say_why(client, app, overrides, message):
    if overrides.get("document", "x") is None:
        data = form(**{k: v for k, v in overrides.items() if k != "document"})
        data.pop("document")
        response = client.post("/seller/join", data=data, content_type="multipart/form-data")
    else:
        response = join(client, **overrides)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert sellers_count() == 0 and db.session.scalar(select(func.count(User.id))) == 0
    folder = os.path.join(app.config["PRIVATE_UPLOAD_DIR"], "registrations")
    assert not os.path.isdir(folder) or os.listdir(folder) == []


def test_a_certificate_over_ten_megabytes_is_refused_on_the_form(client):
    response = join(client, document=(io.BytesIO(PDF + b"0" * (20 * 1024 * 1024)), "lon.pdf"))
    assert response.status_code == 422
    assert "lớn hơn 10 MB" in response.get_data(as_text=True)
    assert sellers_count() == 0


def test_an_upload_over_the_forms_limit_is_refused_with_a_clear_page(client):
    response = join(client, document=(io.BytesIO(PDF + b"0" * (40 * 1024 * 1024)), "lon.pdf"))
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True) and "32 MB" in response.get_data(as_text=True)
    assert sellers_count() == 0


def test_a_pdf_named_png_is_kept_as_a_pdf(client):
    assert join(client, document=(io.BytesIO(PDF), "giay.png")).status_code == 302
    assert db.session.scalar(select(SellerDocument.content_type)) == "application/pdf"


def test_the_same_registration_or_email_cannot_sign_up_twice(client):
    join(client)
    client.post("/account/sign-out")
    again = join(client, email="khac@example.vn")
    assert again.status_code == 422 and "đã được đăng ký" in again.get_data(as_text=True)
    same_email = join(client, registration_no=tax_code(7002))
    assert same_email.status_code == 422 and "đã có tài khoản" in same_email.get_data(as_text=True)
    assert sellers_count() == 1


def test_sign_in_and_out(client, make):
    seller = make.seller()
    create_user("htx@example.vn", "HTX", PASSWORD, role="seller", seller_id=seller.id)
    db.session.commit()
    wrong = client.post("/account/sign-in", data={"email": "htx@example.vn", "password": "sai-mat-khau"})
    assert "Email hoặc mật khẩu không đúng" in wrong.get_data(as_text=True)
    right = client.post("/account/sign-in", data={"email": "HTX@example.vn", "password": PASSWORD})
    assert right.status_code == 302 and right.headers["Location"].endswith("/seller/")
    client.post("/account/sign-out")
    assert client.get("/seller/").status_code == 302  # to the sign-in page


# --- The office -------------------------------------------------------------------------------


@pytest.fixture
def pending(client):
    join(client)
    client.post("/account/sign-out")
    return db.session.scalar(select(Seller))


def test_the_queue_shows_pending_sellers_of_the_officers_province_only(client, make, pending):
    make.seller(legal_name="HTX Sơn La chờ duyệt", province_code=14, verification_status="pending")
    officer(19)
    sign_in(client, "office19@ocop.vn")
    page = client.get("/office/").get_data(as_text=True)
    assert pending.legal_name in page and "HTX Sơn La chờ duyệt" not in page
    detail = client.get(f"/office/sellers/{pending.id}").get_data(as_text=True)
    assert "giay-dkkd.pdf" in detail
    assert client.get(f"/seller/documents/{pending.documents[0].id}").data == PDF


def test_approving_verifies_audits_and_emails(client, make, pending):
    product = make.product(pending, name="Trà Tân Cương")
    make.record(product)
    db.session.commit()
    assert not is_listable(product)
    office = officer(19)
    sign_in(client, office.email)

    response = client.post(f"/office/sellers/{pending.id}/decision", data={"action": "approve"})
    assert response.status_code == 303
    db.session.expire_all()
    assert pending.verification_status == "verified" and is_listable(product)
    entry = db.session.scalar(select(AuditLog))
    assert (entry.actor_id, entry.action, entry.object_id) == (office.id, "seller.approve", pending.id)
    assert entry.before["verification_status"] == "pending" and entry.after["verification_status"] == "verified"
    email = db.session.scalar(select(OutboxEmail))
    assert email.to == "binh@htx-tancuong.vn" and "đã được xác minh" in email.subject
    assert client.get(f"/products/{product.id}").status_code == 200


def test_rejecting_needs_a_reason_the_seller_reads(client, pending):
    officer(19)
    sign_in(client, "office19@ocop.vn")
    client.post(f"/office/sellers/{pending.id}/decision", data={"action": "reject", "reason": ""})
    db.session.expire_all()
    assert pending.verification_status == "pending" and db.session.scalar(select(func.count(AuditLog.id))) == 0
    client.post(f"/office/sellers/{pending.id}/decision",
                data={"action": "reject", "reason": "Giấy chứng nhận bị mờ, vui lòng tải lại."})
    db.session.expire_all()
    assert pending.verification_status == "rejected"
    assert "bị mờ" in db.session.scalar(select(OutboxEmail.body))
    sign_in(client, "binh@htx-tancuong.vn")
    assert "bị mờ" in client.get("/seller/").get_data(as_text=True)


def test_suspending_unlists_every_product_at_once(client, make):
    seller = make.seller(legal_name="HTX Quế Văn Yên", province_code=15)
    products = [make.listed(seller=seller, name=f"Quế {n}") for n in range(3)]
    officer(15, "office15@ocop.vn")
    sign_in(client, "office15@ocop.vn")
    assert client.get("/search?q=que").get_data(as_text=True).count("card-title") == 3
    client.post(f"/office/sellers/{seller.id}/decision", data={"action": "suspend", "reason": "Vi phạm chất lượng"})
    db.session.expire_all()
    assert all(not is_listable(p) for p in products)
    assert all(client.get(f"/products/{p.id}").status_code == 404 for p in products)
    assert "card-title" not in client.get("/search?q=que").get_data(as_text=True)


def test_an_officer_cannot_act_on_another_provinces_seller(client, pending):
    officer(14, "office14@ocop.vn")
    sign_in(client, "office14@ocop.vn")
    assert client.get(f"/office/sellers/{pending.id}").status_code == 404
    assert client.post(f"/office/sellers/{pending.id}/decision", data={"action": "approve"}).status_code == 404
    assert client.get(f"/seller/documents/{pending.documents[0].id}").status_code == 404
    db.session.expire_all()
    assert pending.verification_status == "pending" and db.session.scalar(select(func.count(AuditLog.id))) == 0


def test_a_nationwide_officer_sees_every_province(client, pending):
    officer(None, "national@ocop.vn")
    sign_in(client, "national@ocop.vn")
    assert client.get(f"/office/sellers/{pending.id}").status_code == 200


def test_sellers_and_shoppers_cannot_use_the_office_or_other_documents(client, make, pending):
    other = make.seller(province_code=19)
    create_user("other@example.vn", "Khác", PASSWORD, role="seller", seller_id=other.id)
    db.session.commit()
    sign_in(client, "other@example.vn")
    assert client.get("/office/").status_code == 403
    assert client.get(f"/seller/documents/{pending.documents[0].id}").status_code == 404
    client.post("/account/sign-out")
    assert client.get(f"/seller/documents/{pending.documents[0].id}").status_code == 302


def test_outbox_send_writes_emails_with_the_file_backend(client, app, pending):
    officer(19)
    sign_in(client, "office19@ocop.vn")
    client.post(f"/office/sellers/{pending.id}/decision", data={"action": "approve"})
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "1 emails sent" in result.output
    email = db.session.scalar(select(OutboxEmail))
    assert email.sent_at is not None  # the file is named by the email's id (the directory is the session's)
    assert os.path.isfile(os.path.join(app.instance_path, "mail", f"{email.id:06d}.eml"))


# --- Protections on every form ------------------------------------------------------------------

def test_forms_refuse_a_post_without_the_csrf_token(app_with):
    strict_app = app_with(WTF_CSRF_ENABLED=True)
    with strict_app.test_client() as client:
        response = client.post("/seller/join", data=form(), content_type="multipart/form-data")
        assert response.status_code == 400
        assert "tải lại trang" in response.get_data(as_text=True)  # what to do about it, not just "400"
        with strict_app.app_context():
            assert sellers_count() == 0


def test_sign_in_is_rate_limited(app_with):
    strict_app = app_with(RATELIMIT_ENABLED=True, AUTH_RATE_LIMIT="3 per minute")
    with strict_app.test_client() as client:
        statuses = [client.post("/account/sign-in", data={"email": "x@example.vn", "password": "y"}).status_code
                    for _ in range(4)]
    assert statuses[-1] == 429 and 429 not in statuses[:3]


def test_clerks_behind_one_network_are_not_locked_out(app_with):
    """The limit counts one address trying one account: five clerks of a point signing in one after another
    at opening time each have their own attempts."""
    clerks = [f"quay{n}@ocop.vn" for n in range(5)]
    for email in clerks:
        create_user(email, "Quầy", PASSWORD)
    db.session.commit()
    strict_app = app_with(RATELIMIT_ENABLED=True, AUTH_RATE_LIMIT="3 per minute")
    with strict_app.test_client() as client:
        for email in clerks:
            assert client.post("/account/sign-in", data={"email": email, "password": PASSWORD}).status_code == 302
            client.post("/account/sign-out")


def test_a_burst_of_guesses_sent_at_once_is_held_to_the_limit(app_with):
    """Twelve wrong passwords for one account sent at the same moment: no more than the limit are checked."""
    create_user("nan@ocop.vn", "Nạn nhân", PASSWORD)
    db.session.commit()
    strict_app = app_with(RATELIMIT_ENABLED=True, AUTH_RATE_LIMIT="3 per minute")
    guessers = [strict_app.test_client() for _ in range(12)]
    codes = at_once([(guesser, "/account/sign-in", {"email": "nan@ocop.vn", "password": f"doan-sai-{n}"})
                     for n, guesser in enumerate(guessers)], answer="status")
    assert codes.count(200) <= 3 and codes.count(429) >= 9, codes


def test_a_refused_join_form_asks_for_the_certificate_again(client):
    """A browser never keeps a chosen file when the page comes back: the seller is told, not surprised."""
    page = client.post("/seller/join", data=form(phone=""), content_type="multipart/form-data").get_data(as_text=True)
    assert "Hãy chọn lại giấy chứng nhận" in page


def test_form_messages_are_in_the_visitors_language(client):
    vi = client.post("/seller/join", data={}).get_data(as_text=True)
    assert "Trường này là bắt buộc." in vi
    client.get("/lang/en")
    en = client.post("/seller/join", data={}).get_data(as_text=True)
    assert "This field is required." in en and "Trường này" not in en


def test_the_ward_picker_lists_the_wards_of_a_province(client):
    wards = client.get("/api/v1/provinces/19/wards").get_json()["items"]
    assert {"code": 5443, "name": "Phường Phan Đình Phùng"} in wards and len(wards) > 50
    assert client.get("/api/v1/provinces/99/wards").status_code == 404


def test_sign_in_is_rate_limited_in_redis_when_configured(app_with):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15").flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    strict_app = app_with(RATELIMIT_ENABLED=True, AUTH_RATE_LIMIT="2 per minute",
                          RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15")
    with strict_app.test_client() as client:
        statuses = [client.post("/account/sign-in", data={"email": "x@example.vn", "password": "y"}).status_code
                    for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert redis.Redis.from_url("redis://127.0.0.1:6379/15").dbsize() > 0  # the counter lives in Redis
