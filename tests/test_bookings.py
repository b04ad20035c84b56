"""Booking an experience (issue 17): places in a session bought through the order pipeline, never oversold,
only while the experience is certified and before the cutoff; cancelled free or late by the visitor, or by
the host with everyone refunded; a voucher checked in once."""
import datetime as dt
import threading

import pytest
from sqlalchemy import select

from marketplace.experiences import services as experiences
from marketplace.experiences.models import Booking, ExperienceSession
from marketplace.extensions import db
from marketplace.orders.models import Order
from marketplace.outbox.models import OutboxEmail
from marketplace.settlements import check as ledger_check
from marketplace.unit_of_work import run

from .helpers import VISITOR, body, booking_of, in_days, paid, plan, seats_taken, seller_signs_in


@pytest.fixture
def session(homestay):
    stay, _tea, host = homestay
    [made] = run(experiences.schedule, host, stay, plan(capacity=10, child_price_vnd=200_000, late_refund_percent=50))
    return made


def test_the_api_books_places_and_the_voucher_has_a_code_a_qr_and_a_calendar_file(client, session, spec):
    from .test_api import valid
    answer = client.post("/api/v1/bookings", json=body(session.id, people=3, children=1))
    assert answer.status_code == 201, answer.get_json()
    booked = answer.get_json()
    assert valid(spec, "Booking", booked)
    assert booked["total_vnd"] == 2 * 450_000 + 200_000 and booked["session"]["seats_left"] == 7
    lapses = (session.ends_at + dt.timedelta(hours=24)).isoformat()  # unless the host records the visit
    assert booked["payment"] == {"method": "on_site", "status": "unpaid", "due_at": lapses}
    assert seats_taken(session.id) == 3
    order = db.session.scalar(select(Order).where(Order.number == booked["number"]))
    assert order.delivery_vnd == 0 and order.parts[0].booking and order.contact_phone == "+33612345678"
    voucher = client.get(booked["voucher_url"].split("localhost", 1)[-1])
    page = voucher.get_data(as_text=True)
    assert voucher.status_code == 200 and booked["code"] in page and "<svg" in page
    assert "Nhà văn hoá bản Áng" in page
    ics = client.get(f"/bookings/{booked['number']}.ics?token={booked['token']}")
    text = ics.get_data(as_text=True)
    assert ics.mimetype == "text/calendar" and "BEGIN:VEVENT" in text
    assert f"DTSTART:{session.starts_at.astimezone(dt.UTC):%Y%m%dT%H%M%S}Z" in text
    assert client.get(f"/bookings/{booked['number']}?token=wrong").status_code == 404
    receipt = client.get(f"/orders/{booked['number']}?token={booked['token']}&lang=en").get_data(as_text=True)
    assert "Ang village hall, Moc Chau" in receipt and "/bookings/" in receipt  # the order page links the voucher
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.to == VISITOR["email"]))
    assert booked["code"] in email.body and booked["number"] in email.subject


