"""A hostile review of issue 17 (community-tourism bookings): what careless and hostile visitors and hosts do.

A failing test here marks a break (the application is not fixed in this file); a passing one guards a real
risk (another host's ids, tokens, races, money paths). Every path ends with the promises checked: seats equal
the places of the bookings holding them, and the money ledger balances (`settlements.check.problems()`)."""
import csv
import datetime as dt
import io
import threading

import pytest
from sqlalchemy import select

from marketplace import ocop
from marketplace.experiences import services as experiences
from marketplace.experiences.models import Booking, ExperienceSession
from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.orders import services as orders
from marketplace.orders.models import Order
from marketplace.unit_of_work import run

from .helpers import (
    VISITOR,
    at_once,
    body,
    book,
    booking_of,
    clients,
    find_user_of,
    in_days,
    move_start,
    officer,
    order_of,
    paid,
    plan,
    seats_taken,
    seller_signs_in,
    sound,
    status,
)


@pytest.fixture
def session(homestay):
    stay, _tea, host = homestay
    [made] = run(experiences.schedule, host, stay, plan(capacity=10, child_price_vnd=200_000, late_refund_percent=50))
    return made


@pytest.fixture
def rival(make):
    """Another host, with an experience of its own and a session of it."""
    seller = make.seller(legal_name="HTX Du lịch Bản Lác", province_code=14)
    product = make.listed(seller=seller, name="Homestay Bản Lác", price_vnd=300_000, group_code="VI")
    user = find_user_of(seller)
    [made] = run(experiences.schedule, user, product, plan(capacity=6))
    return seller, user, made


# ============================================================================================================
# BREAKS (these fail today)
# ============================================================================================================

def test_a_host_cannot_cancel_a_session_that_took_place_and_keep_the_no_shows_money(client, session, homestay, shop):
    """The host marks a paid visitor absent after the start, then cancels the whole session: the session says
    "cancelled by the host" (and so does the visitor's voucher) but the visitor's money is kept, nothing owed back."""
    stay, _tea, host = homestay
    absent = paid(client, session.id)
    move_start(session.id, utcnow() - dt.timedelta(minutes=30))
    run(experiences.mark_no_show, host, booking_of(absent["number"]))
    seller_signs_in(client, stay.seller)
    client.post(f"/seller/experiences/sessions/{session.id}/cancel", data={"reason": "Mưa lớn"})
    cancelled = db.session.get(ExperienceSession, session.id, populate_existing=True).state == "cancelled"
    order = order_of(absent["number"])
    # Either a session that already ran cannot be cancelled, or cancelling it gives the money back.
    assert not cancelled or order.payment_status == "refund_due", (cancelled, order.payment_status)
    sound()


def test_a_visitor_marked_absent_cannot_review_the_experience_as_a_verified_guest(client, session, homestay, shop):
    """A paid no-show becomes a "delivered" order part, and the review rule reads "delivered": the visitor who
    never came gets the "Rate what you received" form."""
    from marketplace.reviews import services as reviews
    _stay, _tea, host = homestay
    absent = paid(client, session.id)
    move_start(session.id, utcnow() - dt.timedelta(minutes=30))
    run(experiences.mark_no_show, host, booking_of(absent["number"]))
    order = order_of(absent["number"])
    assert reviews.reviewable(order) == []
    page = client.get(f"/orders/{absent['number']}?token={absent['token']}").get_data(as_text=True)
    assert 'id="reviews"' not in page


def test_the_host_cancelling_the_session_gives_back_what_it_kept_of_a_late_cancellation(client, homestay, shop):
    """Host's policy "no refund" (keeps 100 %): a visitor cancels late and loses everything; then the host cancels
    the session itself. The host keeps money for a session it never held; the host cancelling is meant to
    refund every visitor in full."""
    stay, _tea, host = homestay
    [tomorrow] = run(experiences.schedule, host, stay, plan(starts_at=in_days(1, 20), late_refund_percent=0))
    late = paid(client, tomorrow.id)
    client.post(f"/bookings/{late['number']}/cancel", data={"token": late["token"]})
    order = order_of(late["number"])
    assert (order.payment_status, order.parts[0].kept_vnd) == ("paid", 900_000)  # the host's policy, fair so far
    run(experiences.cancel_session, host, db.session.get(ExperienceSession, tomorrow.id), "Ốm")
    order = order_of(late["number"])
    assert (order.payment_status, order.refund_vnd) == ("refund_due", 900_000)
    sound()


