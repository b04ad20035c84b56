"""`flask demo load`: an example catalogue so a newcomer browses a real-looking shop.

Products go in through the catalogue import (the path a provincial office uses), then get their
English text, pictures made here with Pillow, and the hidden cases that must never show.
Loading twice changes nothing.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import unicodedata
from decimal import Decimal

import click
from flask import current_app
from flask.cli import with_appcontext
from PIL import Image, ImageDraw, ImageFont
from stdnum import ean
from stdnum.vn import mst

from .. import ocop, storage
from ..catalog.importer import import_rows
from ..catalog.services import Filters, find_listings
from ..certification.models import EvaluationRecord
from ..combos.importer import import_rows as import_combo_rows
from ..combos.services import combo_by_code
from ..experiences.models import ExperienceSession
from ..extensions import db
from ..inventory import services as stock
from ..inventory.models import SalesPoint, StockLocation
from ..models_base import utcnow
from ..products.images import make_renditions_of
from ..products.models import Product, ProductImage
from ..rates.models import ExchangeRate
from ..sellers.models import Seller
from ..unit_of_work import run
from . import data

GROUP_COLOURS = {"I": (46, 125, 50), "II": (21, 101, 192), "III": (106, 27, 154), "IV": (191, 84, 0),
                 "V": (173, 20, 87), "VI": (0, 121, 107)}


def demo_marker(app) -> str:
    return os.path.join(app.instance_path, "DEMO_DATA")


def registration_no(index: int, entity_type: str, province_code: int) -> str:
    if entity_type in ocop.PERSONAL_ID_ENTITIES:
        return f"0{province_code:02d}{index % 2}{85 + index % 10:02d}{100000 + index:06d}"
    seed = 310123456 + index * 1234567
    while len(mst.calc_check_digit(f"{seed:09d}")) != 1:  # some bases have no one-digit check digit
        seed += 1
    return f"{seed:09d}" + mst.calc_check_digit(f"{seed:09d}")


def gtin(index: int) -> str:
    base = f"893{600000000 + index * 1013:09d}"
    return base + ean.calc_check_digit(base)


def _issuer(level: str, province_code: int, decision_date: dt.date) -> str:
    if level == "national":
        if decision_date >= dt.date(2025, 7, 6):
            return "Bộ Nông nghiệp và Môi trường"
        return "Bộ Nông nghiệp và Phát triển nông thôn"
    name = ocop.province_name(province_code)
    return f"UBND {name}" if name.startswith("Thành phố") else f"UBND tỉnh {name}"


def _row(index, seller_key, group, name, name_en, price, unit, stars, score, gi, pac, decision_date):
    entity_type, legal_name, province_code, women, minority, _rep = data.SELLERS[seller_key]
    level = "national" if stars == 5 else "provincial"
    seller_index = list(data.SELLERS).index(seller_key)
    province = ocop.province_name(province_code)
    story = (f"{name} là {data.GROUP_WORDS[group.split('.')[0]][0]} mang dấu ấn của {province}: nguyên liệu "
             f"địa phương, cách làm được {legal_name} gìn giữ qua nhiều thế hệ và được hội đồng OCOP đánh giá "
             f"{stars} sao.")
    return {
        "seller_name": legal_name, "entity_type": entity_type,
        "registration_no": registration_no(seller_index, entity_type, province_code),
        "province": province, "ward": ocop.wards_of(province_code)[seller_index % 7].name,
        "women_led": "yes" if women else "no", "ethnic_minority_led": "yes" if minority else "no",
        "product_name": name, "product_name_en": name_en, "group_code": group, "price_vnd": str(price),
        "unit": unit, "description": f"{name} do {legal_name} sản xuất tại {province}. Sản phẩm OCOP {stars} sao.",
        "story": story, "stars": str(stars), "score": str(score),
        "decision_no": f"{200 + index}/QĐ-BNNMT" if level == "national" else f"{1000 + index * 7}/QĐ-UBND",
        "decision_date": decision_date.isoformat(), "issuer": _issuer(level, province_code, decision_date),
        "level": level, "gi": gi or "", "planting_area_code": pac or "",
        "gtin": gtin(index) if group.split(".")[0] in ("I", "II", "III") else "",
        "liquid_ml": str(data.LIQUIDS.get(name, "")),
        "stock": str(12 + (index * 37) % 150),
    }


def catalogue_rows(today: dt.date) -> list[tuple[int, dict]]:
    rows = []
    for i, (seller, group, name, name_en, price, unit, _unit_en, stars, score, gi, pac) in enumerate(data.PRODUCTS):
        decision_date = today - dt.timedelta(days=45 + (i * 37) % 800)
        rows.append(_row(i, seller, group, name, name_en, price, unit, stars, score, gi, pac, decision_date))
    offset = len(data.PRODUCTS)
    for j, (seller, group, name, name_en, price, unit, _unit_en, stars, score, why) in enumerate(data.HIDDEN):
        decision_date = today - dt.timedelta(days=400)
        if why == "expired":
            decision_date = ocop.add_months(today, -37)
        rows.append(_row(offset + j, seller, group, name, name_en, price, unit, stars, score, None, None,
                         decision_date))
        if why == "superseded":  # a newer re-evaluation lowered it to 2★
            newer = _row(offset + 50 + j, seller, group, name, name_en, price, unit, 2, 42, None, None,
                         today - dt.timedelta(days=20))
            rows.append(newer | {"gtin": rows[-1]["gtin"]})
    return [(n, row) for n, row in enumerate(rows, start=2)]


def _fold(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def make_image(name: str, group: str, stars: int) -> bytes:
    """A 600×600 label-like picture: the group's colour, the product's name and its stars."""
    colour = GROUP_COLOURS[group.split(".")[0]]
    image = Image.new("RGB", (600, 600), colour)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 90) for c in colour)
    draw.ellipse((120, 70, 480, 430), fill=light)
    draw.rounded_rectangle((60, 420, 540, 560), radius=24, fill=(255, 253, 245))
    words, lines = _fold(name).split(), [""]
    for word in words:
        lines[-1:] = [f"{lines[-1]} {word}".strip()] if len(lines[-1]) + len(word) < 22 else [lines[-1], word]
    font = ImageFont.load_default(size=34)
    for k, line in enumerate(lines[:2]):
        draw.text((300, 462 + k * 42), line, fill=(40, 40, 40), font=font, anchor="mm")
    star_font = ImageFont.load_default(size=64)
    draw.text((300, 250), "OCOP", fill=colour, font=star_font, anchor="mm")
    for s in range(stars):
        cx = 300 + (s - (stars - 1) / 2) * 56
        draw.regular_polygon((cx, 330, 24), 5, rotation=90 - 36, fill=(255, 193, 7))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return out.getvalue()


def _enrich(today: dt.date) -> None:
    by_name = {p.name: p for p in db.session.scalars(db.select(Product))}
    photos = storage.public()
    for i, entry in enumerate(data.PRODUCTS + data.HIDDEN):
        seller_key, group, name, name_en, _price, _unit, unit_en, stars = entry[:8]
        product = by_name[name]
        legal_name, province_code = data.SELLERS[seller_key][1], data.SELLERS[seller_key][2]
        province = ocop.province_name(province_code)
        word_en = data.GROUP_WORDS[group.split(".")[0]][1]
        product.unit_en = unit_en
        product.description_en = f"{name_en}, made by {legal_name} in {province}. An OCOP {stars}-star product."
        if group.split(".")[0] in ("I", "II", "III"):
            product.shelf_life = "12 tháng kể từ ngày sản xuất"
            product.standards = "TCCS 01:2024"
        for record in product.records:
            record.story_en = (f"{name_en} is a {word_en} that carries the mark of {province}: local ingredients "
                               f"and a craft kept by {legal_name} for generations, rated {record.stars} stars "
                               f"by the OCOP council.")
            if record.score is not None and record.score_a is None:
                parts = ocop.PART_MAXIMA[record.legal_basis]
                record.score_a, record.score_b, record.score_c = (
                    round(record.score * part / 100, 2) for part in parts)
        filename = f"demo/product-{i:03d}.jpg"
        if not photos.exists(filename):
            photos.save(filename, make_image(name, group, stars))
        if not product.images:
            product.images.append(ProductImage(filename=filename, alt=name, alt_en=name_en))
        if product.images[0].widths is None:
            product.images[0].widths = make_renditions_of(product.images[0].filename)
    revoked = by_name[next(h[2] for h in data.HIDDEN if h[-1] == "revoked")]
    for record in revoked.records:
        if record.revoked_at is None:
            record.revoked_at = utcnow()
            record.revoked_reason = "Demo: thu hồi do cơ sở không duy trì chất lượng sản phẩm."


def _pending_seller(today: dt.date) -> None:
    entity_type, legal_name, province_code, women, minority, rep = data.PENDING_SELLER
    reg = registration_no(99, entity_type, province_code)
    if db.session.scalar(db.select(Seller).filter_by(registration_no=reg)):
        return
    seller = Seller(entity_type=entity_type, legal_name=legal_name, registration_no=reg,
                    province_code=province_code, women_led=women, ethnic_minority_led=minority,
                    representative=rep, verification_status="pending")
    group, name, name_en, price, unit, unit_en, stars, score = data.PENDING_PRODUCT
    product = Product(seller=seller, group_code=group, name=name, name_en=name_en, price_vnd=price, unit=unit,
                      unit_en=unit_en, status="active")
    decision_date = today - dt.timedelta(days=100)
    product.records.append(EvaluationRecord(
        stars=stars, score=score, decision_no="9999/QĐ-UBND", decision_date=decision_date,
        issuer=_issuer("provincial", province_code, decision_date), level="provincial",
        valid_until=ocop.default_valid_until(decision_date), legal_basis=ocop.legal_basis_for(decision_date)))
    db.session.add(seller)


DEMO_POINTS = [  # code, name, kind, province, ward, street, hours, phone; then the English texts
    ("HN-NB1", "Điểm OCOP Sân bay Nội Bài (mẫu)", "station_airport", 1, "Xã Nội Bài", "Nhà ga T2, Sân bay Nội Bài",
     "6:00–22:00 hằng ngày", "024 3884 1234",
     ("OCOP point, Noi Bai Airport (example)", "Terminal 2, Noi Bai Airport", "6:00–22:00 daily")),
    ("TN-BD1", "Điểm OCOP Bưu điện Thái Nguyên (mẫu)", "post_office", 19, "Phường Phan Đình Phùng",
     "10 Đường Đội Cấn", "7:30–17:30, thứ Hai đến thứ Bảy", "0208 3855 678",
     ("OCOP point, Thai Nguyen Post Office (example)", "10 Doi Can Street", "7:30–17:30, Monday to Saturday")),
    ("HUE-DN1", "Điểm OCOP Đại Nội Huế (mẫu)", "tourist_site", 46, "Phường Phú Xuân", "Cửa Ngọ Môn, Đại Nội",
     "8:00–18:00 hằng ngày", "0234 3512 345",
     ("OCOP point, Hue Imperial City (example)", "Ngo Mon Gate, Imperial City", "8:00–18:00 daily")),
]


DEMO_GIFT_WRAP = {"HN-NB1": 30000, "HUE-DN1": 20000}  # the points that wrap gifts, and their fee


DEMO_POINT_MARGIN_BP = 1500  # a point keeps 15 % of what it sells for the producers (an example figure)


def _ward_code(province: int, name: str) -> int:
    return next(int(ward.code) for ward in ocop.wards_of(province) if ward.name == name)


def _sales_points() -> None:
    """Three example sales points (once), each in its own ward, with their English texts and opening stock as
    a local would expect: every product of the point's province (its specialities), a share of the others,
    and never a tour or a homestay (group VI is booked, not put on a shelf)."""

    listings = find_listings(Filters(per_page=200)).items
    for n, (code, name, kind, province, ward, street, hours, phone, english) in enumerate(DEMO_POINTS):
        name_en, street_en, hours_en = english
        existing = db.session.scalar(db.select(SalesPoint).filter_by(code=code))
        wrap = DEMO_GIFT_WRAP.get(code)
        if existing is not None:
            existing.gift_wrap_vnd = existing.gift_wrap_vnd if existing.gift_wrap_vnd is not None else wrap
            existing.name_en = existing.name_en or name_en
            existing.street_en = existing.street_en or street_en
            existing.opening_hours_en = existing.opening_hours_en or hours_en
            continue
        point = SalesPoint(code=code, name=name, kind=kind, province_code=province, name_en=name_en,
                           ward_code=_ward_code(province, ward), street=street, opening_hours=hours,
                           street_en=street_en, opening_hours_en=hours_en, gift_wrap_vnd=wrap,
                           phone=phone, location=StockLocation(kind="sales_point", name=name),
                           margin_bp=DEMO_POINT_MARGIN_BP)
        db.session.add(point)
        db.session.flush()
        for i, listing in enumerate(listings):
            local = listing.seller.province_code == province
            if not listing.product.is_service and (local or (i + n) % 3 == 0):
                stock.receive(point.location_id, listing.product.id, 5 + (i * 7) % 20, reason="demo opening stock")


def _combos() -> None:
    """The example gift combos, through the combo import; a point's box gets its items on that point's shelf."""
    by_name = {p.name: p for p in db.session.scalars(db.select(Product))}
    rows = []
    for n, (code, name, name_en, story, story_en, occasion, province, price, point, items) in enumerate(data.COMBOS):
        rows.append((n + 2, {"code": code, "name_vi": name, "name_en": name_en, "story_vi": story, "story_en": story_en,
                             "occasion": occasion, "province": str(province), "price_vnd": str(price), "point": point,
                             "items": ";".join(f"{by_name[item].gtin}:{qty}" for item, qty in items)}))
        if point and combo_by_code(code) is None:
            location_id = db.session.scalar(db.select(SalesPoint.location_id).filter_by(code=point))
            for item, _qty in items:
                stock.receive(location_id, by_name[item].id, 12, reason="demo opening stock for a gift combo")
    result = import_combo_rows(rows)
    if not result.ok:
        raise RuntimeError("demo combos rejected: " + "; ".join(map(str, result.errors)))


def _experience_sessions(today: dt.date) -> None:
    """The demo experiences' sessions over the next four weeks (once: an experience with sessions is left as
    it is). Written as the host's console would, without a host's login (the demo has none)."""
    by_name = {p.name: p for p in db.session.scalars(db.select(Product).where(Product.name.in_(data.EXPERIENCE_SESSIONS)))}
    for name, (weekdays, hour, minutes, places, price, child, languages, meet_vi, meet_en, bring_vi, bring_en) in \
            data.EXPERIENCE_SESSIONS.items():
        product = by_name[name]
        if db.session.scalar(db.select(ExperienceSession.id).filter_by(product_id=product.id).limit(1)) is not None:
            continue
        for offset in range(2, 29):
            day = today + dt.timedelta(days=offset)
            if day.weekday() in weekdays:
                db.session.add(ExperienceSession(
                    product_id=product.id, starts_at=dt.datetime.combine(day, dt.time(hour), ocop.VN_TZ).astimezone(dt.UTC),
                    duration_minutes=minutes, capacity=places, price_vnd=price, child_price_vnd=child,
                    languages=languages, meeting_point_vi=meet_vi, meeting_point_en=meet_en, max_party=places,
                    what_to_bring=bring_vi, what_to_bring_en=bring_en))


def _rates(today: dt.date) -> None:
    """Example exchange rates, when the office has kept none yet."""
    if db.session.scalar(db.select(ExchangeRate.id).limit(1)) is None:
        db.session.add_all(ExchangeRate(currency=code, vnd_per_unit=Decimal(value), as_of=today)
                           for code, value in data.RATES.items())


def _load(today: dt.date):
    result = import_rows(catalogue_rows(today))
    if not result.ok:  # the demo data is ours: a bad row is a bug
        raise RuntimeError("demo catalogue rejected: " + "; ".join(map(str, result.errors)))
    _enrich(today)
    _pending_seller(today)
    db.session.flush()
    _sales_points()  # the points stock listed products: the catalogue must be in place first
    db.session.flush()
    _combos()
    _experience_sessions(today)
    _rates(today)
    return result


def load_demo(today: dt.date | None = None):
    result = run(_load, today or ocop.today())
    with open(demo_marker(current_app), "w", encoding="utf-8") as marker:
        marker.write("This shop holds the demo catalogue of `flask demo load`.\n")
    return result


@click.group("demo", help="The demo catalogue.")
def demo_cli():
    pass


@demo_cli.command("load", help="Load the demo catalogue (example data, safe to run twice).")
@with_appcontext
def load_command():
    result = load_demo()
    click.echo(f"DEMO DATA: {len(data.PRODUCTS) + len(data.HIDDEN) + 1} example products, "
               f"{result.rows} recognition decisions loaded through the catalogue import "
               f"({result.products_created} products and {result.records_created} decisions new), "
               f"{len(data.COMBOS)} gift combos, "
               "plus products that must stay hidden (2★, expired, revoked, superseded, unverified seller). "
               "None of it is real.")
