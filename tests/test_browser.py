"""Home → group → product in headless Chromium (Debian's package), in Vietnamese and English,
on a phone and a desktop. Screenshots land in test-artifacts/ for a person to look at."""
import datetime as dt
import os
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from marketplace import ocop
from marketplace.demo.cli import load_demo

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}
TEXT = {
    "vi": {"switch": "Tiếng Việt", "food": "Thực phẩm", "recognition": "Công nhận OCOP", "decision": "Số quyết định"},
    "en": {"switch": "English", "food": "Food", "recognition": "OCOP recognition", "decision": "Decision number"},
}
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium for the browser tests")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture
def server(app):
    """The app on a free local port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def shop(server):
    """The served app with the demo catalogue."""
    load_demo()
    return server


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", TEXT)
def test_home_group_product(browser, shop, lang, size):
    words = TEXT[lang]
    context = browser.new_context(viewport=SIZES[size], locale="en-US")
    page = context.new_page()
    try:
        page.goto(shop + "/")
        page.locator(".lang-menu summary").click()  # the globe opens the languages
        page.get_by_role("link", name=words["switch"], exact=True).click()
        expect(page.locator("html")).to_have_attribute("lang", lang)  # the new page, not the one clicked on
        _fits_the_screen(page)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"  # skip link first
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"home-{lang}-{size}.png", full_page=True)

        page.locator(".tiles a", has_text=words["food"]).first.click()
        expect(page.locator("h1")).to_have_text(re.compile("^" + re.escape(words["food"])))
        cards = page.locator(".grid .card")
        expect(cards.first).to_be_visible()
        _fits_the_screen(page)
        page.screenshot(path=ARTIFACTS / f"group-{lang}-{size}.png", full_page=True)

        name = cards.first.locator(".card-title").inner_text()
        cards.first.locator(".card-link").click()
        expect(page.locator("h1")).to_have_text(name)
        expect(page.get_by_role("heading", name=words["recognition"])).to_be_visible()
        expect(page.get_by_text(words["decision"])).to_be_visible()
        assert page.locator(".price strong").inner_text().strip().replace("\xa0", " ")[-1] == "₫" or lang == "en"
        assert page.locator(".product-media img").get_attribute("alt")
        _fits_the_screen(page)
        page.screenshot(path=ARTIFACTS / f"product-{lang}-{size}.png", full_page=True)
    finally:
        context.close()


def test_the_phone_header_is_two_rows_in_both_languages(browser, shop):
    """At 360 px the header keeps to the brand with its tools and the search box (≤ 120 px), the filters
    are folded above the results, and the menus open without a script."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    try:
        for lang in ("vi", "en"):
            page.goto(f"{shop}/products?lang={lang}")
            assert page.evaluate("document.querySelector('header').getBoundingClientRect().height") <= 120
            _fits_the_screen(page)
            expect(page.locator("details.fold")).not_to_have_attribute("open", "")
            assert page.locator(".grid .card").first.bounding_box()["y"] < 400  # results within the first screen
            page.locator(".groups-menu summary").click()
            expect(page.locator(".groups-menu .menu-list")).to_be_visible()
            page.locator(".groups-menu summary").click()
    finally:
        context.close()