def test_the_booking_page_opens_every_bookable_session_not_only_the_sixty_soonest(client, homestay):
    """A host with a morning and an afternoon session every week for a year (104 sessions): the API books the
    70th, the booking page of the same session answers 410 "can no longer be booked"."""
    stay, _tea, host = homestay
    morning = run(experiences.schedule, host, stay, plan(starts_at=in_days(3, 8), duration_minutes=180), 52)
    afternoon = run(experiences.schedule, host, stay, plan(starts_at=in_days(3, 14), duration_minutes=180), 52)
    later = sorted(morning + afternoon, key=lambda s: s.starts_at)[70]
    assert client.get(f"/experiences/sessions/{later.id}/book").status_code == 200
    assert client.post("/api/v1/bookings", json=body(later.id)).status_code == 201


def test_a_far_day_on_the_hosts_day_page_is_not_a_server_error(client, homestay):
    stay, _tea, _host = homestay
    seller_signs_in(client, stay.seller)
    for day in ("9999-12-31", "0001-01-01"):
        got = status(lambda day=day: client.get(f"/seller/experiences/day?day={day}"))
        assert got in (200, 400, 404), (day, got)  # OverflowError today: a 500


def test_a_child_price_above_the_adult_price_is_a_form_error_not_a_crash(client, homestay):
    stay, _tea, _host = homestay
    seller_signs_in(client, stay.seller)
    form = {"product": stay.id, "day": (ocop.today() + dt.timedelta(days=5)).strftime("%d/%m/%Y"), "time": "08:00",
            "duration_minutes": "120", "capacity": "10", "price_vnd": "200.000", "child_price_vnd": "300.000",
            "languages": "vi", "meeting_point_vi": "Nhà văn hoá", "min_party": "1", "weeks": "1",
            "late_refund_percent": "0"}
    assert status(lambda: client.post("/seller/experiences", data=form)) == 422  # IntegrityError today
    assert db.session.scalar(select(db.func.count(ExperienceSession.id))) == 0


def test_a_session_day_at_the_ends_of_the_calendar_is_a_form_error_not_a_crash(client, homestay):
    stay, _tea, _host = homestay
    seller_signs_in(client, stay.seller)
    form = {"product": stay.id, "time": "08:00", "duration_minutes": "120", "capacity": "10", "price_vnd": "200000",
            "languages": "vi", "meeting_point_vi": "Nhà văn hoá", "min_party": "1", "late_refund_percent": "0"}
    for day, weeks in (("25/12/9999", "2"), ("01/01/0001", "1")):
        got = status(lambda day=day, weeks=weeks: client.post("/seller/experiences", data=form | {"day": day,
                                                                                              "weeks": weeks}))
        assert got == 422, (day, got)  # OverflowError today
    assert db.session.scalar(select(db.func.count(ExperienceSession.id))) == 0


def test_a_booking_costing_more_than_an_order_can_hold_is_refused_clearly(client, homestay):
    """A session at the largest price a product may have (1.000.000.000 ₫) for three people: 3 billion đồng,
    beyond MAX_ORDER_TOTAL (goods orders refuse it) and beyond PostgreSQL's integer columns (a 500 there)."""
    stay, _tea, host = homestay
    [dear] = run(experiences.schedule, host, stay, plan(price_vnd=1_000_000_000))
    answer = client.post("/api/v1/bookings", json=body(dear.id, people=3))
    assert answer.status_code == 422 and "people" in answer.get_json()["fields"], answer.get_json()
    assert seats_taken(dear.id) == 0 and db.session.scalar(select(db.func.count(Order.id))) == 0


@pytest.mark.parametrize("name", [["Emma"], {"first": "Emma"}, 12345, True])
def test_a_contact_name_that_is_not_text_is_a_named_error(client, session, name):
    answer = client.post("/api/v1/bookings", json=body(session.id, contact=VISITOR | {"name": name}))
    assert answer.status_code == 422, (answer.status_code, answer.get_json().get("number"))
    assert "contact.name" in answer.get_json()["fields"]
    assert seats_taken(session.id) == 0


