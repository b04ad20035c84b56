"""Experiences this week (issue 17) on the home page and /gifts: every experience that can be booked with a session
in the coming seven days, under its host's province, with its sessions' Vietnam time, the places left and the
price per person from; nothing at all when there is none. What the booking rule does not offer is not shown, and
the guests' kept pages follow every change of the sessions on the next request."""
import datetime as dt
import re

import pytest
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import update

from marketplace import ocop
from marketplace.experiences import services as experiences
from marketplace.experiences import showcase
from marketplace.experiences.models import ExperienceSession
from marketplace.extensions import db
from marketplace.i18n import datetime, vnd
from marketplace.models_base import utcnow
from marketplace.unit_of_work import run

from . import test_browser
from .helpers import find_user_of

PAGES = ("/", "/gifts")
SON_LA = 14


@pytest.fixture
def homestay(make):
    """A 4★ homestay in Sơn La (group VI) with an English name, and its host's login."""
    seller = make.seller(legal_name="HTX Du lịch cộng đồng Bản Áng", province_code=SON_LA)
    stay = make.listed(seller=seller, name="Homestay Bản Áng", name_en="Ban Ang homestay", price_vnd=450_000,
                       group_code="VI")
    return stay, find_user_of(seller)


def in_days(days: int, hour: int = 8) -> dt.datetime:
    return dt.datetime.combine(ocop.today() + dt.timedelta(days=days), dt.time(hour), ocop.VN_TZ)


def plan(**changes) -> experiences.SessionPlan:
    return experiences.SessionPlan(**({"starts_at": in_days(3), "duration_minutes": 24 * 60, "capacity": 10,
                                       "price_vnd": 450_000, "languages": ["vi", "en"],
                                       "meeting_point_vi": "Nhà văn hoá bản Áng, Mộc Châu"} | changes))


def section(client, path: str, lang: str = "vi") -> str | None:
    """The page's "experiences this week" section, or None when the page has none."""
    answer = client.get(f"{path}?lang={lang}")
    assert answer.status_code == 200
    found = re.search(r'<section class="week".*?</section>', answer.get_data(as_text=True), re.S)
    return found.group(0) if found else None


def places(lang: str, left: int) -> str:
    with force_locale(lang):
        return ngettext("%(num)d place left", "%(num)d places left", left) if left else gettext("Full")


def test_a_bookable_session_this_week_is_on_the_home_page_and_gifts_in_both_languages(client, homestay):
    stay, host = homestay
    [session] = run(experiences.schedule, host, stay, plan(starts_at=in_days(3, 9)))
    assert run(experiences.take_seats, session.id, 3)
    for path in PAGES:
        for lang, name in (("vi", "Homestay Bản Áng"), ("en", "Ban Ang homestay")):
            shown = section(client, path, lang)
            assert shown is not None, (path, lang)
            with force_locale(lang):
                words = (gettext("Experiences this week"), name, "Sơn La", datetime(session.starts_at),
                         gettext("From %(price)s per person", price=vnd(450_000)), places(lang, 7))
            assert all(word in shown for word in words), (path, lang, [w for w in words if w not in shown])
            assert f'href="/products/{stay.id}' in shown and 'aria-label="4' in shown  # the link, the stars
            assert f'datetime="{in_days(3, 9).isoformat()}"' in shown  # Vietnam time, +07:00
        assert "Ban Ang homestay" not in section(client, path, "vi")
    english = section(client, "/", "en")
    assert "From ₫450,000 per person" in english and "7 places left" in english
    assert f"09:00, {in_days(3).day} {in_days(3):%b %Y}" in english
    assert f"09:00 ngày {in_days(3):%d/%m/%Y}" in section(client, "/", "vi")


@pytest.mark.parametrize("why", ["beyond the week", "booking closed", "closing while a kept page is served",
                                 "cancelled", "recognition revoked", "product withdrawn"])
