"""Home → group → product in headless Chromium (Debian's package), in Vietnamese and English,
on a phone and a desktop. Screenshots land in test-artifacts/ for a person to look at."""
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

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
def shop(app):
    """The app with the demo catalogue, served on a free local port."""
    load_demo()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}"
    server.shutdown()
    thread.join()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", TEXT)
def test_home_group_product(browser, shop, lang, size):
    words = TEXT[lang]
    context = browser.new_context(viewport=SIZES[size], locale="en-US")
    page = context.new_page()
    try:
        page.goto(shop + "/")
        page.get_by_role("link", name=words["switch"], exact=True).click()
        assert page.locator("html").get_attribute("lang") == lang
        _fits_the_screen(page)
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"  # skip link first
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"home-{lang}-{size}.png", full_page=True)

        page.locator(".tiles a", has_text=words["food"]).first.click()
        assert page.locator("h1").inner_text().startswith(words["food"])
        cards = page.locator(".grid .card")
        assert cards.count() > 0
        _fits_the_screen(page)
        page.screenshot(path=ARTIFACTS / f"group-{lang}-{size}.png", full_page=True)

        name = cards.first.locator(".card-title").inner_text()
        cards.first.locator(".card-link").click()
        assert page.locator("h1").inner_text() == name
        assert page.get_by_role("heading", name=words["recognition"]).is_visible()
        assert page.get_by_text(words["decision"]).is_visible()
        assert page.locator(".price strong").inner_text().strip().replace("\xa0", " ")[-1] == "₫" or lang == "en"
        assert page.locator(".product-media img").get_attribute("alt")
        _fits_the_screen(page)
        page.screenshot(path=ARTIFACTS / f"product-{lang}-{size}.png", full_page=True)
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
        suggestions = page.locator("#header-q-suggestions option")
        suggestions.first.wait_for(state="attached", timeout=5000)  # suggestions while typing
        assert suggestions.count() <= 8
        page.locator("#header-q").fill(query)
        page.keyboard.press("Enter")
        page.wait_for_url("**/search?q=*")
        assert page.locator("#search-q").input_value() == query
        marks = page.locator(".card-title mark")
        assert marks.count() > 0
        assert expected.lower() in page.locator(".card-title").first.inner_text().lower()
        _fits_the_screen(page)
        page.screenshot(path=ARTIFACTS / f"search-{lang}-phone.png", full_page=True)
        page.locator(".facet-list a").first.click()  # narrow by the first group
        assert page.locator(".active-filters a").count() == 1
    finally:
        context.close()
