"""Lists sorted by name read in Vietnamese alphabetical order, in SQL on both databases and in Python."""
import re

from sqlalchemy import literal, select, union_all

from marketplace.collation import by_name, vi_sort_key
from marketplace.extensions import db

from .helpers import seller_signs_in

# As a Vietnamese dictionary (and ICU's Vietnamese collation) orders them.
IN_ORDER = ["An", "Ấm trà", "Bạch trà", "Bình hút lộc", "Dê", "Đá", "Miến dong", "Mứt gừng", "Nước mắm",
            "Ô long", "Ốc", "Ơn", "Uống", "Ưu"]
TONES = ["a", "à", "ả", "ã", "á", "ạ"]


def test_python_sorts_letters_then_tones_as_vietnamese_does():
    assert sorted(reversed(IN_ORDER), key=vi_sort_key) == IN_ORDER
    assert sorted(reversed(TONES), key=vi_sort_key) == TONES
    assert sorted(["ab", "àa", "aà"], key=vi_sort_key) == ["aà", "àa", "ab"]


def test_sql_sorts_the_same_on_this_database(app):
    names = union_all(*(select(literal(name).label("name")) for name in reversed(IN_ORDER + TONES))).subquery()
    ordered = db.session.scalars(select(names.c.name).order_by(by_name(names.c.name))).all()
    assert ordered == sorted(IN_ORDER + TONES, key=vi_sort_key)


def _titles(page):
    return re.findall(r'class="card-title">([^<]+)<', page)


def test_the_shop_and_the_sellers_list_sort_names_alphabetically(client, make):
    seller = make.seller()
    for name in ("Bình hút lộc", "Đá ong", "Dê núi", "Bạch trà"):
        make.listed(seller=seller, name=name)
    assert _titles(client.get("/products?sort=name").get_data(as_text=True)) == [
        "Bạch trà", "Bình hút lộc", "Dê núi", "Đá ong"]
    seller_signs_in(client, seller)
    page = client.get("/seller/products").get_data(as_text=True)
    assert [page.index(name) for name in ("Bạch trà", "Bình hút lộc", "Dê núi", "Đá ong")] == sorted(
        page.index(name) for name in ("Bạch trà", "Bình hút lộc", "Dê núi", "Đá ong"))


def test_sql_folds_vietnamese_marks_as_python_does(app):
    from marketplace.collation import fold_text, folded
    for text in ("Thịt Trâu gác bếp", "ĐẮK LẮK", "Mứt gừng Ô Lâu", "ỳýỷỹỵ"):
        assert db.session.scalar(select(folded(literal(text)))) == fold_text(text)
    assert fold_text("Thịt Trâu gác bếp") == "thit trau gac bep"
