"""Storefront pages as a shopper sees them, in Vietnamese and English."""
import datetime as dt
import re

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.products.models import ProductImage

from .helpers import stocked


def text(response):
    return response.get_data(as_text=True)


def titles(response):
    """The product names on a listing page, in order."""
    return re.findall(r'class="card-title">([^<]+)<', text(response))


def test_home_shows_national_five_star_and_new_products_in_vietnamese(client, make):
    seller = make.seller()
    five = stocked(make, seller, "Trà Shan Tuyết Mộc Châu", 120000, 5, stars=5)
    stocked(make, seller, "Gạo ST25", 40000, 5, stars=3)
    page = text(client.get("/"))

    assert '<html lang="vi">' in page
    assert "Sản phẩm OCOP 5 sao quốc gia" in page and "Mới được công nhận" in page
    assert "Trà Shan Tuyết Mộc Châu" in page and "Gạo ST25" in page
    assert "120.000\xa0₫" in page or "120.000 ₫" in page
    assert f'/products/{five.id}' in page
    assert "Thực phẩm" in page and "Thái Nguyên" in page  # groups and provinces


def test_language_switch_sticks_and_english_text_is_used(client, make):
    make.listed(name="Trà Tân Cương", name_en="Tan Cuong tea", price_vnd=120000)
    response = client.get("/lang/en?next=/groups/I.5")
    assert response.status_code == 302 and response.headers["Location"].endswith("/groups/I.5")

    page = text(client.get("/groups/I.5"))
    assert '<html lang="en">' in page
    assert "Tan Cuong tea" in page and "Trà Tân Cương" not in page
    assert "₫120,000" in page
    assert "Newly recognised" in text(client.get("/"))  # still English on the next page

    client.get("/lang/vi")
    assert "Trà Tân Cương" in text(client.get("/groups/I.5"))


def test_every_page_has_an_icon_the_browser_finds(client):
    """Browsers ask for /favicon.ico on every page: a 404 there is an error in every visitor's console."""
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_language_switch_refuses_to_redirect_elsewhere(client):
    response = client.get("/lang/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"


def test_english_browser_gets_english_until_it_chooses(client):
    page = text(client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}))
    assert "Newly recognised" in page


def test_product_page_shows_recognition_scorecard_story_traceability(client, make, today):
    seller = make.seller(entity_type="cooperative", women_led=True, ethnic_minority_led=True, province_code=14)
    product = make.product(seller, name="Trà Shan Tuyết", geographical_indication="Shan Tuyết Mộc Châu",
                           planting_area_code="VN-SLTEA-0004", gtin="8935000000019")
    make.record(product, stars=5, score=92, score_a=37, score_b=22, score_c=33, decision_no="88/QĐ-BNNMT",
                decision_date=dt.date(2025, 9, 1) if today > dt.date(2025, 9, 1) else today,
                issuer="Bộ Nông nghiệp và Môi trường", story="Cây chè cổ thụ trên núi cao")
    db.session.commit()

    page = text(client.get(f"/products/{product.id}"))

    for expected in ("88/QĐ-BNNMT", "Bộ Nông nghiệp và Môi trường", "Cấp quốc gia", "5★ quốc gia",
                     "Chỉ dẫn địa lý", "Mã số vùng trồng", "Hợp tác xã", "Phụ nữ làm chủ",
                     "Đồng bào dân tộc thiểu số làm chủ", "Phiếu chấm điểm", "Cây chè cổ thụ trên núi cao",
                     "VN-SLTEA-0004", "8935000000019", "Sơn La", "<svg"):
        assert expected in page, expected
    assert f"/trace/{product.id}" in page


def test_product_without_gi_shows_no_gi_badge(client, make):
    product = make.listed(stars=3)
    page = text(client.get(f"/products/{product.id}"))
    assert 'badge-gi' not in page and 'badge-national_5' not in page


def test_unlisted_product_answers_a_friendly_404(client, make):
    product = make.product()
    make.record(product, revoked_at=utcnow())
    db.session.commit()
    response = client.get(f"/products/{product.id}")
    assert response.status_code == 404
    assert "Chúng tôi không tìm thấy trang này" in text(response)
    assert client.get(f"/trace/{product.id}").status_code == 404


def test_trace_page_has_the_minimum_data_the_shop_holds(client, make):
    seller = make.seller(legal_name="HTX Chè La Bằng", street_address="Xóm Đồng Kiệm", ward_code=5443)
    product = make.listed(seller=seller, name="Chè La Bằng", shelf_life="12 tháng", standards="TCVN 1455:2013")
    product.images.append(ProductImage(filename="demo/la-bang.jpg", alt="Gói chè La Bằng"))
    db.session.commit()
    page = text(client.get(f"/trace/{product.id}"))
    for expected in ("Chè La Bằng", "HTX Chè La Bằng", "Xóm Đồng Kiệm", "Phường Phan Đình Phùng", "12 tháng",
                     "TCVN 1455:2013", "Lô sản xuất", "Thông tư 02/2024/TT-BKHCN",
                     'alt="Gói chè La Bằng"', "/media/demo/la-bang.jpg"):
        assert expected in page, expected


