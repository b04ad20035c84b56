"""Accounts a shopper expects: a forgotten password reset from an email, an address confirmed by its link
(which brings the orders placed with it as a guest), each role landing where it works, and `make run`
showing the emails as they are queued."""
import re
import time

import itsdangerous
import pytest
from sqlalchemy import select

from marketplace.accounts.services import create_user, find_user
from marketplace.extensions import db
from marketplace.outbox.models import OutboxEmail
from marketplace.outbox.services import queue_email
from marketplace.unit_of_work import run

from .helpers import CONTACT, PASSWORD, check_out, new_point, officer, sign_in, staff, stocked

NEW_PASSWORD = "ba con meo tren mai nha"


def _emails_to(address):
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.to == address).order_by(OutboxEmail.id)).all()


def _link(email, path):
    """The path of the link of `email` under `path` (as the reader clicks it)."""
    return re.search(rf"https?://[^/\s]+({path}/\S+)", email.body).group(1)


@pytest.fixture
def binh(app):
    user = create_user("binh@example.vn", "Trần Thị Bình", PASSWORD)
    db.session.commit()
    return user


def test_a_forgotten_password_is_reset_from_the_emailed_link_once(client, binh):
    page = client.get("/account/sign-in").get_data(as_text=True)
    assert 'href="/account/forgot-password"' in page
    asked = client.post("/account/forgot-password", data={"email": " Binh@Example.vn "}).get_data(as_text=True)
    (email,) = _emails_to("binh@example.vn")
    link = _link(email, "/account/reset-password")
    assert "60 phút" in email.body and "Đặt lại mật khẩu" in email.subject

    other = client.application.test_client()  # a session signed in elsewhere before the reset
    sign_in(other, "binh@example.vn")
    assert other.get("/account/orders").status_code == 200

    assert "Chọn mật khẩu mới" in client.get(link).get_data(as_text=True)
    answer = client.post(link, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert answer.status_code == 303
    assert client.get("/account/orders").status_code == 200  # signed in with the new password
    assert other.get("/account/orders").status_code == 302  # and every other session ended

    client.post("/account/sign-out")
    assert client.post("/account/sign-in", data={"email": "binh@example.vn", "password": PASSWORD}).status_code == 200
    assert client.post("/account/sign-in", data={"email": "binh@example.vn",
                                                  "password": NEW_PASSWORD}).status_code == 302
    # The link works once: used, it is dead, and the password stays the new one.
    again = client.post(link, data={"password": "mot mat khau khac nua", "password_again": "mot mat khau khac nua"})
    assert again.status_code == 410 and "Liên kết này không còn dùng được" in again.get_data(as_text=True)
    assert find_user("binh@example.vn").check_password(NEW_PASSWORD)
    assert "Nếu" in asked  # the page never says whether the address has an account


def test_the_reset_page_answers_the_same_for_an_unknown_address(client, binh):
    known = client.post("/account/forgot-password", data={"email": "binh@example.vn"}).get_data(as_text=True)
    unknown = client.post("/account/forgot-password", data={"email": "ai@example.vn"}).get_data(as_text=True)
    assert known.replace("binh@example.vn", "X") == unknown.replace("ai@example.vn", "X")
    assert _emails_to("ai@example.vn") == [] and len(_emails_to("binh@example.vn")) == 1


def test_a_reset_link_expires_and_a_forged_one_opens_nothing(client, binh, monkeypatch):
    client.post("/account/forgot-password", data={"email": "binh@example.vn"})
    link = _link(_emails_to("binh@example.vn")[0], "/account/reset-password")
    later = time.time() + 61 * 60
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: int(later))
    assert client.get(link).status_code == 410
    monkeypatch.undo()
    assert client.get(link).status_code == 200
    assert client.get(link[:-3] + "abc").status_code == 410
    assert client.post(link[:-3] + "abc", data={"password": NEW_PASSWORD,
                                                "password_again": NEW_PASSWORD}).status_code == 410
    assert find_user("binh@example.vn").check_password(PASSWORD)


def test_a_weak_new_password_is_refused_and_changes_nothing(client, binh):
    client.post("/account/forgot-password", data={"email": "binh@example.vn"})
    link = _link(_emails_to("binh@example.vn")[0], "/account/reset-password")
    answer = client.post(link, data={"password": "TranThiBinh2024", "password_again": "TranThiBinh2024"})
    assert answer.status_code == 422 and "không được chứa tên hoặc email" in answer.get_data(as_text=True)
    assert find_user("binh@example.vn").check_password(PASSWORD)