def test_thirty_visitors_booking_two_places_of_ten_at_once_get_five_bookings(app, session):
    session_id, start, answers = session.id, threading.Barrier(30), []

    def book(n):
        client = app.test_client()
        start.wait()
        sent = body(session_id, contact=VISITOR | {"phone": f"+84 912 000 {n:03d}", "email": f"v{n}@example.com"})
        answer = client.post("/api/v1/bookings", json=sent)
        answers.append((answer.status_code, answer.get_json()))

    threads = [threading.Thread(target=book, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _ in answers) == [201] * 5 + [409] * 25
    assert experiences.seat_problems() == []
    assert {(got["error"], got["seats_left"]) for status, got in answers if status == 409} == {("sold_out", 0)}
    assert seats_taken(session_id) == 10
    assert db.session.scalar(select(db.func.count(Booking.id))) == 5


def test_a_past_session_one_inside_the_cutoff_and_one_of_an_unlisted_experience_are_refused(app, client, session,
                                                                                              homestay):
    stay, _tea, _host = homestay
    app.config["BOOKING_CUTOFF_HOURS"] = 24 * 5  # booking closed five days before: this one (in three) is closed
    try:
        answer = client.post("/api/v1/bookings", json=body(session.id))
        assert answer.status_code == 409 and answer.get_json()["error"] == "closed"
        assert client.get(f"/experiences/sessions/{session.id}/book").status_code == 410
    finally:
        app.config["BOOKING_CUTOFF_HOURS"] = 12
    stay.records[0].revoked_at = dt.datetime.now(dt.UTC)
    db.session.commit()
    assert client.post("/api/v1/bookings", json=body(session.id)).get_json()["error"] == "closed"
    past = ExperienceSession(product_id=stay.id, starts_at=in_days(-1), duration_minutes=60, capacity=5,
                             price_vnd=100_000, languages="vi", meeting_point_vi="Bản Áng", max_party=5)
    db.session.add(past)
    db.session.commit()
    assert client.post("/api/v1/bookings", json=body(past.id)).get_json()["error"] == "closed"
    assert seats_taken(session.id) == 0 and db.session.scalar(select(db.func.count(Order.id))) == 0


def test_every_bad_field_is_named_and_nothing_is_booked(client, session):
    answer = client.post("/api/v1/bookings", json={"session_id": session.id, "people": 0, "children": -1,
                                                   "contact": {"name": "", "phone": "12", "email": "no"},
                                                   "payment": "bitcoin"})
    assert answer.status_code == 422
    fields = answer.get_json()["fields"]
    assert {"people", "children", "contact.name", "contact.phone", "contact.email", "payment"} <= set(fields)
    too_big = client.post("/api/v1/bookings", json=body(session.id, people=11))
    assert too_big.status_code == 422 and "people" in too_big.get_json()["fields"]
    unknown = client.post("/api/v1/bookings", json=body(999_999))
    assert unknown.status_code == 422 and "session_id" in unknown.get_json()["fields"]
    wrong_language = client.post("/api/v1/bookings", json=body(session.id, language="ko"))
    assert wrong_language.status_code == 422 and "language" in wrong_language.get_json()["fields"]
    assert seats_taken(session.id) == 0 and db.session.scalar(select(db.func.count(Order.id))) == 0


def test_a_retried_request_with_the_same_idempotency_key_books_once(client, session):
    first = client.post("/api/v1/bookings", json=body(session.id), headers={"Idempotency-Key": "abc-123"})
    again = client.post("/api/v1/bookings", json=body(session.id), headers={"Idempotency-Key": "abc-123"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["number"] == again.get_json()["number"] and seats_taken(session.id) == 2


def test_an_unpaid_online_booking_expires_and_gives_its_places_back(client, session, shop):
    booked = client.post("/api/v1/bookings", json=body(session.id, payment="vietqr")).get_json()
    assert booked["payment"]["status"] == "unpaid" and booked["payment"]["vietqr"]["amount_vnd"] == 900_000
    assert seats_taken(session.id) == 2
    from marketplace.orders.payments import expire_overdue
    assert expire_overdue(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)) == 1
    assert seats_taken(session.id) == 0 and booking_of(booked["number"]).state == "cancelled"


def test_a_visitor_cancels_free_until_48_hours_before_then_under_the_hosts_policy(client, session, homestay, shop):
    booked = paid(client, session.id)  # three days ahead: free
    assert client.post(f"/bookings/{booked['number']}/cancel", data={"token": booked["token"]}).status_code == 303
    order = db.session.scalar(select(Order).where(Order.number == booked["number"]))
    assert (order.payment_status, order.refund_vnd) == ("refund_due", 900_000) and seats_taken(session.id) == 0

    stay, _tea, host = homestay
    [tomorrow] = run(experiences.schedule, host, stay, plan(starts_at=in_days(1, 20), late_refund_percent=50))
    late = paid(client, tomorrow.id)
    page = client.get(f"/bookings/{late['number']}?token={late['token']}").get_data(as_text=True)
    assert "50%" in page  # the visitor reads what the host keeps before cancelling
    client.post(f"/bookings/{late['number']}/cancel", data={"token": late["token"]})
    order = db.session.scalar(select(Order).where(Order.number == late["number"]))
    assert (order.payment_status, order.refund_vnd, order.parts[0].kept_vnd) == ("refund_due", 450_000, 450_000)
    assert seats_taken(tomorrow.id) == 0
    assert ledger_check.problems() == []  # the kept half went to the host, the rest is owed back
    again = client.post(f"/bookings/{late['number']}/cancel", data={"token": late["token"]})
    assert again.status_code == 303 and booking_of(late["number"]).state == "cancelled"  # once


def test_the_host_cancels_a_session_and_every_visitor_is_told_and_refunded(client, session, homestay, shop):
    stay, _tea, _host = homestay
    on_site = client.post("/api/v1/bookings", json=body(session.id)).get_json()
    by_vietqr = paid(client, session.id)
    seller_signs_in(client, stay.seller)
    answer = client.post(f"/seller/experiences/sessions/{session.id}/cancel", data={"reason": "Bão số 5"})
    assert answer.status_code == 303
    assert seats_taken(session.id) == 0 and db.session.get(ExperienceSession, session.id).state == "cancelled"
    assert booking_of(on_site["number"]).state == booking_of(by_vietqr["number"]).state == "cancelled"
    assert experiences.seat_problems() == []
    paid_order = db.session.scalar(select(Order).where(Order.number == by_vietqr["number"]))
    assert (paid_order.payment_status, paid_order.refund_vnd) == ("refund_due", 900_000)
    told = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to == VISITOR["email"],
                                                        OutboxEmail.body.contains("Bão số 5"))).all()
    assert len(told) == 2
    assert client.post("/api/v1/bookings", json=body(session.id)).get_json()["error"] == "closed"
    assert ledger_check.problems() == []


