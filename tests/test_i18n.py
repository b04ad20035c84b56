"""Every interface string is in translations/ for Vietnamese and English, and money and dates
are formatted per locale."""
import datetime as dt
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import force_locale

from marketplace.i18n import date, number, vnd

ROOT = Path(__file__).resolve().parent.parent


def catalogue(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=lang)


def test_every_string_in_the_code_is_in_both_catalogues(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "babel.cfg",
                    "-k", "lazy_gettext", "-k", "_l", "-o", str(pot), "."], cwd=ROOT, check=True)
    with open(pot, "rb") as f:
        in_code = {m.id for m in read_po(f) if m.id}
    for lang in ("vi", "en"):
        translated = {m.id for m in catalogue(lang) if m.id and m.string and all(m.string)}
        missing = sorted(map(str, in_code - translated))
        assert not missing, f"{lang}: run `make translations` and translate: {missing}"


def test_vietnamese_catalogue_is_really_vietnamese():
    same = [m.id for m in catalogue("vi") if m.id and m.string == m.id and not str(m.id).startswith("%")]
    assert len(same) <= 3, same  # a few are the same in both languages, like "5★"


def test_money_and_dates_per_locale(app):
    with force_locale("vi"):
        assert vnd(120000).replace("\xa0", " ") == "120.000 ₫"
        assert date(dt.date(2025, 7, 6)) == "06/07/2025"
    with force_locale("en"):
        assert vnd(120000) == "₫120,000"
        assert date(dt.date(2025, 7, 6)) == "6 Jul 2025"


def test_scores_are_written_in_the_readers_notation(client, make):
    """A Vietnamese reader reads 36,4 (where "." separates thousands), and 91 rather than 91.0."""
    from decimal import Decimal

    from marketplace.extensions import db
    product = make.listed(stars=5)
    record = product.records[0]
    record.score, record.score_a, record.score_b, record.score_c = (Decimal("91.0"), Decimal("36.4"),
                                                                    Decimal("22.75"), Decimal("31.85"))
    db.session.commit()
    with force_locale("vi"):
        assert (number(Decimal("91.0")), number(Decimal("36.4")), number(1234.5)) == ("91", "36,4", "1.234,5")
    with force_locale("en"):
        assert (number(Decimal("91.0")), number(Decimal("36.4")), number(1234.5)) == ("91", "36.4", "1,234.5")
    page = client.get(f"/products/{product.id}").get_data(as_text=True)
    assert "91 / 100" in page and "36,4" in page and "91.0" not in page and "36.4" not in page
    client.get("/lang/en")
    page = client.get(f"/products/{product.id}").get_data(as_text=True)
    assert "91 / 100" in page and "36.4" in page


def test_a_page_s_images_and_scripts_never_rewrite_the_session(client):
    """An image still loading when a form's page arrived must not write back an older session (the form's
    CSRF token would be lost and the form refused)."""
    client.get("/lang/en")
    client.get("/")
    for asset in ("/static/css/site.css", "/lang/xx"):
        assert "Set-Cookie" not in client.get(asset).headers, asset