def _fits_the_screen(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


@pytest.mark.parametrize("lang", TEXT)
def test_pages_pass_axe_accessibility_checks(browser, shop, lang):
    """axe-core (WCAG 2 A/AA rules: contrast, labels, alt text, landmarks, names) on every storefront
    page, at phone size, in both languages: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport=SIZES["phone"])
    page = context.new_page()
    try:
        page.goto(f"{shop}/lang/{lang}")
        product_url = page.locator(".grid .card-link").first.get_attribute("href")
        seller_url = page.locator(".card-seller a").first.get_attribute("href")
        trace_url = product_url.replace("/products/", "/trace/")
        for path in ("/", "/groups/I", "/groups/I.5?stars_min=4", product_url, trace_url, seller_url, "/products/0",
                     "/search?q=tra+shan+tuyet", "/search?q=ca+phe&group=I", "/search?q=nuoc+mma"):
            page.goto(shop + path)
            results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "best-practice"]})
            serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
            assert not serious, f"{path}: " + "; ".join(
                f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes, e.g. {v['nodes'][0]['target']})" for v in serious)
    finally:
        context.close()


@pytest.mark.parametrize("lang, query, expected", [("vi", "tra shan tuyet", "Shan Tuyết"), ("en", "coffee", "coffee")])
def test_search_from_the_header_on_a_phone(browser, shop, lang, query, expected):
    context = browser.new_context(viewport=SIZES["phone"])
    page = context.new_page()
    try:
        page.goto(f"{shop}/lang/{lang}")
        page.locator("#header-q").press_sequentially(query[:6], delay=30)
        suggestions = page.locator("#header-q-suggestions [role=option]")
        expect(suggestions.first).to_be_visible(timeout=5000)  # suggestions while typing, accents or not
        assert suggestions.count() <= 8
        expect(page.locator("#header-q-suggestions")).to_contain_text(expected, ignore_case=True)
        expect(page.locator("#header-q")).to_have_attribute("aria-expanded", "true")
        page.locator("#header-q").press("Escape")
        expect(page.locator("#header-q-suggestions")).to_be_hidden()
        page.locator("#header-q").fill(query)
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?q=*")
        assert page.locator("#search-q").input_value() == query
        expect(page.locator(".card-title mark").first).to_be_visible()
        expect(page.locator(".card-title").first).to_contain_text(expected, ignore_case=True)
        _fits_the_screen(page)
        page.screenshot(path=ARTIFACTS / f"search-{lang}-phone.png", full_page=True)
        page.locator("details.fold summary").click()  # on a phone the facets are folded below the search box
        page.locator(".facet-list a").first.click()  # narrow by the first group
        expect(page.locator(".active-filters a")).to_have_count(1)
    finally:
        context.close()


def test_sign_up_verification_first_listing_visible(browser, server, app, tmp_path):
    """A cooperative signs up, the office verifies it and records the council result, and the
    cooperative's first listing appears in the shop."""
    from tests.test_console import jpeg
    from tests.test_onboarding import PDF, form

    runner = app.test_cli_runner()
    created = runner.invoke(args=["accounts", "create-office", "canbo@ocop.vn", "--name", "Cán bộ OCOP",
                                  "--province", "Thái Nguyên", "--password", "mat-khau-van-phong"])
    assert created.exit_code == 0, created.output
    certificate, photo = tmp_path / "dkkd.pdf", tmp_path / "tra.jpg"
    certificate.write_bytes(PDF)
    photo.write_bytes(jpeg())
    fields = form()

    seller = browser.new_context(viewport=SIZES["phone"])
    office = browser.new_context(viewport=SIZES["desktop"], locale="vi-VN")
    try:
        page = seller.new_page()
        page.goto(f"{server}/lang/vi")
        page.get_by_role("link", name="Bán hàng cùng chúng tôi").click()
        for name in ("name", "email", "password", "password_again", "legal_name", "registration_no",
                     "representative", "phone", "ward", "street_address"):
            page.locator(f"#{name}").fill(fields[name])
        page.locator("#entity_type").select_option("cooperative")
        page.locator("#province").select_option("19")
        page.locator("#ward-options option").nth(50).wait_for(state="attached")  # the ward picker
        page.locator("#women_led").check()
        page.locator("#document").set_input_files(str(certificate))
        page.get_by_role("button", name="Gửi đăng ký").click()
        expect(page.locator("main")).to_contain_text("đang chờ Văn phòng OCOP tỉnh kiểm tra")
        _fits_the_screen(page)
        page.screenshot(path=ARTIFACTS / "seller-pending-phone.png", full_page=True)

        desk = office.new_page()
        desk.goto(f"{server}/account/sign-in")
        desk.locator("#email").fill("canbo@ocop.vn")
        desk.locator("#password").fill("mat-khau-van-phong")
        desk.get_by_role("button", name="Đăng nhập").click()
        desk.get_by_role("link", name=fields["legal_name"]).click()
        desk.get_by_role("button", name="Phê duyệt").click()
        expect(desk.locator("main")).to_contain_text("Đã lưu")

        page.goto(f"{server}/seller/products/new")
        page.locator("#name").fill("Trà búp Tân Cương")
        page.locator("#group_code").select_option("I.5")
        page.locator("#price_vnd").fill("250000")
        page.locator("#unit").fill("gói 200 g")
        page.locator("#status").select_option("active")
        page.locator("#photos").set_input_files(str(photo))
        page.get_by_role("button", name="Lưu").click()
        expect(page.locator("main")).to_contain_text("chưa có quyết định công nhận OCOP còn hiệu lực")

        desk.goto(f"{server}/office/products")
        desk.get_by_role("link", name="Trà búp Tân Cương").click()
        desk.locator("#stars").select_option("4")
        desk.locator("#score").fill("81")
        desk.locator("#decision_no").fill("1358/QĐ-UBND")
        desk.locator("#decision_date").fill("2026-01-15" if ocop.today() > dt.date(2026, 1, 15)
                                             else ocop.today().isoformat())
        desk.locator("#issuer").fill("UBND tỉnh Thái Nguyên")
        desk.get_by_role("button", name="Ghi nhận").click()
        expect(desk.locator("main")).to_contain_text("Đã ghi quyết định công nhận")
        desk.screenshot(path=ARTIFACTS / "office-product-desktop.png", full_page=True)

        shopper = browser.new_page(viewport=SIZES["phone"])
        shopper.goto(f"{server}/lang/vi")
        shopper.goto(f"{server}/groups/I.5")
        shopper.get_by_role("link", name="Trà búp Tân Cương").first.click()
        expect(shopper.locator("h1")).to_have_text("Trà búp Tân Cương")
        expect(shopper.locator("main")).to_contain_text("1358/QĐ-UBND")
        expect(shopper.locator("main")).to_contain_text("Phụ nữ làm chủ")
        shopper.close()

        from axe_playwright_python.sync_playwright import Axe
        for path in ("/office/dashboard", "/office/", "/office/products", "/office/import"):
            desk.goto(server + path)
            results = Axe().run(desk, options={"runOnly": ["wcag2a", "wcag2aa"]})
            serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
            assert not serious, f"{path}: {serious}"
        desk.goto(f"{server}/office/dashboard")
        desk.screenshot(path=ARTIFACTS / "office-dashboard-desktop.png", full_page=True)
        page.goto(f"{server}/seller/products")
        results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
        assert not [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    finally:
        seller.close()
        office.close()


@pytest.mark.parametrize("lang, words", [
    ("vi", {"search": "tra tan cuong", "add": "Thêm vào giỏ", "cart": "Giỏ hàng", "checkout": "Đặt hàng",
            "review": "Xem tổng tiền", "place": "Đặt hàng", "total": "Tổng cộng", "thanks": "Cảm ơn"}),
    ("en", {"search": "tan cuong tea", "add": "Add to cart", "cart": "Cart", "checkout": "Check out",
            "review": "See the total", "place": "Place the order", "total": "Total", "thanks": "Thank you"}),
])
def test_search_cart_checkout_cash_on_delivery(browser, shop, lang, words):
    context = browser.new_context(viewport=SIZES["phone"])
    page = context.new_page()
    failed = _watch(page)  # every request succeeds (an icon, the ward list before a province), no CSP refusal
    try:
        page.goto(f"{shop}/lang/{lang}")
        page.locator("#header-q").fill(words["search"])
        page.keyboard.press("Enter")
        page.locator(".card-link").first.click()
        page.get_by_role("button", name=words["add"]).click()
        cart = page.get_by_role("link", name=re.compile("^" + words["cart"]))
        expect(cart).to_contain_text("1")  # the header counts what is in the cart
        cart.click()
        page.get_by_role("link", name=words["checkout"], exact=True).click()
        page.locator("#name").fill("Nguyễn Văn An")
        page.locator("#phone").fill("0912 345 678")
        page.locator("#email").fill("an@example.vn")
        page.locator("#province").select_option("19")
        page.locator("#ward").fill("Phường Phan Đình Phùng")
        page.locator("#street").fill("12 Hoàng Văn Thụ")
        _fits_the_screen(page)
        page.get_by_role("button", name=words["review"]).click()  # the total, delivery included, first
        review = page.locator("#review")
        review.wait_for()
        assert words["total"] in review.inner_text() and "₫" in review.inner_text()
        _fits_the_screen(page)
        page.get_by_role("button", name=words["place"]).click()
        page.wait_for_url("**/orders/*")
        assert words["thanks"] in page.content() and failed == []
        _fits_the_screen(page)
        page.screenshot(path=ARTIFACTS / f"order-{lang}-phone.png", full_page=True)
        from axe_playwright_python.sync_playwright import Axe
        results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
        assert not [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    finally:
        context.close()


@pytest.mark.parametrize("lang, words", [
    ("vi", {"add": "Thêm vào giỏ", "review": "Xem tổng tiền", "place": "Đặt hàng", "pay": "Thanh toán",
            "paid": "Đã nhận thanh toán"}),
    ("en", {"add": "Add to cart", "review": "See the total", "place": "Place the order", "pay": "Pay",
            "paid": "Payment received"}),
])
def test_a_vietqr_order_on_a_phone_confirmed_by_the_office(browser, shop, app, monkeypatch, lang, words):
    """The buyer sees the QR with the amount and reference on a phone; the office confirms the transfer
    on a desktop; the buyer's page then says it is paid."""
    from marketplace.accounts.services import create_user
    from marketplace.extensions import db
    for key, value in {"VIETQR_BANK_BIN": "970436", "VIETQR_ACCOUNT_NO": "0011001234567",
                       "VIETQR_ACCOUNT_NAME": "TRUNG TAM XUC TIEN OCOP", "VIETQR_BANK_NAME": "Vietcombank"}.items():
        monkeypatch.setitem(app.config, key, value)
    with app.app_context():
        create_user("canbo@ocop.vn", "Cán bộ OCOP", "mat-khau-van-phong", role="office")
        db.session.commit()
    buyer = browser.new_context(viewport=SIZES["phone"])
    office = browser.new_context(viewport=SIZES["desktop"], locale="vi-VN")
    try:
        page = buyer.new_page()
        page.goto(f"{shop}/lang/{lang}")
        page.goto(f"{shop}/groups/I.5")
        page.locator(".card-link").first.click()
        page.get_by_role("button", name=words["add"]).click()
        page.goto(f"{shop}/checkout")
        for name, value in (("name", "Nguyễn Văn An"), ("phone", "0912 345 678"), ("email", "an@example.vn"),
                            ("ward", "Phường Phan Đình Phùng"), ("street", "12 Hoàng Văn Thụ")):
            page.locator(f"#{name}").fill(value)
        page.locator("#province").select_option("19")
        page.locator("input[name=payment][value=vietqr]").check()
        page.get_by_role("button", name=words["review"]).click()
        page.locator("#review").wait_for()
        page.get_by_role("button", name=words["place"]).click()
        page.wait_for_url("**/orders/*")
        qr = page.locator(".vietqr svg")
        assert qr.is_visible() and qr.bounding_box()["width"] >= 200  # big enough to scan from the screen
        number = page.locator("h1").inner_text().split()[-1]
        assert f"OCOP {number}" in page.content() and words["pay"] in page.locator("#pay-title").inner_text()
        _fits_the_screen(page)
        page.screenshot(path=ARTIFACTS / f"order-vietqr-{lang}-phone.png", full_page=True)
        from axe_playwright_python.sync_playwright import Axe
        results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
        assert not [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]

        desk = office.new_page()
        desk.goto(f"{shop}/account/sign-in")
        desk.locator("#email").fill("canbo@ocop.vn")
        desk.locator("#password").fill("mat-khau-van-phong")
        desk.get_by_role("button", name="Đăng nhập").click()
        desk.goto(f"{shop}/office/orders")
        row = desk.locator("tr", has_text=number)
        desk.screenshot(path=ARTIFACTS / "office-orders-desktop.png", full_page=True)
        row.get_by_role("button", name="Đã nhận chuyển khoản").click()
        expect(desk.locator("main")).to_contain_text("Đã ghi nhận thanh toán")
        desk.goto(f"{shop}/office/orders/{number}")  # the order's page: who did what, and when
        expect(desk.locator(".history")).to_contain_text("đã nhận thanh toán · bởi văn phòng OCOP")
        _look(desk, "office-order")

        page.reload()
        assert words["paid"] in page.content() and page.locator(".vietqr").count() == 0
    finally:
        buyer.close()
        office.close()


def test_a_counter_sale_by_barcode_on_a_phone(browser, server, app):
    """A keyboard-wedge scanner types the GTIN and Enter twice; the clerk types the cash received, sees the
    change, records the sale and gets the receipt."""
    from marketplace.extensions import db
    from marketplace.salespoints import services
    from marketplace.unit_of_work import run
    from tests.factories import Factory, gtin
    from tests.test_salespoints import PASSWORD, new_point, officer, staff

    with app.app_context():
        point = new_point(officer())
        seller = Factory().seller(legal_name="HTX Chè Tân Cương", province_code=19)
        tea = Factory().listed(seller=seller, name="Trà Tân Cương đặc biệt", price_vnd=120000, gtin=gtin(7))
        clerk = staff(point, "quay@ocop.vn")
        run(services.receive_goods, point, clerk, seller.id, [services.ReceiptLine(tea.id, 5)])
        point_id, code = point.id, tea.gtin
        db.session.remove()
    context = browser.new_context(viewport=SIZES["phone"], locale="vi-VN")
    page = context.new_page()
    failed = _watch(page)
    try:
        page.goto(f"{server}/account/sign-in")
        page.locator("#email").fill("quay@ocop.vn")
        page.locator("#password").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.goto(f"{server}/counter/")
        page.get_by_role("link", name="Bán hàng", exact=True).click()
        page.wait_for_url(f"**/counter/{point_id}/sell")
        for _ in range(2):
            expect(page.locator("#code")).to_be_focused()  # ready for the next scan, with no tap needed
            page.keyboard.type(code)
            with page.expect_navigation():
                page.keyboard.press("Enter")
        assert "240.000" in page.locator("#till-total").inner_text()
        page.locator("#cash_given").fill("300000")
        expect(page.locator("#change")).to_contain_text("60.000")  # change due, as typed
        _fits_the_screen(page)
        page.screenshot(path=ARTIFACTS / "counter-till-phone.png", full_page=True)
        from axe_playwright_python.sync_playwright import Axe
        results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
        assert not [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        page.get_by_role("button", name="Ghi nhận bán hàng").click()
        page.wait_for_url(f"**/counter/{point_id}/sales/*")
        assert "Hóa đơn TN-01-" in page.content() and "60.000" in page.content()
        _fits_the_screen(page)
        page.screenshot(path=ARTIFACTS / "counter-receipt-phone.png", full_page=True)
        page.goto(page.url + "/print")  # the 80 mm receipt, its stylesheet and print button from static files
        expect(page.locator("[data-print]")).to_be_visible()
        assert page.evaluate("getComputedStyle(document.body).width") != "" and failed == []
    finally:
        context.close()


def test_sales_point_pages_pass_axe_on_a_phone(browser, server, app):
    """The staff's pages (as a manager) and the public point pages, at phone size: no serious or critical
    axe violation, nothing wider than the screen."""
    from axe_playwright_python.sync_playwright import Axe

    from marketplace.extensions import db
    from marketplace.salespoints import counts, services, transfers
    from marketplace.unit_of_work import run
    from tests.factories import Factory, gtin
    from tests.test_salespoints import PASSWORD, new_point, officer, staff

    with app.app_context():
        office = officer()
        point, there = new_point(office), new_point(office, code="TN-02")
        seller = Factory().seller(legal_name="HTX Chè Tân Cương", province_code=19)
        tea = Factory().listed(seller=seller, name="Trà Tân Cương đặc biệt", price_vnd=120000, gtin=gtin(9))
        manager = staff(point, "quanly@ocop.vn", role="manager")
        run(services.receive_goods, point, manager, seller.id, [services.ReceiptLine(tea.id, 8)])
        sale = run(services.complete_sale, point, manager, {tea.id: 2}, "cash", cash_given_vnd=300000)
        sent = run(transfers.send, point.location_id, there, manager, {tea.id: 1})
        count = run(counts.start, point, manager)
        ids = {"p": point.id, "s": sale.id, "t": sent.id, "c": count.id, "seller": seller.id}
        db.session.remove()
    pages = ["/counter/{p}/", "/counter/{p}/sell", "/counter/{p}/sales", "/counter/{p}/sales/{s}",
             "/counter/{p}/receive?seller_id={seller}", "/counter/{p}/stock", "/counter/{p}/transfers",
             "/counter/{p}/transfers/{t}", "/counter/{p}/counts/{c}", "/counter/{p}/reports", "/counter/{p}/pickups"]
    context = browser.new_context(viewport=SIZES["phone"], locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(f"{server}/account/sign-in")
        page.locator("#email").fill("quanly@ocop.vn")
        page.locator("#password").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        for path in [*pages, "/lang/en?next=/points", "/points/{p}", "/lang/vi?next=/points", "/points/{p}"]:
            page.goto(server + path.format(**ids))
            assert page.title(), path
            _fits_the_screen(page)
            results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
            serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
            assert not serious, (path, serious)
        page.goto(server + "/counter/{p}/reports".format(**ids))
        page.screenshot(path=ARTIFACTS / "counter-reports-phone.png", full_page=True)
        page.goto(server + "/points/{p}".format(**ids))
        page.screenshot(path=ARTIFACTS / "point-public-phone.png", full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("lang, words", [
    ("vi", {"note": "Đã khóa: Hội đồng đã đánh giá theo quyết định 1021/QĐ-UBND", "saved": "Đã lưu",
            "send": "Gửi đề nghị", "waiting": "đang chờ Văn phòng OCOP tỉnh", "approve": "Chấp thuận thay đổi"}),
    ("en", {"note": "Locked: evaluated by the council under decision 1021/QĐ-UBND", "saved": "Saved",
            "send": "Send the request", "waiting": "is waiting for the provincial OCOP office",
            "approve": "Approve the change"}),
])
def test_a_certified_products_identity_is_locked_and_changed_through_the_office(browser, server, app, lang, words):
    """The seller sees why the name, group, unit and GTIN are locked, still changes the price, and asks the
    office for a new unit; the office approves it. Phone and desktop, no serious axe violation."""
    from marketplace.accounts.services import create_user
    from marketplace.extensions import db
    from tests.factories import Factory, gtin

    with app.app_context():
        seller = Factory().seller(legal_name="HTX Chè La Bằng", province_code=19, email="htx@labang.vn")
        create_user("htx@labang.vn", "Bình", "mat-khau-cua-htx", role="seller", seller_id=seller.id)
        create_user("canbo@ocop.vn", "Cán bộ OCOP", "mat-khau-van-phong", role="office", province_code=19)
        tea = Factory().product(seller, name="Chè La Bằng", group_code="I.5", unit="hộp 500 g", gtin=gtin(31))
        Factory().record(tea, decision_no="1021/QĐ-UBND")
        db.session.commit()
        product_id = tea.id
        db.session.remove()

    def signed_in(email, password, size):
        context = browser.new_context(viewport=SIZES[size])
        page = context.new_page()
        page.goto(f"{server}/lang/{lang}?next=/account/sign-in")
        page.locator("#email").fill(email)
        page.locator("#password").fill(password)
        with page.expect_navigation():
            page.locator("main button[type=submit]").click()
        return context, page

    def look(page, name):
        _look(page, f"{name}-{lang}")

    ARTIFACTS.mkdir(exist_ok=True)
    seller_context, page = signed_in("htx@labang.vn", "mat-khau-cua-htx", "phone")
    office_context, desk = signed_in("canbo@ocop.vn", "mat-khau-van-phong", "desktop")
    try:
        page.goto(f"{server}/seller/products/{product_id}")
        for field in ("name", "group_code", "unit", "gtin"):
            expect(page.locator(f"#{field}")).to_be_disabled()
            expect(page.locator(f"#{field}-hint")).to_contain_text(words["note"])
        assert page.locator("#name").get_attribute("aria-describedby") == "name-hint"
        expect(page.locator("#price_vnd")).to_be_enabled()
        look(page, "seller-product-locked")

        page.locator("#price_vnd").fill("195000")
        page.locator("form:has(#price_vnd) button[type=submit]").click()
        expect(page.locator("main")).to_contain_text(words["saved"])
        expect(page.locator("main")).to_contain_text("195")

        page.goto(f"{server}/seller/products/{product_id}")
        page.locator("#change-unit").fill("hộp 250 g")
        page.locator("#change-reason").fill("Bao bì mới theo quy định")
        page.get_by_role("button", name=words["send"]).click()
        expect(page.locator("main")).to_contain_text(words["waiting"])
        look(page, "seller-product-change-pending")

        desk.goto(f"{server}/office/products/{product_id}")
        expect(desk.locator("main")).to_contain_text("hộp 250 g")
        look(desk, "office-product-change-request")
        desk.get_by_role("button", name=words["approve"]).click()
        expect(desk.locator(".flash-success")).to_be_visible()

        page.goto(f"{server}/seller/products/{product_id}")
        expect(page.locator("#unit")).to_have_value("hộp 250 g")
        expect(page.locator("#unit")).to_be_disabled()
    finally:
        seller_context.close()
        office_context.close()


def _look(page, name):
    """The page fits a phone and a desktop (screenshots of both) and has no serious axe violation."""
    from axe_playwright_python.sync_playwright import Axe
    ARTIFACTS.mkdir(exist_ok=True)
    for size in ("phone", "desktop"):
        page.set_viewport_size(SIZES[size])
        _fits_the_screen(page)
        page.screenshot(path=ARTIFACTS / f"{name}-{size}.png", full_page=True)
    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, (name, serious)


def _watch(page) -> list[str]:
    """What went wrong while the page ran: failed requests and console errors (a script or a style the
    Content Security Policy refused shows there)."""
    problems = []
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    return problems


TOURIST = {
    "en": {"gifts": "Gifts", "apply": "Apply", "baggage": "checked baggage", "add": "Add to cart",
           "review": "See the total", "wrap": "Gift wrapping", "place": "Place the order"},
    "ko": {"gifts": "선물", "apply": "적용", "baggage": "위탁 수하물", "add": "장바구니에 담기",
           "review": "합계 보기", "wrap": "선물 포장", "place": "주문하기 ·"},
}


@pytest.mark.parametrize("lang", TOURIST)
def test_a_tourist_on_a_phone_sends_a_hue_gift_box_to_their_hotel(browser, shop, app, monkeypatch, lang):
    """In English and in Korean, from the header's Gifts link: the Huế box found by words, a UK phone, delivery
    to a hotel from the Huế point with a card and wrapping, VietQR; the order page says all of it (product
    texts in English for a Korean reader)."""
    words = TOURIST[lang]
    for key, value in {"VIETQR_BANK_BIN": "970436", "VIETQR_ACCOUNT_NO": "0011001234567",
                       "VIETQR_ACCOUNT_NAME": "TRUNG TAM XUC TIEN OCOP", "VIETQR_BANK_NAME": "Vietcombank"}.items():
        monkeypatch.setitem(app.config, key, value)
    context = browser.new_context(viewport=SIZES["phone"])
    page = context.new_page()
    failed = _watch(page)
    try:
        page.goto(f"{shop}/lang/{lang}")
        page.locator(".groups-menu summary").click()  # on a phone the groups and gifts are in the menu
        page.get_by_role("link", name=words["gifts"], exact=True).click()
        expect(page.locator("html")).to_have_attribute("lang", lang)
        page.locator("details.fold summary").click()  # the gift filters are folded on a phone
        page.locator("#q").fill("gift box Hue")
        page.get_by_role("button", name=words["apply"]).click()
        page.get_by_role("link", name="Huế souvenir box").click()
        expect(page.locator("h1")).to_have_text("Huế souvenir box")
        expect(page.locator("main")).to_contain_text(words["baggage"])  # the sour shrimp paste
        _fits_the_screen(page)
        page.screenshot(path=ARTIFACTS / f"combo-{lang}-phone.png", full_page=True)
        page.get_by_role("button", name=words["add"]).click()
        page.goto(f"{shop}/checkout")
        hotel = page.locator("input[name=delivery][value^=hotel-]")
        expect(hotel).to_have_count(1)  # only the Huế point holds the box
        hotel.check()
        page.locator("#hotel summary").click()
        page.locator("#gift summary").click()
        for name, value in (("name", "Jane Doe"), ("phone", "+44 7911 123456"), ("email", "jane@example.com"),
                            ("ward", ocop.wards_of(46)[0].name), ("street", "5 Le Loi"),
                            ("hotel_name", "Huong Giang Hotel"), ("guest_name", "Jane Doe"),
                            ("deliver_by", (ocop.today() + dt.timedelta(days=2)).isoformat()),
                            ("gift_message", "Happy birthday, Mum!")):
            page.locator(f"#{name}").fill(value)
        page.locator("#province").select_option("46")
        page.locator("#is_gift").check()
        page.locator("#gift_wrap").check()
        page.locator("input[name=payment][value=vietqr]").check()
        page.get_by_role("button", name=words["review"]).click()
        review = page.locator("#review")
        review.wait_for()
        assert words["wrap"] in review.inner_text()
        _fits_the_screen(page)
        page.get_by_role("button", name=words["place"]).click()
        page.wait_for_url("**/orders/*")
        main = page.locator("main")
        for text in ("Huong Giang Hotel", "Happy birthday, Mum!", "+44 7911 123456", "Huế souvenir box"):
            expect(main).to_contain_text(text)
        expect(page.locator(".vietqr svg")).to_be_visible()
        assert failed == []
        _fits_the_screen(page)
        page.screenshot(path=ARTIFACTS / f"order-gift-hotel-{lang}-phone.png", full_page=True)
        from axe_playwright_python.sync_playwright import Axe
        for path in (page.url, "/gifts", "/gifts?carry_on=y&region=red_river_delta"):
            page.goto(path if path.startswith("http") else shop + path)
            results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
            serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
            assert not serious, f"{path}: {serious}"
            _fits_the_screen(page)
    finally:
        context.close()


def _axe_clean(page):
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"{page.url}: {serious}"


def test_a_shopper_resets_a_forgotten_password_from_the_email(browser, shop):
    from sqlalchemy import select

    from marketplace.accounts.services import create_user, find_user
    from marketplace.extensions import db
    from marketplace.outbox.models import OutboxEmail

    create_user("lan@example.vn", "Phạm Thị Lan", "mat-khau-cu-da-quen-1")
    db.session.commit()
    context = browser.new_context(viewport=SIZES["phone"], locale="vi-VN")
    page = context.new_page()
    failed = _watch(page)
    try:
        page.goto(f"{shop}/account/sign-in?lang=vi")
        page.get_by_role("link", name="Quên mật khẩu?").click()
        page.get_by_label("Email").fill("lan@example.vn")
        _axe_clean(page)
        page.get_by_role("button", name="Gửi liên kết").click()
        expect(page.get_by_role("status")).to_contain_text("lan@example.vn")
        db.session.expire_all()
        body = db.session.scalar(select(OutboxEmail.body).where(OutboxEmail.to == "lan@example.vn"))
        link = re.search(r"http\S+/account/reset-password/\S+", body).group(0)
        page.goto(link)
        page.get_by_label("Mật khẩu mới").fill("dua hau do ngot lim")
        page.get_by_label("Nhập lại mật khẩu").fill("dua hau do ngot lim")
        _fits_the_screen(page)
        _axe_clean(page)
        page.get_by_role("button", name="Lưu mật khẩu mới").click()
        expect(page.locator(".flash-success")).to_contain_text("Đã lưu mật khẩu mới")
        db.session.expire_all()
        assert find_user("lan@example.vn").check_password("dua hau do ngot lim") and failed == []
    finally:
        context.close()


def test_an_out_of_stock_product_offers_the_notice_instead_of_the_cart(browser, shop, make):
    product = make.listed(name="Miến dong Bình Liêu", name_en="Binh Lieu canna noodles")
    context = browser.new_context(viewport=SIZES["phone"])
    page = context.new_page()
    failed = _watch(page)
    try:
        page.goto(f"{shop}/products/{product.id}?lang=en")
        expect(page.get_by_role("button", name="Add to cart")).to_have_count(0)
        expect(page.locator("main")).to_contain_text("Out of stock for delivery by post")
        page.get_by_label("Your email").fill("visitor@example.com")
        _axe_clean(page)
        page.get_by_role("button", name="Tell me when it is back").click()
        expect(page.locator(".flash-success")).to_contain_text("visitor@example.com")
        _fits_the_screen(page)
        assert failed == []
    finally:
        context.close()


def test_the_checkout_total_follows_the_province_and_the_way_of_receiving(browser, shop):
    from marketplace.catalog.services import Filters, find_listings
    cheap = next(listing.product for listing in find_listings(Filters(price_max=300000, per_page=100)).items
                 if not listing.out_of_stock)  # under the free-delivery threshold
    near = cheap.seller.province_code
    far = 79 if near != 79 else 1
    context = browser.new_context(viewport=SIZES["desktop"])
    page = context.new_page()
    failed = _watch(page)
    try:
        page.goto(f"{shop}/products/{cheap.id}?lang=en")
        page.get_by_role("button", name="Add to cart").click()
        page.goto(f"{shop}/checkout")
        estimate = page.locator("#estimate")
        page.locator("#province").select_option(str(near))  # the producer's province: the lower fee
        expect(estimate).to_contain_text("Total")
        shown = estimate.inner_text()
        page.locator("#province").select_option(str(far))
        expect(estimate).not_to_have_text(shown)
        assert "Delivery" in estimate.inner_text() and failed == []
        expect(page.locator("#address")).to_be_visible()
        pickups = page.locator("input[name=delivery][value^=point-]")
        if pickups.count():  # a point holds the tea: collecting there needs no address, and no cash on delivery
            pickups.first.check()
            expect(page.locator("#address")).to_be_hidden()
            expect(page.locator("input[name=payment][value=cod]")).to_be_disabled()
            expect(estimate).to_contain_text("Total")
    finally:
        context.close()


def test_a_review_after_delivery_appears_on_the_product(browser, shop, app):
    """A buyer on a phone, in English: the delivered order's page asks for a rating; the review shows on
    the product page with the average; favourites are kept from the same page. axe on each new page."""
    from sqlalchemy import select

    from marketplace.catalog.services import Filters, find_listings
    from marketplace.extensions import db
    from marketplace.orders import services as order_services
    from marketplace.orders.models import Order
    from marketplace.unit_of_work import run

    from .helpers import CONTACT, check_out, shipping
    product = next(listing.product for listing in find_listings(Filters(per_page=100)).items
                   if not listing.out_of_stock and not listing.product.is_service)
    buyer = app.test_client()
    buyer.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    assert check_out(buyer, CONTACT).status_code == 303
    order = db.session.scalar(select(Order).order_by(Order.id.desc()))
    for action in ("confirm", "pack", "ship", "deliver"):
        run(order_services.move, order.parts[0], action, **shipping(action))

    context = browser.new_context(viewport=SIZES["phone"])
    page = context.new_page()
    failed = _watch(page)
    try:
        page.goto(f"{shop}/orders/{order.number}?token={order.access_token}&lang=en")
        expect(page.get_by_role("heading", name="Rate what you received")).to_be_visible()
        _axe_clean(page)
        page.get_by_label("4 stars").check()
        page.get_by_label("What you thought of it (optional)").fill("Fragrant, clear green liquor.")
        page.get_by_role("button", name="Send the review").click()
        expect(page.locator(".flash-success")).to_contain_text("your review is on the product's page")
        page.goto(f"{shop}/products/{product.id}?lang=en")
        expect(page.locator("#reviews")).to_contain_text("Fragrant, clear green liquor.")
        expect(page.locator(".rating")).to_contain_text("4 / 5")
        _fits_the_screen(page)
        _axe_clean(page)
        page.get_by_role("button", name="Keep in favourites").click()
        page.goto(f"{shop}/favourites?lang=en")
        expect(page.locator(".card-title")).to_have_count(1)
        _axe_clean(page)
        page.screenshot(path=ARTIFACTS / "favourites-en-phone.png", full_page=True)
        assert failed == []
    finally:
        context.close()


def test_a_suggestion_typed_without_accents_opens_its_product_from_the_keyboard(browser, shop):
    context = browser.new_context(viewport=SIZES["desktop"])
    page = context.new_page()
    try:
        page.goto(f"{shop}/?lang=vi")
        page.locator("#header-q").press_sequentially("tra shan", delay=30)
        option = page.locator("#header-q-suggestions [role=option]").filter(has_text="Shan Tuyết").first
        expect(option).to_be_visible(timeout=5000)
        from axe_playwright_python.sync_playwright import Axe
        results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "best-practice"]})  # the open list
        assert results.violations_count == 0, results.generate_report()
        page.locator("#header-q").press("ArrowDown")
        chosen = page.locator("#header-q").get_attribute("aria-activedescendant")
        name = page.locator(f"#{chosen}").inner_text()
        page.locator("#header-q").press("Enter")
        page.wait_for_url("**/products/*")
        expect(page.locator("h1")).to_contain_text(name)
    finally:
        context.close()


def test_the_new_console_and_office_pages_pass_axe(browser, shop):
    from marketplace.accounts.services import create_user
    from marketplace.catalog.services import Filters, find_listings
    from marketplace.extensions import db

    seller = find_listings(Filters(province=19, per_page=1)).items[0].product.seller
    create_user("htx@example.vn", "HTX", "ba con meo tren mai nha", role="seller", seller_id=seller.id)
    create_user("canbo@example.vn", "Cán bộ", "ba con meo tren mai nha", role="office", province_code=19)
    db.session.commit()
    for email, paths in (("htx@example.vn", ("/seller/reviews", "/seller/orders", "/seller/products",
                                             "/seller/experiences", "/seller/money/", "/seller/money/bank")),
                         ("canbo@example.vn", ("/office/reviews", "/office/products?q=tra", "/office/dashboard",
                                               "/office/import", "/office/money", "/office/experiences"))):
        context = browser.new_context(viewport=SIZES["desktop"])
        page = context.new_page()
        try:
            page.goto(f"{shop}/account/sign-in?lang=vi")
            page.get_by_label("Email").fill(email)
            page.get_by_label("Mật khẩu").fill("ba con meo tren mai nha")
            page.get_by_role("button", name="Đăng nhập").click()
            for path in paths:
                page.goto(shop + path)
                _axe_clean(page)
        finally:
            context.close()


@pytest.mark.parametrize("lang", ("vi", "en"))
def test_a_producer_is_paid_what_a_point_sold_for_it(browser, shop, app, monkeypatch, lang):
    """A demo point (15 % margin) sells a producer's goods at the counter. The producer, on a phone, enters its
    bank account; the next morning an officer closes the period, checks the account, makes a payout batch and
    sees the VietQR to pay it; the producer finds the statement with the margin taken and what it is owed,
    and downloads it."""
    from marketplace.accounts.services import create_user
    from marketplace.extensions import db
    from marketplace.inventory.models import SalesPoint
    from marketplace.salespoints import services as points
    from marketplace.unit_of_work import run
    from tests.test_salespoints import staff

    words = {"vi": {"money": "Tiền hàng của tôi", "sold": "Bán tại điểm bán", "close": "Chốt kỳ", "signin": "Đăng nhập",
                    "password": "Mật khẩu", "closed": "Đã chốt 1 bảng kê.", "add": "Thêm tài khoản ngân hàng",
                    "bank": "Ngân hàng", "number": "Số tài khoản", "holder": "Chủ tài khoản", "save": "Lưu",
                    "verify": "Xác minh", "batch": "Lập đợt chi trả", "paid": "Đánh dấu đã trả"},
             "en": {"money": "My money", "sold": "Sold at a sales point", "close": "Close the period",
                    "signin": "Sign in", "password": "Password", "closed": "1 statement(s) closed.",
                    "add": "Add a bank account", "bank": "Bank", "number": "Account number", "holder": "Account holder",
                    "save": "Save", "verify": "Verify", "batch": "Make a payout batch", "paid": "Mark paid"}}[lang]
    with app.app_context():
        point = db.session.scalars(db.select(SalesPoint).order_by(SalesPoint.id)).first()
        shelf = points.shelf(point)[0]
        clerk = staff(point, "quay@ocop.vn")
        sale = run(points.complete_sale, point, clerk, {shelf.listing.product.id: 2}, "cash",
                   cash_given_vnd=2 * shelf.listing.product.price_vnd)
        seller = shelf.listing.seller
        goods, province, legal_name = sale.total_vnd, point.province_code, seller.legal_name
        create_user("htx@example.vn", "HTX", "ba con meo tren mai nha", role="seller", seller_id=seller.id)
        create_user("canbo@example.vn", "Cán bộ", "ba con meo tren mai nha", role="office", province_code=province)
        db.session.commit()
        db.session.remove()
    context = browser.new_context(viewport=SIZES["phone"])
    page = context.new_page()
    failed = _watch(page)

    def sign_in(email):
        page.context.clear_cookies()
        page.goto(f"{shop}/account/sign-in?lang={lang}")
        page.get_by_label("Email").fill(email)
        page.get_by_label(words["password"]).fill("ba con meo tren mai nha")
        page.get_by_role("button", name=words["signin"]).click()

    try:
        sign_in("htx@example.vn")
        page.goto(f"{shop}/seller/")
        page.get_by_role("link", name=words["money"]).click()
        page.get_by_role("link", name=words["add"]).click()
        page.get_by_label(words["bank"], exact=True).select_option("970436")
        page.get_by_label(words["number"]).fill("0011 0012 34567")
        page.get_by_label(words["holder"]).fill(legal_name)
        _look(page, f"producer-bank-{lang}")
        page.get_by_role("button", name=words["save"]).click()
        expect(page.locator(".flash")).to_be_visible()
        tomorrow = ocop.today() + dt.timedelta(days=1)
        monkeypatch.setattr(ocop, "_now", lambda: dt.datetime.combine(tomorrow, dt.time(8, 0), ocop.VN_TZ))
        sign_in("canbo@example.vn")
        page.goto(f"{shop}/office/money")
        page.get_by_role("button", name=words["close"], exact=True).click()
        expect(page.locator(".flash")).to_contain_text(words["closed"])
        page.locator("input[name=reason]").first.fill("Gọi số 0912 345 678 lúc 9:00, chị Lan xác nhận")
        page.get_by_role("button", name=words["verify"]).click()
        _look(page, f"office-money-{lang}")
        page.get_by_role("button", name=words["batch"]).click()
        page.wait_for_url("**/office/money/batches/*")
        expect(page.locator("figure.vietqr svg")).to_be_visible()
        _look(page, f"office-payouts-{lang}")
        page.get_by_label(re.compile("ngân hàng|bank", re.I)).first.fill("FT26334000123")
        page.get_by_role("button", name=words["paid"]).click()
        expect(page.locator(".flash")).to_contain_text(legal_name)
        sign_in("htx@example.vn")
        page.goto(f"{shop}/seller/money/")
        page.get_by_role("link", name=re.compile(r"BK-\d{6}")).click()
        expect(page.locator("table.data")).to_contain_text(words["sold"])
        margin = (goods * 1500 + 5000) // 10000
        owed = f"{goods - margin:,}".replace(",", "." if lang == "vi" else ",")
        expect(page.locator("dl.facts")).to_contain_text(owed)
        expect(page.locator("dl.facts")).to_contain_text("FT26334000123")  # paid, with the bank's reference
        _look(page, f"producer-statement-{lang}")
        with page.expect_download() as download:
            page.get_by_role("link", name="Excel").click()
        assert download.value.suggested_filename.startswith("ocop-BK-")
        assert failed == []
    finally:
        context.close()


def test_a_host_schedules_weekly_sessions_on_a_phone(browser, shop, app):
    """The Đồng Tháp eco-tour's host, on a phone, adds a session repeated for three weeks and sees them with
    their seats; the page passes axe and fits the screen."""
    from marketplace.accounts.services import create_user
    from marketplace.extensions import db
    from marketplace.products.models import Product

    with app.app_context():
        tour = db.session.scalar(db.select(Product).filter_by(name="Du lịch sinh thái Đồng Sen Tháp Mười"))
        create_user("dulich@example.vn", "HTX", "ba con meo tren mai nha", role="seller", seller_id=tour.seller_id)
        db.session.commit()
        db.session.remove()
    context = browser.new_context(viewport=SIZES["phone"])
    page = context.new_page()
    failed = _watch(page)
    try:
        page.goto(f"{shop}/account/sign-in?lang=vi")
        page.get_by_label("Email").fill("dulich@example.vn")
        page.get_by_label("Mật khẩu").fill("ba con meo tren mai nha")
        page.get_by_role("button", name="Đăng nhập").click()
        page.goto(f"{shop}/seller/")
        page.get_by_role("link", name="Trải nghiệm của tôi").click()
        page.get_by_label("Ngày", exact=True).fill((ocop.today() + dt.timedelta(days=4)).strftime("%d/%m/%Y"))
        page.get_by_label("Giờ bắt đầu (giờ Việt Nam)").fill("07:30")
        page.get_by_label("Thời lượng").fill("240")
        page.get_by_label("Số chỗ", exact=True).fill("12")
        page.get_by_label("Giá mỗi người (₫)").fill("150.000")
        page.get_by_role("checkbox", name="Tiếng Anh").check()
        page.get_by_label("Điểm hẹn", exact=True).fill("Bến thuyền Đồng Sen, Tháp Mười")
        page.get_by_label("Lặp lại hằng tuần").fill("3")
        _look(page, "host-sessions-form")
        page.get_by_role("button", name="Thêm", exact=True).click()
        expect(page.locator(".flash")).to_contain_text("Đã thêm 3 buổi")
        expect(page.locator("table.data tbody tr")).to_have_count(3)
        expect(page.locator("table.data")).to_contain_text("0 / 12")
        _look(page, "host-sessions")
        assert failed == []
    finally:
        context.close()


def test_a_tourist_books_two_places_on_a_phone_and_the_host_checks_them_in(browser, shop, app, monkeypatch):
    """A tourist on a phone, in English, books two places of the Bát Tràng pottery workshop to pay on
    arrival, keeps the voucher (its code, QR and calendar file); the host, on a phone, checks them in by the
    code the tourist reads out. Every page passes axe and fits the screen."""
    from marketplace.accounts.services import create_user
    from marketplace.experiences.models import ExperienceSession
    from marketplace.extensions import db
    from marketplace.products.models import Product

    monkeypatch.setitem(app.config, "BOOKING_CUTOFF_HOURS", 0)  # a session starting within the hour
    with app.app_context():
        pottery = db.session.scalar(db.select(Product).filter_by(name="Trải nghiệm làm gốm Bát Tràng"))
        soon = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0) + dt.timedelta(minutes=50)
        db.session.add(ExperienceSession(product_id=pottery.id, starts_at=soon, duration_minutes=120, capacity=6,
                                         price_vnd=350_000, languages="vi;en", max_party=6,
                                         meeting_point_vi="Chợ gốm Bát Tràng", meeting_point_en="Bat Trang pottery market"))
        create_user("gom@example.vn", "HTX Gốm", "ba con meo tren mai nha", role="seller", seller_id=pottery.seller_id)
        db.session.commit()
        pottery_id = pottery.id
        db.session.remove()
    tourist = browser.new_context(viewport=SIZES["phone"])
    page = tourist.new_page()
    failed = _watch(page)
    try:
        page.goto(f"{shop}/products/{pottery_id}?lang=en")
        expect(page.locator("#dates")).to_contain_text("6 places left")
        page.locator("#dates").get_by_role("link", name=re.compile("^Book")).first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Book")
        page.get_by_label("Adults").fill("2")
        page.get_by_label("Full name").fill("Oliver Smith")
        page.get_by_label("Phone").fill("+44 7911 123456")
        page.get_by_label("Email").fill("oliver@example.co.uk")
        page.get_by_label("English").check()
        page.get_by_label("Pay the host on arrival").check()
        _look(page, "booking-form")
        page.get_by_role("button", name="Book", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Booking")
        code = page.locator(".voucher-code .code").inner_text()
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
        expect(page.locator(".voucher-code svg")).to_be_visible()
        with page.expect_download() as download:
            page.get_by_role("link", name="Add to my calendar (.ics)").click()
        assert "BEGIN:VEVENT" in Path(download.value.path()).read_text()
        _look(page, "booking-voucher")
        assert failed == []
    finally:
        tourist.close()

    host = browser.new_context(viewport=SIZES["phone"])
    page = host.new_page()
    failed = _watch(page)
    try:
        page.goto(f"{shop}/account/sign-in?lang=vi")
        page.get_by_label("Email").fill("gom@example.vn")
        page.get_by_label("Mật khẩu").fill("ba con meo tren mai nha")
        page.get_by_role("button", name="Đăng nhập").click()
        page.goto(f"{shop}/seller/experiences")
        page.get_by_role("link", name="Khách hôm nay và đón khách").click()
        expect(page.locator(".visitors")).to_contain_text("Oliver Smith")
        page.get_by_label("Mã phiếu").fill(code.lower().replace("-", " "))
        page.get_by_role("button", name="Đón khách", exact=True).click()
        expect(page.locator(".flash-success")).to_contain_text("Oliver Smith")
        expect(page.locator(".visitors")).to_contain_text("Đã đến")
        _look(page, "host-check-in")
        page.get_by_label("Mã phiếu").fill(code)
        page.get_by_role("button", name="Đón khách", exact=True).click()
        expect(page.locator(".flash-error")).to_contain_text("lúc")  # already checked in, at …
        assert failed == []
    finally:
        host.close()