def test_the_host_checks_a_visitor_in_once_on_the_day_and_records_no_shows(client, homestay, make, clock):
    stay, _tea, host = homestay
    [today] = run(experiences.schedule, host, stay, plan(starts_at=in_days(2, 9)))
    came = client.post("/api/v1/bookings", json=body(today.id)).get_json()
    absent = client.post("/api/v1/bookings", json=body(today.id, contact=VISITOR | {"email": "b@example.com"})).get_json()
    seller_signs_in(client, stay.seller)
    early = client.post("/seller/experiences/check-in", data={"code": came["code"]}, follow_redirects=True)
    assert "not now" in early.get_data(as_text=True) or "không phải" in early.get_data(as_text=True)
    assert booking_of(came["number"]).state == "booked"
    later = today.starts_at + dt.timedelta(minutes=10)
    scanned = experiences.check_in_url(booking_of(came["number"]))  # what the voucher's QR code holds
    assert f'value="{came["code"].replace("-", "")}"' in client.get(scanned.split("localhost", 1)[-1]).get_data(as_text=True)
    done = run(experiences.check_in, host, scanned, now=later)
    assert done.state == "checked_in"
    order = booking_of(came["number"]).order
    assert (order.payment_status, order.parts[0].state) == ("paid", "delivered")  # collected on arrival
    with pytest.raises(experiences.CheckInError, match="already"):
        run(experiences.check_in, host, came["code"].lower(), now=later)  # typed, in lower case
    other = make.seller(legal_name="HTX Gốm Bát Tràng", province_code=1)
    from .helpers import find_user_of
    with pytest.raises(experiences.CheckInError, match="unknown"):
        run(experiences.check_in, find_user_of(other), absent["code"], now=later)
    run(experiences.mark_no_show, host, booking_of(absent["number"]), now=later)
    gone = booking_of(absent["number"])
    assert gone.state == "no_show" and gone.order.payment_status == "cancelled"  # nothing paid, nothing owed
    assert seats_taken(today.id) == 4  # their places stay taken: the session happened
    assert experiences.seat_problems() == []
    day = client.get(f"/seller/experiences/day?day={today.starts_at.date().isoformat()}").get_data(as_text=True)
    assert "Emma Laurent" in day
    orders_page = client.get("/seller/orders").get_data(as_text=True)  # the host's orders list the bookings too
    assert came["code"] in orders_page and absent["code"] in orders_page


