"""Community-tourism experiences (issue 17, first part): a host schedules dated sessions of its own certified
group VI product; only sessions of a listable product, starting after the booking cutoff, are offered; seats
are claimed by one guarded update, so a session is never oversold, on either database."""
import datetime as dt
import threading

import pytest
from sqlalchemy import select

from marketplace import ocop
from marketplace.experiences import services as experiences
from marketplace.experiences.models import ExperienceSession
from marketplace.extensions import db
from marketplace.unit_of_work import run

from .helpers import find_user_of, in_days, plan


def test_a_host_schedules_a_session_or_a_weekly_series_of_its_own_experience(homestay, make):
    stay, tea, host = homestay
    [one] = run(experiences.schedule, host, stay, plan())
    assert (one.seats_left, one.language_codes, one.max_party) == (10, ["vi", "en"], 10)
    assert one.starts_at == in_days(3)  # kept in UTC, the same moment
    weekly = run(experiences.schedule, host, stay, plan(starts_at=in_days(4, 14)), weeks=4)
    assert [s.starts_at for s in weekly] == [in_days(4 + 7 * week, 14) for week in range(4)]
    for refused, changes, code in ((tea, {}, "not_experience"), (stay, {"starts_at": in_days(0, 1)}, "past"),
                                   (stay, {"languages": ["xx"]}, "languages"),
                                   (stay, {"min_party": 4, "max_party": 2}, "party")):
        with pytest.raises(experiences.ExperienceError, match=code):
            run(experiences.schedule, host, refused, plan(**changes))
    other = make.seller(legal_name="HTX Gốm Bát Tràng", province_code=1)
    with pytest.raises(PermissionError):
        run(experiences.schedule, find_user_of(other), stay, plan())
    assert db.session.scalar(select(db.func.count(ExperienceSession.id))) == 5


def test_only_sessions_of_a_listed_experience_starting_after_the_cutoff_are_offered(app, homestay):
    stay, _tea, host = homestay
    soon, later = run(experiences.schedule, host, stay, plan(starts_at=in_days(2)), weeks=2)
    assert [s.id for s in experiences.upcoming(stay.id)] == [soon.id, later.id]
    app.config["BOOKING_CUTOFF_HOURS"] = 24 * 3  # booking closes three days before: the first has closed
    assert [s.id for s in experiences.upcoming(stay.id)] == [later.id]
    assert not run(experiences.take_seats, soon.id, 2)
    app.config["BOOKING_CUTOFF_HOURS"] = 12
    stay.records[0].revoked_at = dt.datetime.now(dt.UTC)  # the recognition is revoked: nothing is offered
    db.session.commit()
    assert experiences.upcoming(stay.id) == [] and not run(experiences.take_seats, later.id, 2)


