"""Guests' pages come from the page cache, and are never wrong: what ends a product's sale is gone from every
cached page on the next request, whatever path wrote it, and no visitor sees another's token or cart."""
import datetime as dt
import re

import pytest
from sqlalchemy import update

from marketplace.extensions import db
from marketplace.models_base import utcnow
from marketplace.products.models import Product

from .helpers import seller_signs_in, stocked

PAGES = ("/", "/products", "/groups/I", "/groups/I.5", "/sellers/{seller}", "/products/{product}")


def _pages(product):
    return [page.format(seller=product.seller_id, product=product.id) for page in PAGES]


def _everywhere(client, product) -> dict:
    """Whether each page shows the product (the product's own page: answers 200)."""
    shown = {}
    for page in _pages(product):
        answer = client.get(page)
        shown[page] = answer.status_code == 200 and product.name in answer.get_data(as_text=True)
    return shown


def _queries(client, page) -> int:
    return int(client.get(page).headers["X-Query-Count"])


def test_a_guests_page_is_served_from_the_cache(client, make):
    make.listed(name="Chè Tân Cương", group_code="I.5")
    db.session.commit()
    first, again = _queries(client, "/groups/I.5"), _queries(client, "/groups/I.5")
    assert again < first and again <= 2  # no catalogue query: the page was kept


@pytest.mark.parametrize("ending", ["revoked", "seller suspended", "unlisted by a bulk update", "expired"])
def test_what_ends_a_sale_is_gone_from_every_cached_page_on_the_next_request(app, client, make, clock, ending):
    product = stocked(make, make.seller(), "Chè Tân Cương", 120000, 5, group_code="I.5")
    make.listed(name="Mật ong Mèo Vạc", group_code="I.5", seller=product.seller)
    db.session.commit()
    assert all(_everywhere(client, product).values())  # each page is kept now
    if ending == "revoked":
        product.records[0].revoked_at = utcnow()
        db.session.commit()
    elif ending == "seller suspended":
        product.seller.verification_status = "suspended"
        db.session.commit()
    elif ending == "unlisted by a bulk update":
        db.session.execute(update(Product).where(Product.id == product.id).values(status="archived"))
        db.session.commit()
    else:
        clock(product.records[0].valid_until + dt.timedelta(days=1))
    assert not any(_everywhere(client, product).values())


def test_two_guests_never_share_a_token_or_a_cart(app_with, make):
    product = stocked(make, make.seller(), "Chè Tân Cương", 120000, 5)
    shop = app_with(WTF_CSRF_ENABLED=True)
    first, second = shop.test_client(), shop.test_client()
    token = re.compile(r'name="csrf_token" value="([^"]+)"')

    page = first.get(f"/products/{product.id}").get_data(as_text=True)  # kept
    first_token = token.search(page).group(1)
    assert first.post("/cart/add", data={"csrf_token": first_token, "product_id": product.id,
                                         "quantity": 2}).status_code == 303
    first_page = first.get(f"/products/{product.id}").get_data(as_text=True)
    second_page = second.get(f"/products/{product.id}").get_data(as_text=True)
    assert 'class="cart-count">2' in first_page and "cart-count" not in second_page
    second_token = token.search(second_page).group(1)
    assert second_token != first_token and set(token.findall(second_page)) == {second_token}
    assert second.post("/cart/add", data={"csrf_token": second_token, "product_id": product.id,
                                          "quantity": 1}).status_code == 303
    assert second.post("/cart/add", data={"csrf_token": first_token, "product_id": product.id,
                                          "quantity": 1}).status_code == 400  # the other's token is no use


def test_a_favourite_is_this_visitors_own(client, app, make):
    product = make.listed(name="Chè Tân Cương")
    db.session.commit()
    other = app.test_client()
    assert client.post("/favourites/add", data={"product_id": product.id}).status_code == 303
    assert 'aria-pressed="true"' in client.get(f"/products/{product.id}").get_data(as_text=True)
    assert 'aria-pressed="false"' in other.get(f"/products/{product.id}").get_data(as_text=True)


def test_a_browser_revalidates_and_gets_304_until_the_page_changes(client, make):
    product = make.listed(name="Chè Tân Cương", price_vnd=120000)
    db.session.commit()
    anonymous = client.get("/groups/I.5")
    assert anonymous.headers["Cache-Control"] == "public, no-cache" and anonymous.headers["Last-Modified"]
    etag = anonymous.headers["ETag"]
    assert client.get("/groups/I.5", headers={"If-None-Match": etag}).status_code == 304
    product.price_vnd = 99000
    db.session.commit()
    changed = client.get("/groups/I.5", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "99.000" in changed.get_data(as_text=True)


def test_a_signed_in_person_is_never_served_a_guests_page(client, make):
    product = make.listed(name="Chè Tân Cương")
    db.session.commit()
    client.get(f"/products/{product.id}")  # a guest's copy is kept
    seller_signs_in(client, product.seller)
    page = client.get(f"/products/{product.id}")
    assert "Cache-Control" in page.headers and "no-store" in page.headers["Cache-Control"]
    assert "Đăng xuất" in page.get_data(as_text=True)  # its own header, with the account menu


def test_a_rolled_back_savepoint_keeps_the_outer_transactions_change(client, make):
    from sqlalchemy.exc import IntegrityError
    product = make.listed(name="Chè Tân Cương", price_vnd=120000)
    db.session.commit()
    assert "120.000" in client.get(f"/products/{product.id}").get_data(as_text=True)  # kept
    product.price_vnd = 99000
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(db.text("INSERT INTO products (id) VALUES (:id)"), {"id": product.id})
    db.session.commit()
    assert "99.000" in client.get(f"/products/{product.id}").get_data(as_text=True)


def test_addresses_no_page_reads_are_not_kept(client, make):
    make.listed(name="Chè Tân Cương", group_code="I.5")
    db.session.commit()
    from marketplace.pagecache import cache
    before = len(cache.cache._cache)
    for n in range(5):
        assert client.get(f"/groups/I.5?x={n}").status_code == 200  # answered, not kept
        assert client.get(f"/groups/I.5?utm_source=zalo{n}").status_code == 200  # one page for all of them
        assert client.get(f"/groups/I.5?lang=x{n}").status_code == 200  # no such language: that page too
    assert len(cache.cache._cache) - before <= 3  # the version, the group counts, one page



def test_a_tagged_link_never_makes_the_page_others_get(client, make):
    for n in range(26):  # two pages: the page's own links (to page 2) carry its arguments
        make.listed(name=f"Chè số {n}", group_code="I.5")
    db.session.commit()
    assert "utm_source=zalo" in client.get("/groups/I.5?utm_source=zalo").get_data(as_text=True)  # its links
    assert "utm_source" not in client.get("/groups/I.5").get_data(as_text=True)


def test_a_new_release_never_serves_a_page_an_older_one_kept(app, client, make, monkeypatch):
    make.listed(name="Chè Tân Cương", group_code="I.5")
    db.session.commit()
    first = _queries(client, "/groups/I.5")
    assert _queries(client, "/groups/I.5") < first  # kept
    monkeypatch.setitem(app.extensions, "pagecache_release", "the next release")
    assert _queries(client, "/groups/I.5") == first  # rendered again by the new release
