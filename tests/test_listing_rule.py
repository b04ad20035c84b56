"""THE listing rule: the SQL expression and the Python predicate agree on every case,
and time passing alone unlists a product."""
import datetime as dt

import pytest

from marketplace.certification.services import is_listable, listable_ids, unlisted_reasons
from marketplace.extensions import db
from marketplace.models_base import utcnow

DAY = dt.timedelta(days=1)


def _two_star(make, product, today):
    make.record(product, stars=2, score=45)


def _three_star_valid(make, product, today):
    make.record(product, stars=3)


def _expired_yesterday(make, product, today):
    make.record(product, decision_date=today - dt.timedelta(days=1000), valid_until=today - DAY)


def _expires_tomorrow(make, product, today):
    make.record(product, decision_date=today - dt.timedelta(days=1000), valid_until=today + DAY)


def _valid_until_today(make, product, today):  # valid_until is the first day it no longer holds
    make.record(product, decision_date=today - dt.timedelta(days=1000), valid_until=today)


def _valid_from_tomorrow(make, product, today):
    make.record(product, decision_date=today + DAY)


def _decided_today(make, product, today):
    make.record(product, decision_date=today)


def _revoked(make, product, today):
    make.record(product, revoked_at=utcnow(), revoked_reason="quality not kept")


def _seller_unverified(make, product, today):
    product.seller.verification_status = "pending"
    make.record(product)


def _seller_suspended(make, product, today):
    product.seller.verification_status = "suspended"
    make.record(product)


def _product_draft(make, product, today):
    product.status = "draft"
    make.record(product)


def _newer_two_star_supersedes_four_star(make, product, today):
    make.record(product, stars=4, decision_date=today - dt.timedelta(days=400))
    make.record(product, stars=2, score=40, decision_date=today - dt.timedelta(days=10))


def _newer_five_star_supersedes_expired_three_star(make, product, today):
    make.record(product, stars=3, decision_date=today - dt.timedelta(days=1200), valid_until=today - DAY)
    make.record(product, stars=5, decision_date=today - dt.timedelta(days=5))


def _future_re_evaluation_does_not_count_yet(make, product, today):
    make.record(product, stars=4, decision_date=today - dt.timedelta(days=200))
    make.record(product, stars=2, score=40, decision_date=today + dt.timedelta(days=3))


def _no_recognition(make, product, today):
    pass


CASES = [
    (_two_star, False),
    (_three_star_valid, True),
    (_expired_yesterday, False),
    (_expires_tomorrow, True),
    (_valid_until_today, False),
    (_valid_from_tomorrow, False),
    (_decided_today, True),
    (_revoked, False),
    (_seller_unverified, False),
    (_seller_suspended, False),
    (_product_draft, False),
    (_newer_two_star_supersedes_four_star, False),
    (_newer_five_star_supersedes_expired_three_star, True),
    (_future_re_evaluation_does_not_count_yet, True),
    (_no_recognition, False),
]


@pytest.mark.parametrize("arrange, expected", CASES, ids=[case.__name__.strip("_") for case, _ in CASES])
def test_listing_rule(make, today, arrange, expected):
    product = make.product()
    arrange(make, product, today)
    db.session.commit()
    db.session.expire_all()

    in_sql = product.id in set(db.session.scalars(listable_ids(today)))
    in_python = is_listable(product, today)

    assert in_sql is expected
    assert in_python is expected
    assert (unlisted_reasons(product, today) == []) is expected


def test_time_passing_alone_unlists_a_product(make, client, clock, today):
    product = make.product()
    record = make.record(product, decision_date=today - dt.timedelta(days=30))
    db.session.commit()
    last_valid_day = record.valid_until - DAY

    clock(last_valid_day)
    assert client.get(f"/products/{product.id}").status_code == 200
    assert client.get(f"/api/v1/products/{product.id}").status_code == 200
    assert product.name in client.get("/groups/I.5").get_data(as_text=True)

    clock(record.valid_until)  # nothing changed in the database, only the date
    assert client.get(f"/products/{product.id}").status_code == 404
    assert client.get(f"/api/v1/products/{product.id}").status_code == 404
    assert client.get(f"/trace/{product.id}").status_code == 404
    assert product.name not in client.get("/groups/I.5").get_data(as_text=True)
    assert product.id not in [i["id"] for i in client.get("/api/v1/products").get_json()["items"]]


def test_listable_select_gives_one_row_per_product(make, today):
    product = make.product()
    make.record(product, stars=3, decision_date=today - dt.timedelta(days=300))
    make.record(product, stars=4, decision_date=today - dt.timedelta(days=20))
    db.session.commit()
    rows = db.session.execute(listable_ids(today)).all()
    assert rows == [(product.id,)]
    from marketplace.catalog.services import get_listing
    assert get_listing(product.id, today).record.stars == 4


def test_records_added_together_or_redated_stay_chained(make, today):
    """The SQL rule relies on `superseded_on`, kept on every flush: check it when records arrive
    in one flush with a new product, and when a record's date is corrected."""
    from marketplace.certification.models import EvaluationRecord
    from marketplace.products.models import Product

    def record(stars, days_ago, number):
        day = today - dt.timedelta(days=days_ago)
        return EvaluationRecord(stars=stars, decision_no=number, decision_date=day, issuer="UBND",
                                level="provincial", valid_until=day + dt.timedelta(days=1000), legal_basis="148/QĐ-TTg")

    product = Product(seller=make.seller(), name="Mật ong", group_code="I.2", price_vnd=1000, unit="chai",
                      status="active")
    older, newer = record(4, 300, "1/QĐ"), record(2, 10, "2/QĐ")
    product.records.extend([newer, older])
    db.session.add(product)
    db.session.commit()
    assert product.id not in set(db.session.scalars(listable_ids(today)))  # the newer 2★ is in force

    newer.decision_date = today - dt.timedelta(days=400)  # a typo corrected: the 2★ was the older one
    db.session.commit()
    assert product.id in set(db.session.scalars(listable_ids(today)))
    assert is_listable(product, today)
    assert (newer.superseded_on, older.superseded_on) == (older.decision_date, None)