def test_reset_requests_are_rate_limited(app_with, binh):
    strict = app_with(RATELIMIT_ENABLED=True, MAIL_REQUEST_RATE_LIMIT="3 per minute")
    with strict.test_client() as client:
        codes = [client.post("/account/forgot-password", data={"email": "binh@example.vn"}).status_code
                 for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert len(_emails_to("binh@example.vn")) == 3


def test_confirming_the_address_brings_the_guest_orders(client, make):
    tea = stocked(make, make.seller(), "Chè Tân Cương", 90000, 10)
    client.post("/cart/add", data={"product_id": tea.id, "quantity": 1})
    check_out(client, CONTACT | {"email": "An@Example.vn"})  # as a guest
    client.post("/cart/add", data={"product_id": tea.id, "quantity": 1})
    check_out(client, CONTACT | {"email": "someone-else@example.vn"})

    client.post("/account/sign-up", data={"name": "Nguyễn Văn An", "email": "an@example.vn",
                                          "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    mine = client.get("/account/orders").get_data(as_text=True)
    assert "khi bạn xác nhận địa chỉ" in mine and mine.count('href="/orders/') == 0  # not before it is shown theirs

    email = next(e for e in _emails_to("an@example.vn") if "Xác nhận email" in e.subject)
    answer = client.get(_link(email, "/account/confirm"))
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/account/orders")
    mine = client.get("/account/orders").get_data(as_text=True)
    assert mine.count('href="/orders/') == 1 and "Gửi lại liên kết" not in mine

    again = client.get(_link(email, "/account/confirm"), follow_redirects=True).get_data(as_text=True)
    assert "đã được xác nhận trước đó" in again


def test_a_reset_from_the_email_also_confirms_the_address(client, binh):
    client.post("/account/forgot-password", data={"email": "binh@example.vn"})
    link = _link(_emails_to("binh@example.vn")[0], "/account/reset-password")
    client.post(link, data={"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert find_user("binh@example.vn").email_confirmed_at is not None


def test_the_confirmation_link_can_be_sent_again(client, binh):
    sign_in(client, "binh@example.vn")
    assert client.post("/account/confirm").status_code == 303
    (email,) = _emails_to("binh@example.vn")
    client.post("/account/sign-out")
    answer = client.get(_link(email, "/account/confirm"))  # opened on another device, signed out
    assert answer.headers["Location"].endswith("/account/sign-in")
    assert find_user("binh@example.vn").email_confirmed_at is not None


@pytest.mark.parametrize("role", ["seller", "office", "staff"])
def test_each_role_lands_where_it_works(client, make, role):
    if role == "seller":
        create_user("htx@example.vn", "HTX", PASSWORD, role="seller", seller_id=make.seller().id)
        db.session.commit()
        email, lands = "htx@example.vn", "/seller/"
    elif role == "office":
        email, lands = officer().email, "/office/"
    else:
        point = new_point(officer())
        email, lands = staff(point, "quay@ocop.vn", role="manager").email, "/counter/"
    answer = client.post("/account/sign-in", data={"email": email, "password": PASSWORD}, follow_redirects=True)
    assert answer.request.path.startswith(lands), answer.request.path


def test_make_run_shows_each_email_as_it_is_queued(app_with, capsys):
    shop = app_with(MAIL_SEND_ON_COMMIT=True, MAIL_BACKEND="console")
    with shop.app_context():
        run(queue_email, "an@example.vn", "Đơn hàng DH-1 đã được đặt", "notice", name="An", paragraphs=[], url=None)
        for _ in range(100):
            if db.session.scalar(select(OutboxEmail.sent_at)) is not None:
                break
            time.sleep(0.05)
            db.session.rollback()
        assert db.session.scalar(select(OutboxEmail.sent_at)) is not None
    assert "email to an@example.vn: Đơn hàng DH-1 đã được đặt" in capsys.readouterr().out


def test_two_sign_ups_with_one_address_at_once_make_one_account(app):
    from sqlalchemy import func

    from marketplace.accounts.models import User

    from .helpers import at_once
    data = {"name": "Lê Văn Cường", "email": "cuong@example.vn", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    codes = at_once([(app.test_client(), "/account/sign-up", data) for _ in range(2)], answer="status")
    assert sorted(codes) == [303, 422]  # the second is told the address has an account, never a 500
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "cuong@example.vn")) == 1


def test_a_seller_gets_another_login_from_the_command_line(app, make):
    seller = make.seller(legal_name="HTX Chè La Bằng")
    db.session.commit()
    runner = app.test_cli_runner()
    made = runner.invoke(args=["sellers", "add-member", "lan@example.vn", "--name", "Lê Thị Lan",
                               "--seller", seller.registration_no, "--password", NEW_PASSWORD])
    assert made.exit_code == 0 and "HTX Chè La Bằng" in made.output
    user = find_user("lan@example.vn")
    assert (user.role, user.seller_id) == ("seller", seller.id)
    for args, said in ((["--seller", "0000000000", "--password", NEW_PASSWORD], "No seller"),
                       (["--seller", seller.registration_no, "--password", "12345678901"], "")):
        refused = runner.invoke(args=["sellers", "add-member", "khac@example.vn", "--name", "Khác", *args])
        assert refused.exit_code != 0 and said in refused.output
    assert find_user("khac@example.vn") is None


def test_the_command_line_refuses_what_sign_up_refuses(app, make):
    seller = make.seller()
    db.session.commit()
    runner = app.test_cli_runner()
    for email, name in (("not-an-email", "Lan"), ("", "Lan"), ("lan@example.vn", ""), ("lan@example.vn", "La\x00n")):
        refused = runner.invoke(args=["sellers", "add-member", email, "--name", name, "--seller",
                                      seller.registration_no, "--password", NEW_PASSWORD])
        assert refused.exit_code != 0, (email, name)
    spaced = runner.invoke(args=["sellers", "add-member", "lan@example.vn", "--name", "Lan", "--seller",
                                 " ".join(seller.registration_no), "--password", NEW_PASSWORD])
    assert spaced.exit_code == 0, spaced.output