def test_the_sessions_import_refuses_a_csv_beyond_its_row_limit(app, homestay, tmp_path):
    """MAX_ROWS (2 000) is enforced for XLSX only: a CSV of any length is read whole and every row checked."""
    from marketplace.catalog.tables import ImportFileError
    from marketplace.experiences.importer import COLUMNS, MAX_ROWS, ImportRefused, import_file
    stay, _tea, _host = homestay
    path = tmp_path / "sessions.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        start = ocop.today() + dt.timedelta(days=5)
        for n in range(MAX_ROWS + 50):
            writer.writerow([stay.seller.registration_no, stay.name,
                             f"{start + dt.timedelta(days=n // 10):%Y-%m-%d} {6 + n % 10:02d}:00", "60", "10",
                             "100000", "vi", "Nhà văn hoá", ""])
    with pytest.raises(ImportFileError):
        try:
            run(import_file, path)
        except ImportRefused:
            pytest.fail("read and checked every one of the rows")
    assert db.session.scalar(select(db.func.count(ExperienceSession.id))) == 0


def test_experiences_the_host_never_closed_do_not_block_the_visitors_orders_for_ever(client, homestay, make):
    """Three on-site bookings the host neither checks in nor marks absent were "unpaid" for ever: they counted
    as open orders of the phone, so months later the visitor could not order goods (cash on delivery) nor book
    again. They now lapse ON_SITE_CLOSE_HOURS after their session ends, as the expiry job finds them."""
    from marketplace.orders.payments import expire_overdue

    from .helpers import stocked
    stay, _tea, host = homestay
    for n in range(3):
        [soon] = run(experiences.schedule, host, stay, plan(starts_at=in_days(3 + n)))
        book(client, soon.id)
    assert expire_overdue(utcnow() + dt.timedelta(days=30)) == 3  # a month on; the host did nothing
    assert {booking.state for booking in db.session.scalars(select(Booking))} == {"cancelled"}
    tea = stocked(make, make.seller(province_code=14), "Chè Shan", 150_000, 5)
    answer = client.post("/api/v1/orders", json={
        "items": [{"product_id": tea.id, "quantity": 1}], "payment": "cod", "contact": VISITOR,
        "address": {"province": 14, "ward": "Mộc Châu", "street": "1 Đường A"}})
    assert answer.status_code == 201, answer.get_json()


# ============================================================================================================
# GUARDS (these pass today: the risks are real, keep them covered)
# ============================================================================================================

# --- One host, another host's bookings --------------------------------------------------------------------

def test_another_host_cannot_touch_or_read_my_bookings(client, session, homestay, rival):
    _other_seller, other_user, _theirs = rival
    _stay, _tea, _host = homestay
    mine = book(client, session.id)
    booking = booking_of(mine["number"])
    move_start(session.id, utcnow() + dt.timedelta(hours=1))
    seller_signs_in(client, _other_seller)
    assert client.post(f"/seller/experiences/bookings/{booking.id}/no-show").status_code == 404
    assert client.post(f"/seller/experiences/sessions/{session.id}/cancel", data={"reason": "x"}).status_code == 404
    day = ocop.local_date(session.starts_at).isoformat()
    page = client.get(f"/seller/experiences/day?day={day}").get_data(as_text=True)
    assert "Emma Laurent" not in page and mine["code"] not in page and mine["number"] not in page
    answer = client.post("/seller/experiences/check-in", data={"code": mine["code"]}, follow_redirects=True)
    assert "Emma Laurent" not in answer.get_data(as_text=True)
    with pytest.raises(experiences.CheckInError, match="unknown"):
        run(experiences.check_in, other_user, mine["code"])
    part = booking_of(mine["number"]).part_id
    assert client.post(f"/seller/orders/{part}", data={"action": "cancel", "reason": "x"}).status_code == 404
    assert booking_of(mine["number"]).state == "booked" and seats_taken(session.id) == 2
    assert db.session.get(ExperienceSession, session.id).state == "scheduled"
    sound()