def test_a_session_the_booking_rule_does_not_offer_this_week_is_not_shown(app, client, homestay, monkeypatch, why):
    """Nothing rendered at all when no session is left."""
    stay, host = homestay
    hours = app.config["BOOKING_CUTOFF_HOURS"]
    starts_at = {"beyond the week": in_days(8), "booking closed": in_days(2),
                 "closing while a kept page is served": utcnow() + dt.timedelta(hours=hours, minutes=30)}
    [session] = run(experiences.schedule, host, stay, plan(starts_at=starts_at.get(why, in_days(3))))
    if why == "booking closed":
        monkeypatch.setitem(app.config, "BOOKING_CUTOFF_HOURS", 24 * 3)  # closes three days before: closed
    elif why == "cancelled":
        experiences.SESSION.apply(session, "cancel", actor_id=host.id, reason="Lũ quét trên đường lên bản")
        db.session.commit()
    elif why == "recognition revoked":
        stay.records[0].revoked_at = utcnow()
        db.session.commit()
    elif why == "product withdrawn":
        stay.status = "archived"
        db.session.commit()
    for path in PAGES:
        for lang in ("vi", "en"):
            assert section(client, path, lang) is None, (path, lang)


def test_a_session_is_shown_while_its_booking_stays_open_longer_than_a_kept_page_lives(app, client, homestay):
    stay, host = homestay
    kept = app.config["PAGE_CACHE_SECONDS"]
    soon = utcnow() + dt.timedelta(hours=app.config["BOOKING_CUTOFF_HOURS"], seconds=kept + 600)
    [session] = run(experiences.schedule, host, stay, plan(starts_at=soon))
    assert session.starts_at == soon and section(client, "/") is not None


def test_an_expired_recognition_drops_the_experience_from_kept_pages_the_next_day(client, homestay, clock):
    stay, host = homestay
    stay.records[0].valid_until = ocop.today() + dt.timedelta(days=1)  # no longer holds from tomorrow
    db.session.commit()
    run(experiences.schedule, host, stay, plan(starts_at=in_days(4)))
    assert all(section(client, path) is not None for path in PAGES)  # kept
    clock(ocop.today() + dt.timedelta(days=1))  # time alone: nothing is written
    assert all(section(client, path) is None for path in PAGES)


def test_a_full_session_says_full(client, homestay):
    stay, host = homestay
    [full] = run(experiences.schedule, host, stay, plan(starts_at=in_days(2), capacity=4))
    run(experiences.schedule, host, stay, plan(starts_at=in_days(4), capacity=4))
    assert run(experiences.take_seats, full.id, 4)
    for lang in ("vi", "en"):
        shown = section(client, "/gifts", lang)
        assert places(lang, 0) in shown and places(lang, 4) in shown
        assert shown.index(places(lang, 0)) < shown.index(places(lang, 4))  # soonest first
    assert "Full" in section(client, "/", "en")


def _queries(client, path: str) -> int:
    return int(client.get(path).headers["X-Query-Count"])


@pytest.mark.parametrize("path", PAGES)
def test_kept_pages_follow_a_new_session_seats_taken_and_a_cancellation(client, homestay, path):
    stay, host = homestay
    first, again = _queries(client, f"{path}?lang=vi"), _queries(client, f"{path}?lang=vi")
    assert again < first and section(client, path) is None  # kept: what follows is not a page rendered anew
    [session] = run(experiences.schedule, host, stay, plan(starts_at=in_days(2)))
    assert places("vi", 10) in (section(client, path) or "")
    assert run(experiences.take_seats, session.id, 6)  # one guarded UPDATE of experience_sessions, nothing else
    assert places("vi", 4) in (section(client, path) or "")
    db.session.execute(update(ExperienceSession).where(ExperienceSession.id == session.id)
                       .values(state="cancelled"))  # a bulk statement, not the ORM: counted all the same
    db.session.commit()
    assert section(client, path) is None