def test_an_experience_is_booked_by_date_never_put_in_the_cart_or_ordered_as_goods(client, homestay):
    stay, _tea, _host = homestay
    client.post("/cart/add", data={"product_id": stay.id, "quantity": 1})
    assert "Homestay" not in client.get("/cart").get_data(as_text=True)
    answer = client.post("/api/v1/orders", json={
        "items": [{"product_id": stay.id, "quantity": 1}], "contact": VISITOR, "payment": "cod",
        "address": {"province": "14", "ward": "Mộc Châu", "street": "1 Đường A"}})
    assert answer.status_code == 422 and "items[0].product_id" in answer.get_json()["fields"]


def test_visitors_are_told_once_when_the_experience_loses_its_recognition(client, session, homestay):
    stay, _tea, _host = homestay
    booked = client.post("/api/v1/bookings", json=body(session.id)).get_json()
    stay.records[0].revoked_at = dt.datetime.now(dt.UTC)
    db.session.commit()
    from marketplace.experiences.jobs import tell_unlisted_bookings
    assert tell_unlisted_bookings() == 1 and tell_unlisted_bookings() == 0
    told = db.session.scalars(select(OutboxEmail).where(OutboxEmail.to == VISITOR["email"])).all()
    assert any("OCOP" in email.subject for email in told)
    client.post(f"/bookings/{booked['number']}/cancel", data={"token": booked["token"]})
    assert booking_of(booked["number"]).state == "cancelled"  # free, whenever: the recognition ended


def test_a_cancelled_card_booking_is_refunded_to_the_card_by_the_shop(client, session, shop):
    """Stripe is the local fake: the card payment is made there, and the refund asked there once."""
    from marketplace.orders.payments import refund_cancelled_bookings
    booked = client.post("/api/v1/bookings", json=body(session.id, payment="card")).get_json()
    assert booked["payment"]["checkout_url"]
    order = db.session.scalar(select(Order).where(Order.number == booked["number"]))
    from .test_payments import webhook
    paid = shop.complete(next(iter(shop.sessions)))  # the visitor pays on Stripe's page; its webhook says so
    assert webhook(client, shop.event("checkout.session.completed", paid)).get_json() == {"outcome": "paid"}
    db.session.expire_all()
    assert db.session.get(Order, order.id).payment_status == "paid"
    client.post(f"/bookings/{booked['number']}/cancel", data={"token": booked["token"]})
    refund_cancelled_bookings()  # what the queued job does (and the periodic one, should it be lost)
    assert refund_cancelled_bookings() == 0  # asked once
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert (order.payment_status, order.refunded_vnd) == ("refunded", 900_000)
    assert ledger_check.problems() == []


def test_the_seats_check_finds_a_session_whose_seats_do_not_match_its_bookings(app, client, session):
    client.post("/api/v1/bookings", json=body(session.id, people=3))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["experiences", "check"]).exit_code == 0
    db.session.execute(db.update(ExperienceSession).values(seats_taken=ExperienceSession.seats_taken + 1))
    db.session.commit()  # a seat taken by hand, behind the bookings' back
    found = runner.invoke(args=["experiences", "check"])
    assert found.exit_code == 1 and f"session {session.id}: 4 seats taken, 3 booked" in found.output


def test_the_office_refunds_a_late_cancelled_vietqr_booking_by_bank_transfer(client, homestay, shop):
    """The host keeps half under its policy; the office gives the other half back and the books balance."""
    from .helpers import office_signs_in
    stay, _tea, host = homestay
    [tomorrow] = run(experiences.schedule, host, stay, plan(starts_at=in_days(1, 20), late_refund_percent=50))
    late = paid(client, tomorrow.id)
    client.post(f"/bookings/{late['number']}/cancel", data={"token": late["token"]})
    office_signs_in(client, province_code=14)
    page = client.get(f"/office/orders/{late['number']}").get_data(as_text=True)
    assert "Homestay Bản Áng" in page and "450.000" in page and late["code"] in page  # the booking, not a parcel
    client.post(f"/office/orders/{late['number']}/refunds", data={"method": "bank_transfer", "reference": "FT26335"})
    order = db.session.scalar(select(Order).where(Order.number == late["number"]))
    assert (order.payment_status, order.refunded_vnd) == ("paid", 450_000)  # the host kept the rest: paid for that share, not "refunded"
    assert ledger_check.problems() == []
    from marketplace.settlements.services import owed_to
    assert owed_to(stay.seller_id) == 450_000  # the kept half, less a commission of 0 %