def test_tokens_wrong_or_missing_open_and_change_nothing(client, session):
    booked = book(client, session.id)
    number = booked["number"]
    for token in ("", "wrong", booked["token"][:-1], booked["token"] + "x", " " + booked["token"]):
        assert client.get(f"/bookings/{number}?token={token}").status_code == 404
        assert client.get(f"/bookings/{number}.ics?token={token}").status_code == 404
        assert client.post(f"/bookings/{number}/cancel", data={"token": token}).status_code == 404
    assert client.get(f"/bookings/{number}").status_code == 404
    assert client.post(f"/bookings/{number}/cancel").status_code == 404
    assert booking_of(number).state == "booked" and seats_taken(session.id) == 2


def test_a_goods_orders_number_and_token_open_no_voucher(client, make):
    from .helpers import CONTACT, check_out, stocked
    seller = make.seller()
    tea = stocked(make, seller, "Chè", 100_000, 5)
    client.post("/cart/add", data={"product_id": tea.id, "quantity": 1})
    check_out(client, CONTACT)
    order = db.session.scalar(select(Order))
    assert client.get(f"/bookings/{order.number}?token={order.access_token}").status_code == 404
    assert client.post(f"/bookings/{order.number}/cancel", data={"token": order.access_token}).status_code == 404


# --- Party sizes and bodies ---------------------------------------------------------------------------------

@pytest.mark.parametrize("people, children", [
    (0, 0), (-1, 0), (2, 2), (2, 3), (1, 1), (True, 0), (2, True), (2.0, 0), (2.5, 0), ("2", 0), (2, "0"),
    (None, 0), (10 ** 30, 0), (501, 0), (11, 0), (2, -1), (2, None), ([2], 0), ({"n": 2}, 0)])
def test_party_sizes_that_are_not_a_party_are_refused_and_book_nothing(client, session, people, children):
    answer = client.post("/api/v1/bookings", json=body(session.id, people=people, children=children))
    assert answer.status_code == 422, answer.get_json()
    assert seats_taken(session.id) == 0 and db.session.scalar(select(db.func.count(Order.id))) == 0


def test_min_and_max_party_languages_and_ids_are_checked(client, homestay):
    stay, _tea, host = homestay
    [small] = run(experiences.schedule, host, stay, plan(capacity=8, min_party=3, max_party=4, languages=["vi"]))
    for sent in (body(small.id, people=2), body(small.id, people=5), body(small.id, people=3, language="en"),
                 body(small.id, people=3, language="xx"), body(small.id, people=3, language=["vi"]),
                 body(small.id, people=3, payment="cod"), body(small.id, people=3, payment="at_point"),
                 body(str(small.id)), body(True), body(2 ** 31), body(-small.id)):
        answer = client.post("/api/v1/bookings", json=sent)
        assert answer.status_code == 422, (sent, answer.get_json())
    page = client.post(f"/experiences/sessions/{small.id}/book", data={
        "adults": "2", "children": "0", "language": "vi", "name": "A", "phone": "0912345678",
        "email": "a@example.vn", "payment": "on_site"})
    assert page.status_code == 422
    assert seats_taken(small.id) == 0 and db.session.scalar(select(db.func.count(Order.id))) == 0


@pytest.mark.parametrize("sent", [
    b'{"session_id": 1, "people": 2, "contact": {"name": "A\\u0000B", "phone": "0912345678", "email": "a@b.vn"}}',
    b"[" * 5000 + b"]" * 5000, b"\xff\xfe not json", b'"just a string"', b"null", b"[]",
    '{"session_id": 1, "people": "\u0662"}'.encode()])
def test_hostile_bodies_get_a_clear_answer_and_book_nothing(client, session, sent):
    answer = client.post("/api/v1/bookings", data=sent, content_type="application/json")
    assert 400 <= answer.status_code < 500 and answer.is_json
    assert db.session.scalar(select(db.func.count(Order.id))) == 0


def test_unlisted_cancelled_past_and_unknown_sessions_are_closed(client, session, homestay, rival):
    _stay, _tea, host = homestay
    run(experiences.cancel_session, host, db.session.get(ExperienceSession, session.id), "Bão")
    assert client.post("/api/v1/bookings", json=body(session.id)).status_code == 409
    assert client.get(f"/experiences/sessions/{session.id}/book").status_code == 410
    _seller, _user, theirs = rival
    move_start(theirs.id, utcnow() + dt.timedelta(hours=2))  # inside the cutoff
    assert client.post("/api/v1/bookings", json=body(theirs.id)).status_code == 409
    assert db.session.scalar(select(db.func.count(Order.id))) == 0


