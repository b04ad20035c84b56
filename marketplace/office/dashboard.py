"""The programme's indicators (DESIGN §1) for a province or the whole country."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .. import ocop
from ..certification.models import EvaluationRecord
from ..certification.services import listable_select
from ..extensions import db
from ..inventory.models import SalesPoint
from ..products.models import Product
from ..sellers.models import Seller

EXPIRY_HORIZON_DAYS = 90


@dataclass
class Share:
    key: str
    label: object
    count: int
    total: int
    target: float | None  # a share, 0.4 for 40 %

    @property
    def share(self) -> float:
        return self.count / self.total if self.total else 0.0

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.share >= self.target


@dataclass
class Indicators:
    province_code: int | None
    sellers: int
    shares: list[Share]
    by_stars: dict[int, int]
    by_group: dict[str, int]
    products: int
    five_star: int
    expiring: list = field(default_factory=list)
    expiring_count: int = 0
    points_by_province: dict[int, int] = field(default_factory=dict)  # open sales points

    @property
    def provinces_without_point(self) -> list[int]:
        codes = [self.province_code] if self.province_code else [int(p.code) for p in ocop.PROVINCES]
        return [code for code in codes if not self.points_by_province.get(code)]

    @property
    def place(self) -> str:
        return ocop.province_name(self.province_code) if self.province_code else ""


def indicators(province_code: int | None = None, today: dt.date | None = None) -> Indicators:
    today = today or ocop.today()
    in_place = (lambda query: query.where(Seller.province_code == province_code)) if province_code else (lambda q: q)

    verified = in_place(select(Seller.entity_type, Seller.women_led, Seller.ethnic_minority_led, func.count(Seller.id))
                        .where(Seller.verification_status == "verified")
                        .group_by(Seller.entity_type, Seller.women_led, Seller.ethnic_minority_led))
    by_type: dict[str, int] = {}
    women = minority = total = 0
    for entity_type, women_led, minority_led, count in db.session.execute(verified):
        by_type[entity_type] = by_type.get(entity_type, 0) + count
        women += count if women_led else 0
        minority += count if minority_led else 0
        total += count
    online = db.session.scalar(in_place(listable_select(func.count(func.distinct(Product.seller_id)), today=today)))

    by_stars: dict[int, int] = {}
    by_group: dict[str, int] = {}
    rows = db.session.execute(in_place(listable_select(EvaluationRecord.stars, Product.group_code,
                                                       func.count(Product.id), today=today))
                              .group_by(EvaluationRecord.stars, Product.group_code))
    for stars, group_code, count in rows:
        by_stars[stars] = by_stars.get(stars, 0) + count
        top = ocop.top_group(group_code)
        by_group[top] = by_group.get(top, 0) + count

    horizon = today + dt.timedelta(days=EXPIRY_HORIZON_DAYS)
    expiring_query = in_place(listable_select(Product, EvaluationRecord, today=today)
                              .where(EvaluationRecord.valid_until <= horizon))
    expiring_count = db.session.scalar(in_place(listable_select(func.count(Product.id), today=today)
                                                .where(EvaluationRecord.valid_until <= horizon)))
    expiring = db.session.execute(expiring_query.order_by(EvaluationRecord.valid_until).limit(50)).all()

    open_points = (select(SalesPoint.province_code, func.count(SalesPoint.id)).where(SalesPoint.active.is_(True))
                   .group_by(SalesPoint.province_code))
    if province_code:
        open_points = open_points.where(SalesPoint.province_code == province_code)
    points_by_province = dict(db.session.execute(open_points).all())
    provinces_with_point = len(points_by_province)

    shares = [
        Share("cooperative", _l("Cooperatives"), by_type.get("cooperative", 0), total, 0.40),
        Share("enterprise", _l("Enterprises"), by_type.get("enterprise", 0), total, 0.30),
        Share("women_led", _l("Women-led"), women, total, 0.40),
        Share("ethnic_minority_led", _l("Ethnic-minority-led"), minority, total, 0.20),
        Share("online", _l("Selling online (a product listed here)"), online or 0, total, 0.50),
        Share("cooperative_group", _l("Cooperative groups"), by_type.get("cooperative_group", 0), total, None),
        Share("farm", _l("Farms"), by_type.get("farm", 0), total, None),
        Share("household", _l("Business households"), by_type.get("household", 0), total, None),
        Share("sales_point", _l("Provinces with an open OCOP sales point (at least one each)"), provinces_with_point,
              1 if province_code else len(ocop.PROVINCES), 1.0),
    ]
    return Indicators(province_code, total, shares, by_stars, by_group, sum(by_stars.values()),
                      by_stars.get(5, 0), expiring, expiring_count or 0, points_by_province)


def csv_rows(data: Indicators) -> list[list]:
    place = data.place or "Toàn quốc"
    rows = [["place", "indicator", "count", "of", "share", "target"]]
    for share in data.shares:
        rows.append([place, share.key, share.count, share.total, f"{share.share:.3f}",
                     "" if share.target is None else f"{share.target:.2f}"])
    for stars in (3, 4, 5):
        rows.append([place, f"products_{stars}_stars", data.by_stars.get(stars, 0), data.products, "", ""])
    for group in ocop.TOP_GROUPS:
        rows.append([place, f"products_group_{group.code}", data.by_group.get(group.code, 0), data.products, "", ""])
    rows.append([place, f"recognitions_expiring_{EXPIRY_HORIZON_DAYS}_days", data.expiring_count, "", "", ""])
    return rows
