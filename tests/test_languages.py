"""Each language has its own addresses: `?lang=en` shows a page in English to anyone (a search engine
included) and its links keep it; every page names its canonical address and its other languages, says
what it is about in its own meta description, and the sitemap lists what is on sale today."""
import datetime as dt
import re

from marketplace.extensions import db
from marketplace.inventory import services as stock

from .helpers import new_point, officer


def _page(client, path, **headers):
    return client.get(path, headers=headers).get_data(as_text=True)


def _meta_description(page):
    return re.search(r'<meta name="description" content="([^"]*)"', page).group(1)


def test_an_address_with_its_language_shows_it_to_anyone_and_its_links_keep_it(app, make):
    from marketplace.products.models import ProductImage
    tea = make.listed(name="Trà Tân Cương", name_en="Tan Cuong tea")
    db.session.add(ProductImage(product_id=tea.id, filename="tea.jpg", thumbnail="tea-card.jpg", position=0))
    db.session.commit()
    crawler = app.test_client()  # no cookie, no Accept-Language
    page = _page(crawler, f"/products/{tea.id}?lang=en")
    assert '<html lang="en">' in page and "Tan Cuong tea" in page
    assert f'href="/sellers/{tea.seller_id}?lang=en"' in page and 'href="/groups/I.5?lang=en"' in page
    assert "css/site.css?lang" not in page  # static files and photos have no language
    assert 'src="/media/tea.jpg"' in page and not re.search(r'/media/[^"]*\?lang=', page)
    assert "Trà Tân Cương" in _page(app.test_client(), f"/products/{tea.id}")  # the bare address: Vietnamese


def test_every_page_names_its_canonical_address_and_its_languages(client, make):
    tea = make.listed(name="Trà Tân Cương", name_en="Tan Cuong tea")
    page = _page(client, f"/products/{tea.id}?lang=ko")
    assert f'<link rel="canonical" href="http://localhost/products/{tea.id}?lang=ko">' in page
    assert f'hreflang="vi" href="http://localhost/products/{tea.id}"' in page
    assert f'hreflang="en" href="http://localhost/products/{tea.id}?lang=en"' in page
    assert f'hreflang="zh-Hans" href="http://localhost/products/{tea.id}?lang=zh"' in page
    assert f'hreflang="x-default" href="http://localhost/products/{tea.id}"' in page
    filtered = _page(client, "/products?lang=en&stars_min=4&sort=name")
    assert '<link rel="canonical" href="http://localhost/products?stars_min=4&amp;sort=name&amp;lang=en">' in filtered


def test_the_language_named_in_an_address_sticks_like_the_switch(client, make):
    tea = make.listed(name="Trà Tân Cương", name_en="Tan Cuong tea")
    client.get("/?lang=en")
    assert "Tan Cuong tea" in _page(client, f"/products/{tea.id}")
    switch = re.search(r'<a href="([^"]+)" lang="vi"', _page(client, f"/products/{tea.id}")).group(1)
    assert switch == f"/products/{tea.id}?lang=vi"
    assert "Trà Tân Cương" in _page(client, switch) and "Trà Tân Cương" in _page(client, f"/products/{tea.id}")


def test_each_page_describes_itself(client, make):
    tea = make.listed(name="Trà Tân Cương", description=None)
    descriptions = {_meta_description(_page(client, path)) for path in
                    ("/", "/products", "/groups/I", f"/products/{tea.id}", f"/sellers/{tea.seller_id}", "/gifts",
                     "/points", "/search?q=tra")}
    assert len(descriptions) == 8
    assert "Trà Tân Cương" in _meta_description(_page(client, f"/products/{tea.id}"))


def test_the_sitemap_lists_what_is_on_sale_today_and_time_alone_drops_the_rest(client, make, clock, today):
    tea = make.listed(name="Trà Tân Cương")
    ending = make.product(name="Miến dong")
    make.record(ending, stars=4, decision_date=today - dt.timedelta(days=3 * 365 - 5),
                valid_until=today + dt.timedelta(days=5))
    db.session.commit()
    point = new_point(officer())
    stock.receive(point.location_id, tea.id, 1)
    db.session.commit()
    sitemap = _page(client, "/sitemap.xml")
    assert f"<loc>http://localhost/products/{tea.id}</loc>" in sitemap
    assert f"<loc>http://localhost/products/{ending.id}</loc>" in sitemap
    assert f'hreflang="en" href="http://localhost/products/{tea.id}?lang=en"' in sitemap
    assert f"<loc>http://localhost/points/{point.id}</loc>" in sitemap
    clock(today + dt.timedelta(days=6))
    sitemap = _page(client, "/sitemap.xml")
    assert f"/products/{ending.id}<" not in sitemap and f"/products/{tea.id}<" in sitemap
    assert "lang=en&amp;lang" not in _page(client, "/sitemap.xml?lang=en")  # the addresses, not this request's
    assert f"<loc>http://localhost/products/{tea.id}</loc>" in _page(client, "/sitemap.xml?lang=en")
    robots = _page(client, "/robots.txt")
    assert "Sitemap: http://localhost/sitemap.xml" in robots and "Disallow: /office/" in robots
