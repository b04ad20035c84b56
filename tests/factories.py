"""Small builders for sellers, products and recognitions: valid by default, override what a test is about."""
from __future__ import annotations

import datetime as dt
import itertools

from stdnum import ean
from stdnum.vn import mst

from marketplace import ocop
from marketplace.certification.models import EvaluationRecord
from marketplace.extensions import db
from marketplace.products.models import Product
from marketplace.sellers.models import Seller

_counter = itertools.count(1)


def tax_code(seed: int) -> str:
    base = 410000000 + seed * 7
    while len(mst.calc_check_digit(f"{base:09d}")) != 1:
        base += 1
    return f"{base:09d}" + mst.calc_check_digit(f"{base:09d}")


def gtin(seed: int) -> str:
    base = f"893{500000000 + seed:09d}"
    return base + ean.calc_check_digit(base)


class Factory:
    def seller(self, **overrides) -> Seller:
        n = next(_counter)
        values = dict(entity_type="cooperative", legal_name=f"HTX Thử nghiệm {n}", registration_no=tax_code(n),
                      province_code=19, verification_status="verified", women_led=False, ethnic_minority_led=False)
        seller = Seller(**(values | overrides))
        db.session.add(seller)
        db.session.flush()
        return seller

    def product(self, seller: Seller | None = None, **overrides) -> Product:
        n = next(_counter)
        values = dict(name=f"Trà thử nghiệm {n}", group_code="I.5", price_vnd=120000, unit="hộp 200 g",
                      status="active")
        product = Product(seller=seller or self.seller(), **(values | overrides))
        db.session.add(product)
        db.session.flush()
        return product

    def record(self, product: Product, *, decision_date: dt.date | None = None, stars: int = 4,
               **overrides) -> EvaluationRecord:
        decision_date = decision_date or ocop.today() - dt.timedelta(days=100)
        n = next(_counter)
        values = dict(stars=stars, score={3: 60, 4: 80, 5: 95}.get(stars, 40), decision_no=f"{n}/QĐ-UBND",
                      decision_date=decision_date, issuer="UBND tỉnh Thái Nguyên",
                      level="national" if stars == 5 else "provincial",
                      valid_until=ocop.default_valid_until(decision_date),
                      legal_basis=ocop.legal_basis_for(decision_date))
        record = EvaluationRecord(product=product, **(values | overrides))
        db.session.add(record)
        db.session.flush()
        return record

    def listed(self, stars: int = 4, seller: Seller | None = None, **product_overrides) -> Product:
        """A product that is listable today."""
        product = self.product(seller, **product_overrides)
        self.record(product, stars=stars)
        db.session.commit()
        return product