def test_a_card_reads_the_products_name_once(client, make):
    """In a card the photo sits in the link beside the name: a screen reader hears the name once, and hears a
    photo's own description when the seller wrote one."""
    plain = make.listed(name="Chè La Bằng")
    plain.images.append(ProductImage(filename="demo/la-bang.jpg"))
    described = make.listed(name="Chè Tân Cương")
    described.images.append(ProductImage(filename="demo/tan-cuong.jpg", alt="Búp chè trên nong tre"))
    db.session.commit()
    def alt_of(page, filename):
        return re.search(rf'<img src="/media/demo/{filename}"\s+alt="([^"]*)"', page).group(1)

    group = text(client.get("/groups/I"))
    assert alt_of(group, "la-bang.jpg") == ""
    assert alt_of(group, "tan-cuong.jpg") == "Búp chè trên nong tre"
    assert alt_of(text(client.get(f"/products/{plain.id}")), "la-bang.jpg") == "Chè La Bằng"  # alone, it is named


def test_group_page_filters_and_sorts(client, make):
    thai_nguyen = make.seller(province_code=19)
    son_la = make.seller(province_code=14)
    make.listed(stars=3, seller=thai_nguyen, name="Trà rẻ", price_vnd=50000)
    make.listed(stars=5, seller=son_la, name="Trà quý", price_vnd=900000)
    make.listed(stars=4, seller=son_la, name="Cà phê", group_code="I.6", price_vnd=200000)

    assert sorted(titles(client.get("/groups/I.5"))) == ["Trà quý", "Trà rẻ"]
    assert titles(client.get("/groups/I?sort=price_asc")) == ["Trà rẻ", "Cà phê", "Trà quý"]
    assert titles(client.get("/groups/I?sort=price_desc")) == ["Trà quý", "Cà phê", "Trà rẻ"]
    assert titles(client.get("/groups/I?sort=stars")) == ["Trà quý", "Cà phê", "Trà rẻ"]
    assert sorted(titles(client.get("/groups/I?stars_min=4"))) == ["Cà phê", "Trà quý"]
    assert sorted(titles(client.get("/groups/I?province=14"))) == ["Cà phê", "Trà quý"]
    assert sorted(titles(client.get("/groups/I?price_max=300000"))) == ["Cà phê", "Trà rẻ"]
    assert titles(client.get("/groups/I?price_min=100000&price_max=300000")) == ["Cà phê"]
    assert sorted(titles(client.get("/products?province=19"))) == ["Trà rẻ"]


def test_bad_filters_are_reported_not_a_500(client, make):
    make.listed(name="Trà rẻ")
    response = client.get("/groups/I?stars_min=abc&price_min=-5&page=0")
    assert response.status_code == 200
    page = text(response)
    assert "Một số bộ lọc không hợp lệ" in page and "Trà rẻ" in page
    assert client.get("/groups/XYZ").status_code == 404


def test_pagination_keeps_filters(client, make, app):
    seller = make.seller()
    for n in range(app.config["PER_PAGE"] + 2):
        make.listed(seller=seller, name=f"Trà {n:02d}", price_vnd=1000 + n)
    first = text(client.get("/groups/I.5?sort=price_asc"))
    assert "sort=price_asc" in first and "page=2" in first
    second = text(client.get("/groups/I.5?sort=price_asc&page=2"))
    assert f"Trà {app.config['PER_PAGE'] + 1:02d}" in second and "Trà 00" not in second


def test_seller_page_lists_only_listable_products_of_a_verified_seller(client, make):
    seller = make.seller(legal_name="HTX Quế Văn Yên")
    make.listed(seller=seller, name="Quế thanh")
    hidden = make.product(seller, name="Quế loại 2")
    make.record(hidden, stars=2, score=40)
    db.session.commit()
    page = text(client.get(f"/sellers/{seller.id}"))
    assert "HTX Quế Văn Yên" in page and "Quế thanh" in page and "Quế loại 2" not in page

    pending = make.seller(verification_status="pending")
    db.session.commit()
    assert client.get(f"/sellers/{pending.id}").status_code == 404


def _query_count(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return int(response.headers["X-Query-Count"])


def test_page_query_counts_do_not_grow_with_items(client, make):
    seller = make.seller()
    make.listed(seller=seller)
    few = {url: _query_count(client, url) for url in ("/", "/groups/I.5", "/groups/I", f"/sellers/{seller.id}")}
    for _ in range(12):
        make.listed(seller=make.seller())
    many = {url: _query_count(client, url) for url in few}
    assert many == few


def test_a_product_out_of_stock_cannot_be_put_in_the_cart_from_its_page(client, make):
    from marketplace.extensions import db
    from marketplace.inventory import services as stock
    product = make.listed()
    page = client.get(f"/products/{product.id}").get_data(as_text=True)
    assert "Tạm hết hàng" in page and 'action="/cart/add"' not in page
    stock.receive(stock.warehouse_of(product.seller).id, product.id, 3)
    db.session.commit()
    page = client.get(f"/products/{product.id}").get_data(as_text=True)
    assert "Tạm hết hàng" not in page and 'action="/cart/add"' in page


def test_robots_txt_keeps_crawlers_out_of_accounts_and_staff_pages(client):
    answer = client.get("/robots.txt")
    assert answer.status_code == 200 and "Disallow: /office/" in answer.get_data(as_text=True)
    assert "Disallow: /bookings/" in answer.get_data(as_text=True)  # a visitor's voucher, opened by its token


def test_filter_panels_are_folded_unless_a_filter_is_set(client, make):
    """On a phone the results come first: the panel opens by itself only when a filter is in use."""
    make.listed(name="Trà Tân Cương")
    for path in ("/products", "/products?lang=en", "/gifts", "/gifts?lang=vi", "/groups/I?sort=name"):
        assert '<details class="fold" data-open-wide >' in client.get(path).get_data(as_text=True), path
    for path in ("/products?stars_min=4", "/gifts?occasion=tet"):
        assert '<details class="fold" data-open-wide open>' in client.get(path).get_data(as_text=True), path
