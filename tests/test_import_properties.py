"""A property of the catalogue import: whatever the rows hold, every row is imported or named by its line,
a file with a bad row writes nothing, and nothing raises (the office's upload never answers 500)."""
import datetime as dt

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from marketplace import ocop
from marketplace.catalog.importer import import_rows
from marketplace.certification.models import EvaluationRecord
from marketplace.extensions import db
from marketplace.inventory.models import StockMovement
from marketplace.products.models import Product
from marketplace.sellers.models import Seller
from marketplace.unit_of_work import run

from .factories import tax_code

TODAY = ocop.today()
ODD = st.one_of(st.text(max_size=40), st.sampled_from(["", " ", "\x00", "sNaN", "-1", "1e9", "99999999999999999999",
                                                       "=1+1", "31/02/2025", "x" * 400, "Hà Nội", "I.5.a"]))


def good_or_odd(*good):
    return st.one_of(st.sampled_from(good), ODD)


ROW = st.fixed_dictionaries({
    "seller_name": good_or_odd("HTX Chè Tân Cương", "HTX Mật ong"),
    "entity_type": good_or_odd("cooperative", "enterprise", "household"),
    "registration_no": good_or_odd(tax_code(9101), tax_code(9102)),
    "province": good_or_odd("Thái Nguyên", "19", "Hà Nội"),
    "product_name": good_or_odd("Chè búp", "Mật ong rừng", "Trà xanh"),
    "group_code": good_or_odd("I.5", "I.5.a", "IV.1", "VI"),
    "price_vnd": good_or_odd("120000", "120.000", "1 250 000"),
    "unit": good_or_odd("hộp 200 g", "chai 500 ml"),
    "stars": good_or_odd("3", "4", "5"),
    "score": good_or_odd("", "60", "75.5", "96"),
    "decision_no": good_or_odd("77/QĐ-UBND", "1021/QĐ-UBND"),
    "decision_date": good_or_odd((TODAY - dt.timedelta(days=2)).isoformat(), "2020-01-15"),
    "issuer": good_or_odd("UBND tỉnh Thái Nguyên"),
    "level": good_or_odd("provincial", "national"),
    "stock": good_or_odd("", "10", "0"),
    "story": good_or_odd("", "Câu chuyện sản phẩm"),
})


GOOD = {"seller_name": "HTX Chè Tân Cương", "entity_type": "cooperative", "registration_no": tax_code(9101),
        "province": "Thái Nguyên", "product_name": "Chè búp", "group_code": "I.5", "price_vnd": "120000",
        "unit": "hộp 200 g", "stars": "4", "score": "75", "decision_no": "77/QĐ-UBND",
        "decision_date": (TODAY - dt.timedelta(days=2)).isoformat(), "issuer": "UBND tỉnh Thái Nguyên",
        "level": "provincial", "stock": "10", "story": ""}


def counts() -> tuple:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Seller, Product, EvaluationRecord, StockMovement))


def _empty_database():
    db.session.rollback()
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(rows=st.lists(ROW, min_size=1, max_size=4))
@example(rows=[GOOD])
@example(rows=[GOOD | {"product_name": "Chè\x00búp"}])  # PostgreSQL cannot store a NUL
@example(rows=[GOOD, GOOD | {"product_name": "Trà xanh", "seller_name": "Một tên khác"}])  # one seller, two names
def test_every_row_is_imported_or_named_and_a_bad_file_writes_nothing(app, rows):
    _empty_database()
    numbered = [(line, row) for line, row in enumerate(rows, start=2)]
    result = run(import_rows, numbered)  # the operator's CLI import: nationwide
    if result.errors:
        assert {error.line for error in result.errors} <= {line for line, _row in numbered}
        assert all(error.reasons for error in result.errors)
        assert counts() == (0, 0, 0, 0)  # all or nothing
    else:
        names = {row["product_name"].strip() for row in rows}
        assert set(db.session.scalars(select(Product.name))) == names
        assert db.session.scalar(select(func.count(EvaluationRecord.id))) >= 1