def test_thirty_visitors_booking_two_seats_of_ten_at_once_get_five_bookings(app, homestay):
    stay, _tea, host = homestay
    [session] = run(experiences.schedule, host, stay, plan(capacity=10))
    session_id, start, answers = session.id, threading.Barrier(30), []

    def book():
        with app.app_context():
            start.wait()
            answers.append(run(experiences.take_seats, session_id, 2))

    threads = [threading.Thread(target=book) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [False] * 25 + [True] * 5
    db.session.expire_all()
    assert db.session.get(ExperienceSession, session_id).seats_taken == 10
    run(experiences.release_seats, session_id, 2)
    assert experiences.seats_left(session_id) == 2


def test_a_host_adds_a_weekly_session_from_the_console_and_sees_its_seats(client, homestay):
    from .helpers import seller_signs_in
    stay, _tea, _host = homestay
    seller_signs_in(client, stay.seller)
    page = client.get("/seller/experiences")
    assert page.status_code == 200 and "Homestay Bản Áng" in page.text and "Trà Shan tuyết" not in page.text
    day = (ocop.today() + dt.timedelta(days=5)).strftime("%d/%m/%Y")
    form = {"product": stay.id, "day": day, "time": "14:00", "duration_minutes": "1440", "capacity": "8",
            "price_vnd": "450.000", "languages": ["vi", "en"], "meeting_point_vi": "Nhà văn hoá bản Áng",
            "min_party": "1", "weeks": "3"}
    answer = client.post("/seller/experiences", data=form)
    assert answer.status_code == 303, answer.text
    sessions = db.session.scalars(select(ExperienceSession).order_by(ExperienceSession.starts_at)).all()
    assert [(s.capacity, s.price_vnd, s.languages) for s in sessions] == [(8, 450_000, "vi;en")] * 3
    assert "0 / 8" in client.get("/seller/experiences").text
    refused = client.post("/seller/experiences", data=form | {"day": ocop.today().strftime("%d/%m/%Y"), "time": "00:01"})
    assert refused.status_code == 422 and db.session.scalar(select(db.func.count(ExperienceSession.id))) == 3


def test_the_api_lists_bookable_experiences_and_their_sessions_as_documented(client, homestay, spec):
    from .test_api import valid
    stay, tea, host = homestay
    sessions = run(experiences.schedule, host, stay, plan(starts_at=in_days(2, 9)), weeks=7)
    answer = client.get("/api/v1/experiences", headers={"Accept-Language": "en"}).get_json()
    assert valid(spec, "ExperiencePage", answer) and answer["total"] == 1
    [item] = answer["items"]
    assert item["product_id"] == stay.id and len(item["next_sessions"]) == 5
    first = item["next_sessions"][0]
    assert first["starts_at"] == in_days(2, 9).isoformat() and first["starts_at"].endswith("+07:00")
    assert (first["seats_left"], first["price_vnd"], first["languages"]) == (10, 450_000, ["vi", "en"])
    assert first["meeting_point"] == "Ang village hall, Moc Chau"
    listed = client.get(f"/api/v1/experiences/{stay.id}/sessions").get_json()
    assert valid(spec, "ExperienceSessions", listed) and [s["id"] for s in listed["items"]] == [s.id for s in sessions]
    assert client.get(f"/api/v1/experiences/{tea.id}/sessions").status_code == 404  # not an experience
    stay.status = "archived"  # withdrawn by its host: gone from the API at once
    db.session.commit()
    assert client.get("/api/v1/experiences").get_json() == {"items": [], "total": 0}
    assert client.get(f"/api/v1/experiences/{stay.id}/sessions").status_code == 404


def test_the_demo_offers_three_experiences_with_sessions_over_the_next_four_weeks(app, client):
    from marketplace.demo.cli import load_demo
    load_demo()
    load_demo()  # safe to run twice: no second set of sessions
    answer = client.get("/api/v1/experiences").get_json()
    names = {item["name"] for item in answer["items"]}
    assert names == {"Homestay đồi chè Mộc Châu", "Trải nghiệm làm gốm Bát Tràng", "Một ngày nhà vườn Cầu Kè"}
    pottery = db.session.scalars(select(ExperienceSession).join(ExperienceSession.product)
                                 .where(ExperienceSession.product.has(name="Trải nghiệm làm gốm Bát Tràng"))).all()
    assert 9 <= len(pottery) <= 12  # three mornings a week for four weeks
    last = max(session.starts_at for session in pottery)
    assert last <= dt.datetime.combine(ocop.today() + dt.timedelta(days=28), dt.time(23, 59), ocop.VN_TZ)


def test_the_office_sees_its_provinces_sessions_and_not_the_others(client, homestay, make):
    from .helpers import officer, sign_in
    stay, _tea, host = homestay
    run(experiences.schedule, host, stay, plan())
    officer(province_code=14, email="office14@ocop.vn")
    sign_in(client, "office14@ocop.vn")
    page = client.get("/office/experiences")
    assert page.status_code == 200 and "Homestay Bản Áng" in page.text and "0 / 10" in page.text
    officer(province_code=1, email="office1@ocop.vn")
    sign_in(client, "office1@ocop.vn")
    assert "Homestay Bản Áng" not in client.get("/office/experiences").text