def test_an_experience_is_never_sold_as_goods(client, homestay):
    stay, _tea, _host = homestay
    answer = client.post("/api/v1/orders", json={
        "items": [{"product_id": stay.id, "quantity": 2}], "contact": VISITOR, "payment": "cod",
        "pickup_point": None, "address": {"province": "14", "ward": "Mộc Châu", "street": "1 Đường A"}})
    assert answer.status_code == 422
    client.post("/cart/add", data={"product_id": stay.id, "quantity": 1})
    from .helpers import CONTACT, check_out
    check_out(client, CONTACT)
    assert db.session.scalar(select(db.func.count(Order.id))) == 0


# --- Money paths ---------------------------------------------------------------------------------------------

def test_paying_after_the_places_expired_makes_the_money_owed_back(client, session, shop):
    from marketplace.orders.payments import expire_overdue
    booked = book(client, session.id, payment="vietqr")
    assert expire_overdue(utcnow() + dt.timedelta(hours=1)) == 1
    assert run(orders.mark_paid, order_of(booked["number"])) == "refund_due"
    order = order_of(booked["number"])
    assert (order.payment_status, order.refund_vnd) == ("refund_due", order.total_vnd)
    page = client.get(f"/bookings/{booked['number']}?token={booked['token']}").get_data(as_text=True)
    assert booked["code"] not in page and "<figure class=\"voucher-code\">" not in page  # no QR for a dead voucher
    sound()


def test_host_cancels_an_unpaid_online_booking_then_the_money_arrives(client, session, homestay, shop):
    _stay, _tea, host = homestay
    booked = book(client, session.id, payment="vietqr")
    run(experiences.cancel_session, host, db.session.get(ExperienceSession, session.id), "Lũ")
    assert run(orders.mark_paid, order_of(booked["number"])) == "refund_due"
    assert order_of(booked["number"]).refund_vnd == 900_000
    sound()


def test_kept_all_then_kept_half_then_the_office_refunds_what_is_owed(client, homestay, shop):
    stay, _tea, host = homestay
    [keep_all] = run(experiences.schedule, host, stay, plan(starts_at=in_days(1, 20), late_refund_percent=0))
    [keep_half] = run(experiences.schedule, host, stay, plan(starts_at=in_days(1, 21), late_refund_percent=50))
    first = paid(client, keep_all.id)
    client.post(f"/bookings/{first['number']}/cancel", data={"token": first["token"]})
    order = order_of(first["number"])
    assert (order.payment_status, order.refund_vnd, order.parts[0].kept_vnd) == ("paid", 0, 900_000)
    sound()
    second = paid(client, keep_half.id, n=7)
    client.post(f"/bookings/{second['number']}/cancel", data={"token": second["token"]})
    from marketplace.orders import refunds
    office = officer(province_code=14, email="office14@ocop.vn")
    with pytest.raises(refunds.RefundError):
        run(refunds.record, office, order_of(first["number"]), "bank_transfer", None, "CK-1")
    with pytest.raises(refunds.RefundError):
        run(refunds.record, office, order_of(second["number"]), "bank_transfer", 450_001, "CK-2")
    run(refunds.record, office, order_of(second["number"]), "bank_transfer", None, "CK-3")
    order = order_of(second["number"])
    assert (order.payment_status, order.refunded_vnd, order.refund_vnd) == ("paid", 450_000, 0)  # half kept
    sound()


def test_a_late_cancellation_of_a_card_booking_keeps_the_policy_and_balances(client, homestay, shop):
    stay, _tea, host = homestay
    [tomorrow] = run(experiences.schedule, host, stay, plan(starts_at=in_days(1, 20), late_refund_percent=50))
    booked = book(client, tomorrow.id, payment="card")
    run(orders.mark_paid, order_of(booked["number"]))
    client.post(f"/bookings/{booked['number']}/cancel", data={"token": booked["token"]})
    order = order_of(booked["number"])
    assert (order.payment_status, order.refund_vnd, order.parts[0].kept_vnd) == ("refund_due", 450_000, 450_000)
    sound()