def test_a_page_kept_again_for_visitors_without_a_session_keeps_its_first_deadline(app, client, monkeypatch):
    """The section leaves out what closes within PAGE_CACHE_SECONDS because no kept page lives longer: kept
    again when its copy for visitors without a session is made, a page keeps the time it was made."""
    from marketplace import pagecache
    now, deadlines, keep = [pagecache.time.time()], [], pagecache.cache.set

    def kept(key, value, timeout=None):
        if key.startswith("page:"):
            deadlines.append(timeout)
        return keep(key, value, timeout=timeout)

    monkeypatch.setattr(pagecache.time, "time", lambda: now[0])
    monkeypatch.setattr(pagecache.cache, "set", kept)
    client.get("/lang/vi")
    client.get("/gifts")  # a visitor with a session (its language): the page is kept, not its blank copy
    now[0] += 50 * 60
    app.test_client().get("/gifts")  # the first visitor without a session, 50 minutes later: the blank copy
    assert len(deadlines) == 2 and deadlines[0] >= app.config["PAGE_CACHE_SECONDS"] - 2
    assert deadlines[1] <= app.config["PAGE_CACHE_SECONDS"] - 50 * 60


def test_this_week_groups_by_province_soonest_first_within_its_limits(make, homestay):
    stay, host = homestay
    potter = make.seller(legal_name="Gốm Minh Hải", province_code=1)
    pottery = make.listed(seller=potter, name="Làm gốm Bát Tràng", group_code="VI")
    tour = make.listed(seller=stay.seller, name="Đi bộ bản Áng", group_code="VI", stars=5)
    run(experiences.schedule, host, stay, plan(starts_at=in_days(4)), weeks=1)
    run(experiences.schedule, find_user_of(potter), pottery, plan(starts_at=in_days(2), price_vnd=250_000))
    run(experiences.schedule, find_user_of(potter), pottery, plan(starts_at=in_days(5), price_vnd=200_000))
    for day in range(2, 7):
        run(experiences.schedule, host, tour, plan(starts_at=in_days(day, 15), price_vnd=150_000))
    week = showcase.this_week()
    assert [(p.name, [e.listing.product.name for e in p.experiences]) for p in week] == [
        ("Hà Nội", ["Làm gốm Bát Tràng"]), ("Sơn La", ["Đi bộ bản Áng", "Homestay Bản Áng"])]
    assert week[0].experiences[0].price_from == 200_000
    assert [len(e.sessions) for e in week[1].experiences] == [3, 1]  # the next three of five
    assert [p.name for p in showcase.this_week(limit=1)] == ["Hà Nội"]


def test_the_home_pages_queries_do_not_grow_with_experiences(app, client, homestay, make, monkeypatch):
    stay, host = homestay
    run(experiences.schedule, host, stay, plan(starts_at=in_days(2)))
    monkeypatch.setitem(app.config, "PAGE_CACHE", False)
    one = _queries(client, "/")
    for province in ocop.PROVINCES[:4]:
        other = make.listed(seller=make.seller(province_code=int(province.code)), name=f"Trải nghiệm {province.code}",
                            group_code="VI")
        for day in (3, 5):
            run(experiences.schedule, find_user_of(other.seller), other, plan(starts_at=in_days(day)))
    assert len(showcase.this_week()) == 5 and _queries(client, "/") == one


# --- In Chromium: the demo's experiences on a phone and a desktop, in both languages ---------------------

browser, server, shop = test_browser.browser, test_browser.server, test_browser.shop


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_demos_experiences_this_week_fit_a_phone_and_a_desktop_and_pass_axe(browser, shop, lang):
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        for path in PAGES:
            page.goto(f"{shop}{path}?lang={lang}")
            week = page.locator("section.week")
            expect(week).to_be_visible()
            assert week.locator(".week-card").count() >= 1
            first = week.locator(".week-card").first
            assert re.search(r"\d{2}:\d{2}", first.locator("time").first.inner_text())
            for size in ({"width": 390, "height": 844}, {"width": 1280, "height": 800}):
                page.set_viewport_size(size)
                test_browser._fits_the_screen(page)
                test_browser.ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=test_browser.ARTIFACTS / f"week{path.replace('/', '-')}-{lang}-{size['width']}.png",
                                full_page=True)
            name = first.locator(".card-title").inner_text()
            results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "best-practice"]})
            serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
            assert not serious, [(v["id"], v["nodes"][0]["target"]) for v in serious]
            page.set_viewport_size({"width": 390, "height": 844})
        first.locator(".card-title a").click()
        expect(page.locator("h1")).to_have_text(name)
    finally:
        context.close()
