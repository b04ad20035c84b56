"""Static files under versioned addresses, cached a year; pages say what chose their language."""
import os
import re
import time

from marketplace.assets import static_version
from marketplace.extensions import db


def test_static_files_have_versioned_addresses_cached_for_a_year(client):
    page = client.get("/").get_data(as_text=True)
    css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{10})"', page).group(1)
    answer = client.get(css)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "immutable" not in client.get("/static/css/site.css").headers.get("Cache-Control", "")
    assert re.search(r'src="/static/js/suggest\.js\?v=[0-9a-f]{10}"', page)


def test_a_changed_file_gets_a_new_address(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    (tmp_path / "x.css").write_text("a { color: red }")
    first = static_version("x.css")
    time.sleep(0.01)
    (tmp_path / "x.css").write_text("a { color: blue }")
    os.utime(tmp_path / "x.css", (time.time() + 5, time.time() + 5))
    assert first and static_version("x.css") != first and static_version("missing.css") is None


def test_a_page_says_what_chose_its_language(client):
    chosen_by_browser = client.get("/", headers={"Accept-Language": "en"})
    assert "Accept-Language" in chosen_by_browser.headers["Vary"]
    named = client.get("/?lang=en")
    assert "Accept-Language" not in named.headers.get("Vary", "")


def test_guests_pages_are_compressed_a_signed_in_persons_are_not(client, make):
    from .helpers import seller_signs_in
    make.listed(name="Trà Tân Cương")
    for encoding in ("br", "gzip"):
        answer = client.get("/products", headers={"Accept-Encoding": encoding})
        assert answer.headers.get("Content-Encoding") == encoding and "Accept-Encoding" in answer.headers["Vary"]
    css = client.get("/static/css/site.css", headers={"Accept-Encoding": "br, gzip"})  # a file streams: brotli
    assert css.headers.get("Content-Encoding") == "br"
    seller_signs_in(client, make.seller())
    assert "Content-Encoding" not in client.get("/products", headers={"Accept-Encoding": "gzip"}).headers


def test_photos_are_cached_a_year(app, client):
    import pathlib
    pathlib.Path(app.config["UPLOAD_DIR"], "abc123.jpg").write_bytes(b"\xff\xd8\xff")
    answer = client.get("/media/abc123.jpg")
    assert "immutable" in answer.headers["Cache-Control"] and "max-age=31536000" in answer.headers["Cache-Control"]


def test_cards_offer_webp_renditions_and_only_the_first_row_loads_at_once(app, client, make):
    import io

    from marketplace.products.images import save_photo
    from marketplace.products.models import ProductImage

    from .helpers import jpeg
    for i in range(6):
        product = make.listed(name=f"Trà số {i}")
        stored = save_photo(io.BytesIO(jpeg(900, 900)))
        product.images.append(ProductImage(filename=stored.filename, thumbnail=stored.thumbnail,
                                           widths=stored.widths))
    db.session.commit()
    page = client.get("/products").get_data(as_text=True)
    cards = re.findall(r'<img [^>]*>', page)
    assert len(cards) == 6
    first, fifth = cards[0], cards[4]
    srcset = re.search(r'srcset="([^"]+)"', first).group(1).split(", ")
    assert [entry.rsplit(" ", 1)[1] for entry in srcset] == ["240w", "480w", "720w", "900w"]
    assert 'sizes="(min-width: 960px) 290px' in first
    smallest = client.get(srcset[0].rsplit(" ", 1)[0])
    assert smallest.status_code == 200 and smallest.mimetype == "image/webp"
    assert len(smallest.data) < 15_000  # a card's photo, not the 900 px one
    assert 'fetchpriority="high"' in first and 'loading="lazy"' not in first
    assert 'loading="lazy"' in fifth and "fetchpriority" not in fifth
    third = cards[2]  # a desktop's first row, below a phone's first screen: at once, not ahead of the rest
    assert 'loading="lazy"' not in third and "fetchpriority" not in third


def test_a_portrait_photos_renditions_are_as_wide_as_srcset_says(app):
    import io

    from PIL import Image

    from marketplace import storage
    from marketplace.products.images import renditions, save_photo

    from .helpers import jpeg
    with app.test_request_context():
        for size in ((1000, 1600), (600, 2400)):
            photo = save_photo(io.BytesIO(jpeg(*size)))
            for name, claimed in renditions(photo.filename, photo.widths):
                with Image.open(io.BytesIO(storage.public().read(name))) as made:
                    assert made.width == claimed and made.height == round(size[1] * claimed / size[0])