def test_the_sellers_orders_page_cancels_a_booking_like_the_host_would(client, session, homestay, shop):
    stay, _tea, _host = homestay
    booked = paid(client, session.id)
    seller_signs_in(client, stay.seller)
    part_id = booking_of(booked["number"]).part_id
    assert client.post(f"/seller/orders/{part_id}", data={"action": "cancel", "reason": "Hết phòng"}).status_code == 303
    assert booking_of(booked["number"]).state == "cancelled" and seats_taken(session.id) == 0
    order = order_of(booked["number"])
    assert (order.payment_status, order.refund_vnd) == ("refund_due", 900_000)
    for action in ("confirm", "pack", "ship", "deliver", "hand_over", "return"):
        client.post(f"/seller/orders/{part_id}", data={"action": action})
    assert order_of(booked["number"]).parts[0].state == "cancelled"
    sound()


def test_a_checked_in_booking_cannot_be_cancelled_by_anyone(client, session, homestay, shop):
    stay, _tea, host = homestay
    booked = paid(client, session.id)
    move_start(session.id, utcnow() + dt.timedelta(hours=1))
    run(experiences.check_in, host, booked["code"])
    client.post(f"/bookings/{booked['number']}/cancel", data={"token": booked["token"]})
    client.post(f"/orders/{booked['number']}/cancel", data={"token": booked["token"]})
    seller_signs_in(client, stay.seller)
    client.post(f"/seller/orders/{booking_of(booked['number']).part_id}", data={"action": "cancel", "reason": "x"})
    assert booking_of(booked["number"]).state == "checked_in"
    assert order_of(booked["number"]).payment_status == "paid"
    sound()


def test_an_unpaid_online_booking_cannot_be_checked_in_or_marked_absent(client, session, homestay, shop):
    _stay, _tea, host = homestay
    booked = book(client, session.id, payment="vietqr")
    move_start(session.id, utcnow() - dt.timedelta(minutes=5))
    with pytest.raises(experiences.CheckInError, match="unpaid"):
        run(experiences.check_in, host, booked["code"])
    with pytest.raises(experiences.CheckInError, match="unpaid"):
        run(experiences.mark_no_show, host, booking_of(booked["number"]))
    sound()


# --- Time --------------------------------------------------------------------------------------------------

def test_a_session_at_half_past_midnight_is_on_its_own_vietnam_day(client, homestay):
    stay, _tea, host = homestay
    day = ocop.today() + dt.timedelta(days=4)
    starts = dt.datetime.combine(day, dt.time(0, 30), ocop.VN_TZ)
    [night] = run(experiences.schedule, host, stay, plan(starts_at=starts, duration_minutes=120))
    booked = book(client, night.id)
    voucher = client.get(f"/bookings/{booked['number']}?token={booked['token']}").get_data(as_text=True)
    assert "00:30" in voucher
    seller_signs_in(client, stay.seller)
    assert "Emma Laurent" in client.get(f"/seller/experiences/day?day={day.isoformat()}").get_data(as_text=True)
    before = (day - dt.timedelta(days=1)).isoformat()
    assert "Emma Laurent" not in client.get(f"/seller/experiences/day?day={before}").get_data(as_text=True)
    with pytest.raises(experiences.CheckInError, match="not_today"):
        run(experiences.check_in, host, booked["code"], now=starts - dt.timedelta(hours=3, seconds=1))
    with pytest.raises(experiences.CheckInError, match="not_today"):
        run(experiences.check_in, host, booked["code"], now=starts + dt.timedelta(minutes=121))
    assert run(experiences.check_in, host, booked["code"], now=starts - dt.timedelta(hours=3)).state == "checked_in"


# --- Two at once ---------------------------------------------------------------------------------------------

def _host_clients(app, seller, n):
    return clients(app, *[f"seller{seller.id}@example.vn"] * n)


def test_two_phones_check_in_one_code_at_once_once(app, client, session, homestay):
    stay, _tea, _host = homestay
    booked = book(client, session.id)
    move_start(session.id, utcnow() + dt.timedelta(hours=1))
    phones = _host_clients(app, stay.seller, 2)
    outcomes = at_once([(phone, "/seller/experiences/check-in", {"code": booked["code"]}) for phone in phones])
    assert sorted(outcomes) == ["done", "refused"]
    order = order_of(booked["number"])
    assert (booking_of(booked["number"]).state, order.payment_status) == ("checked_in", "paid")
    sound()


def test_two_cancels_of_one_booking_at_once_refund_once(app, session, homestay, shop):
    client = app.test_client()
    booked = paid(client, session.id)
    taps = [app.test_client() for _ in range(3)]
    at_once([(tap, f"/bookings/{booked['number']}/cancel", {"token": booked["token"]}) for tap in taps])
    order = order_of(booked["number"])
    assert (order.payment_status, order.refund_vnd) == ("refund_due", 900_000) and seats_taken(session.id) == 0
    sound()


def test_the_host_cancels_a_session_while_visitors_book_it(app, session, homestay):
    stay, _tea, _host = homestay
    [phone] = _host_clients(app, stay.seller, 1)
    visitors = [app.test_client() for _ in range(6)]

    session_id = session.id
    start, got = threading.Barrier(7), []  # the visitors post JSON (at_once posts forms): threads of our own

    def host():
        start.wait()
        got.append(("host", phone.post(f"/seller/experiences/sessions/{session_id}/cancel",
                                       data={"reason": "Bão"}).status_code))

    def visit(n):
        start.wait()
        got.append(("visitor", visitors[n].post("/api/v1/bookings", json=body(session_id, n=n)).status_code))

    threads = [threading.Thread(target=host)] + [threading.Thread(target=visit, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(code in (201, 303, 409) for _who, code in got), got
    db.session.expire_all()
    assert db.session.get(ExperienceSession, session.id).state == "cancelled"
    assert db.session.scalar(select(db.func.count(Booking.id)).where(Booking.state == "booked")) == 0
    assert seats_taken(session.id) == 0
    sound()


def test_visitors_cancel_while_the_host_cancels_the_session(app, session, homestay, shop):
    """Opposite lock orders: a visitor's cancel locks the order, then the session row (seats back); the host's
    cancel locks the session row, then each order. On PostgreSQL they deadlock; `run` retries once, and a second
    deadlock answers 503 to a visitor (or the host: the session is then not cancelled)."""
    stay, _tea, _host = homestay
    visitor = app.test_client()
    booked = [paid(visitor, session.id, people=1, n=n) for n in range(8)]
    [phone] = _host_clients(app, stay.seller, 1)
    posts = [(phone, f"/seller/experiences/sessions/{session.id}/cancel", {"reason": "Bão"})]
    posts += [(app.test_client(), f"/bookings/{b['number']}/cancel", {"token": b["token"]}) for b in booked]
    codes = at_once(posts, answer="status")
    assert codes == [303] * len(posts), codes
    for b in booked:
        order = order_of(b["number"])
        assert (order.payment_status, order.refund_vnd) == ("refund_due", 450_000)  # free time: all back
    assert seats_taken(session.id) == 0
    sound()


def test_the_host_cancels_the_session_while_another_phone_checks_visitors_in(app, session, homestay):
    """The same opposite lock orders: a check-in claims the booking, then locks the order; cancelling the session
    locks the orders, then claims each booking."""
    stay, _tea, _host = homestay
    visitor = app.test_client()
    booked = [book(visitor, session.id, people=1, n=n) for n in range(8)]
    move_start(session.id, utcnow() + dt.timedelta(hours=1))
    phones = _host_clients(app, stay.seller, 9)
    posts = [(phones[0], f"/seller/experiences/sessions/{session.id}/cancel", {"reason": "Bão"})]
    posts += [(phone, "/seller/experiences/check-in", {"code": b["code"]}) for phone, b in zip(phones[1:], booked)]
    codes = at_once(posts, answer="status")
    assert codes == [303] * len(posts), codes
    assert db.session.get(ExperienceSession, session.id).state == "cancelled"
    assert {booking_of(b["number"]).state for b in booked} <= {"checked_in", "cancelled"}
    sound()


def test_a_visitor_cancels_while_the_host_checks_them_in(app, homestay, shop):
    """Inside the late window (policy 50 %) and the check-in window at once: one of them wins, wholly."""
    stay, _tea, host = homestay
    [soon] = run(experiences.schedule, host, stay, plan(starts_at=in_days(1, 20), late_refund_percent=50))
    visitor = app.test_client()
    booked = paid(visitor, soon.id)
    move_start(soon.id, utcnow() + dt.timedelta(hours=1))
    [phone] = _host_clients(app, stay.seller, 1)
    at_once([(phone, "/seller/experiences/check-in", {"code": booked["code"]}),
             (app.test_client(), f"/bookings/{booked['number']}/cancel", {"token": booked["token"]})],
            answer="status")
    booking, order = booking_of(booked["number"]), order_of(booked["number"])
    assert (booking.state, order.payment_status) in (("checked_in", "paid"), ("cancelled", "refund_due"))
    sound()


def test_the_expiry_races_the_payment(app, session, shop):
    from marketplace.orders.payments import expire_overdue
    visitor = app.test_client()
    booked = book(visitor, session.id, payment="vietqr")
    start, errors = threading.Barrier(2), []

    def expire():
        with app.app_context():
            start.wait()
            try:
                expire_overdue(utcnow() + dt.timedelta(hours=1))
            except Exception as error:
                errors.append(error)
            finally:
                db.session.remove()

    def pay():
        with app.app_context():
            start.wait()
            try:
                order = db.session.scalar(select(Order).where(Order.number == booked["number"]))
                run(orders.mark_paid, order)
            except Exception as error:
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=expire), threading.Thread(target=pay)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    booking, order = booking_of(booked["number"]), order_of(booked["number"])
    assert (booking.state, order.payment_status) in (("booked", "paid"), ("cancelled", "refund_due"))
    sound()


# --- The import ------------------------------------------------------------------------------------------

def _csv(path, rows, encoding="utf-8-sig"):
    from marketplace.experiences.importer import COLUMNS
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def test_the_import_keeps_formulas_as_text_refuses_other_encodings_and_other_hosts_rows(app, homestay, rival,
                                                                                        tmp_path):
    from marketplace.catalog.tables import ImportFileError
    from marketplace.experiences.importer import ImportRefused, import_file
    stay, _tea, _host = homestay
    when = f"{ocop.today() + dt.timedelta(days=6):%Y-%m-%d} 09:00"
    row = [stay.seller.registration_no, stay.name, when, "60", "10", "100000", "vi", "=HYPERLINK(\"http://x\")", ""]
    result = run(import_file, _csv(tmp_path / "bom.csv", [row]))  # a BOM, as Excel saves it
    assert result.created == 1
    made = db.session.scalar(select(ExperienceSession).where(ExperienceSession.starts_at > in_days(5)))
    assert made.meeting_point_vi == '=HYPERLINK("http://x")' and made.late_refund_percent == 0
    with pytest.raises(ImportFileError):
        run(import_file, _csv(tmp_path / "win.csv", [[*row[:7], "Nhà văn hoá", ""]], encoding="utf-16"))
    officer_of_other = officer(province_code=1, email="office1@ocop.vn")
    with pytest.raises(ImportRefused):
        run(import_file, _csv(tmp_path / "other.csv", [[*row[:2], when.replace("09", "10"), *row[3:]]]),
            officer=officer_of_other)
    for bad in (["", stay.name, when, "60", "10", "100000", "vi", "x", ""],
                [stay.seller.registration_no, stay.name, "2020-01-01 09:00", "60", "10", "100000", "vi", "x", ""],
                [stay.seller.registration_no, stay.name, when, "60", "10", "100000", "vi;xx", "x", ""],
                [stay.seller.registration_no, stay.name, when, "60", "10", "-1", "vi", "x", ""],
                [stay.seller.registration_no, stay.name, when, "６０", "10", "100000", "vi", "x", ""],
                [stay.seller.registration_no, "Trà Shan tuyết", when, "60", "10", "100000", "vi", "x", ""]):
        with pytest.raises(ImportRefused):
            run(import_file, _csv(tmp_path / "bad.csv", [bad]))
    assert db.session.scalar(select(db.func.count(ExperienceSession.id))) == 2  # the fixture's rival + the one
