"""The catalogue import: a good file loads, a bad file loads nothing and names every bad row,
a second import changes nothing, and a newer decision supersedes the older one."""
import csv
import datetime as dt
import io

import pytest
from flask_babel import force_locale
from openpyxl import Workbook

from marketplace import ocop
from marketplace.audit import AuditLog
from marketplace.catalog.importer import COLUMNS, import_file
from marketplace.certification.models import EvaluationRecord
from marketplace.certification.services import listed_record
from marketplace.extensions import db
from marketplace.products.models import Product
from marketplace.sellers.models import Seller
from marketplace.unit_of_work import run

from .factories import gtin, tax_code
from .helpers import officer, sign_in

TODAY = ocop.today()


def row(**overrides):
    decision_date = (TODAY - dt.timedelta(days=60)).isoformat()
    values = {
        "seller_name": "HTX Chè Tân Cương Hoàng Bình", "entity_type": "cooperative",
        "registration_no": tax_code(901), "province": "Thái Nguyên", "ward": "Phường Phan Đình Phùng",
        "women_led": "yes", "ethnic_minority_led": "no", "product_name": "Trà Tân Cương đặc biệt",
        "product_name_en": "Tan Cuong special tea", "group_code": "I.5", "price_vnd": "450000",
        "unit": "hộp 500 g", "description": "Trà búp", "story": "Câu chuyện trà Tân Cương", "stars": "4",
        "score": "82.5", "decision_no": "1358/QĐ-UBND", "decision_date": decision_date,
        "issuer": "UBND tỉnh Thái Nguyên", "level": "provincial", "valid_until": "", "gi": "Chè Tân Cương",
        "planting_area_code": "VN-TNTEA-0012", "gtin": gtin(7),
    }
    return values | overrides


def write_csv(path, rows, columns=COLUMNS):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def counts():
    return (db.session.query(Seller).count(), db.session.query(Product).count(),
            db.session.query(EvaluationRecord).count())


def test_good_csv_loads_verified_listable_products(app, tmp_path):
    second = row(product_name="Trà búp Tân Cương", decision_no="1359/QĐ-UBND", gtin=gtin(8), stars="3",
                 score="60", province="tỉnh thái nguyên", decision_date=(TODAY - dt.timedelta(days=5)).strftime("%d/%m/%Y"))
    result = run(import_file, write_csv(tmp_path / "ok.csv", [row(), second]))

    assert result.ok, result.errors
    assert (result.sellers_created, result.products_created, result.records_created) == (1, 2, 2)
    seller = db.session.scalar(db.select(Seller))
    assert seller.is_verified and seller.women_led and seller.province_code == 19
    assert seller.ward_name == "Phường Phan Đình Phùng"
    product = db.session.scalar(db.select(Product).filter_by(name="Trà Tân Cương đặc biệt"))
    record = listed_record(product)
    assert record.stars == 4 and record.decision_no == "1358/QĐ-UBND"
    assert record.valid_until.year == record.decision_date.year + 3  # 36 months by default
    assert record.legal_basis == "148/QĐ-TTg"
    assert product.price_vnd == 450000 and product.gtin == gtin(7)


def test_xlsx_first_sheet_and_province_code(app, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    data = row(province="19", price_vnd=450000, decision_date=TODAY - dt.timedelta(days=60))
    sheet.append([data.get(c, "") for c in COLUMNS])
    workbook.create_sheet("notes").append(["ignored"])
    workbook.save(tmp_path / "ok.xlsx")

    result = run(import_file, tmp_path / "ok.xlsx")

    assert result.ok, result.errors
    assert counts() == (1, 1, 1)


def test_optional_columns_may_be_absent(app, tmp_path):
    required = ["seller_name", "entity_type", "registration_no", "province", "product_name", "group_code",
                "price_vnd", "unit", "stars", "decision_no", "decision_date", "issuer", "level"]
    result = run(import_file, write_csv(tmp_path / "min.csv", [row()], columns=required))
    assert result.ok, result.errors
    assert counts() == (1, 1, 1)


BAD_ROWS = [
    ("tax code check digit", dict(registration_no=tax_code(901)[:9] + str((int(tax_code(901)[9]) + 1) % 10)),
     "check digit"),
    ("unknown province", dict(province="Tỉnh Hà Tây"), "province"),
    ("unknown group", dict(group_code="VII.1"), "group"),
    ("score outside band", dict(stars="5", score="82", level="national"), "band"),
    ("bad date", dict(decision_date="31/02/2024"), "date"),
    ("bad GTIN check digit", dict(gtin=gtin(7)[:-1] + str((int(gtin(7)[-1]) + 1) % 10)), "GTIN"),
    ("missing required value", dict(product_name=""), "product_name"),
    ("bad entity type", dict(entity_type="company"), "entity_type"),
    ("price with decimals", dict(price_vnd="120000.5"), "price_vnd"),
    ("valid_until before decision", dict(valid_until="2001-01-01"), "valid_until"),
    ("5 stars at provincial level", dict(stars="5", score="95"), "national"),
]


@pytest.mark.parametrize("name, change, reason", BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_a_bad_row_imports_nothing_and_names_line_and_reason(app, tmp_path, name, change, reason):
    good = row(product_name="Sản phẩm tốt", decision_no="1/QĐ-UBND")
    with force_locale("en"):
        result = run(import_file, write_csv(tmp_path / "bad.csv", [good, row(**change)]))

    assert not result.ok
    assert [e.line for e in result.errors] == [3]  # header is line 1
    assert reason.lower() in " ".join(result.errors[0].reasons).lower()
    assert counts() == (0, 0, 0)


def test_every_bad_row_is_listed(app, tmp_path):
    rows = [row(group_code="X.9"), row(product_name="ok", decision_no="2/QĐ-UBND"),
            row(province="Atlantis", stars="9", decision_no="3/QĐ-UBND")]
    result = run(import_file, write_csv(tmp_path / "bad.csv", rows))
    assert [(e.line, len(e.reasons)) for e in result.errors] == [(2, 1), (4, 2)]
    assert counts() == (0, 0, 0)


def test_importing_the_same_file_twice_changes_nothing(app, tmp_path):
    path = write_csv(tmp_path / "ok.csv", [row(), row(product_name="Trà nõn tôm", decision_no="2/QĐ-UBND")])
    first = run(import_file, path)
    before = counts()
    second = run(import_file, path)

    assert first.changed > 0
    assert second.ok and second.changed == 0
    assert counts() == before


def test_a_newer_decision_supersedes_the_older_one(app, tmp_path):
    run(import_file, write_csv(tmp_path / "2024.csv", [row(stars="4", score="80",
                                                      decision_date=(TODAY - dt.timedelta(days=500)).isoformat())]))
    newer = row(stars="3", score="65", decision_no="2001/QĐ-UBND", price_vnd="480000",
                decision_date=(TODAY - dt.timedelta(days=3)).isoformat())
    result = run(import_file, write_csv(tmp_path / "2026.csv", [newer]))

    assert result.ok and result.records_created == 1 and result.products_updated == 0  # only the price differs
    product = db.session.scalar(db.select(Product))
    assert len(product.records) == 2
    assert listed_record(product).decision_no == "2001/QĐ-UBND"
    assert listed_record(product).stars == 3
    assert product.price_vnd == 450000  # the price is the seller's: only a new product takes the file's


def test_the_cli_reports_errors_in_vietnamese_and_english(app, tmp_path):
    path = write_csv(tmp_path / "bad.csv", [row(province="Atlantis")])
    runner = app.test_cli_runner()

    vi = runner.invoke(args=["catalog", "import", str(path)])
    en = runner.invoke(args=["catalog", "import", str(path), "--lang", "en"])

    assert vi.exit_code == 1 and en.exit_code == 1
    assert "Chưa nhập gì" in vi.output and "dòng 2" in vi.output and "Atlantis" in vi.output
    assert "Nothing was imported" in en.output and "line 2" in en.output
    assert counts() == (0, 0, 0)


def test_the_cli_imports_a_good_file(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["catalog", "import", str(write_csv(tmp_path / "ok.csv", [row()])),
                                                "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Products: 1 new" in result.output and "Stock received: 0" in result.output
    assert counts() == (1, 1, 1)


def test_a_file_without_required_columns_is_refused(app, tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("seller_name,product_name\nA,B\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["catalog", "import", str(path), "--lang", "en"])
    assert result.exit_code != 0 and "missing columns" in result.output
    assert counts() == (0, 0, 0)


def test_a_non_utf8_csv_is_refused(app, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(",".join(COLUMNS).encode() + b"\nTr\xe0 ...\n")
    result = app.test_cli_runner().invoke(args=["catalog", "import", str(path), "--lang", "en"])
    assert result.exit_code != 0 and "UTF-8" in result.output


def test_the_stock_column_is_received_once_into_the_sellers_warehouse(app, tmp_path):
    from marketplace.inventory import services as stock
    path = write_csv(tmp_path / "stock.csv", [row(stock="120")], columns=COLUMNS)
    first, second = run(import_file, path), run(import_file, path)
    assert first.stock_received == 120 and second.stock_received == 0 and second.changed == 0
    product = db.session.scalar(db.select(Product))
    location = stock.warehouse_of(product.seller)
    assert stock.level(location.id, product.id).on_hand == 120 == stock.ledger_totals(location.id, product.id)[0]
    with force_locale("en"):
        bad = run(import_file, write_csv(tmp_path / "bad.csv", [row(stock="-5", decision_no="9/QĐ")]))
    assert not bad.ok and "stock" in bad.errors[0].reasons[0]


# --- Scope: an import never moves, renames or verifies a seller, nor reprices a product -------------

def upload(client, rows):
    """The rows as a CSV file, uploaded at Office → Import."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return client.post("/office/import", data={"file": (io.BytesIO(out.getvalue().encode("utf-8")), "qd.csv")},
                       content_type="multipart/form-data")


def state(seller):
    """What an import must not change about a seller and its goods, read fresh from the database."""
    from marketplace.inventory.models import StockLevel
    db.session.expire_all()
    seller = db.session.get(Seller, seller.id)
    return {
        "seller": (seller.legal_name, seller.entity_type, seller.province_code, seller.ward_code,
                   seller.women_led, seller.ethnic_minority_led, seller.verification_status),
        "products": sorted((p.name, p.price_vnd, p.unit, sorted(r.decision_no for r in p.records),
                            sorted(db.session.scalars(db.select(StockLevel.on_hand).filter_by(product_id=p.id))))
                           for p in seller.products),
        "rows": (*counts(), db.session.query(AuditLog).count()),
    }


@pytest.fixture
def hanoi_seller(make):
    """A verified Hà Nội cooperative with a listed product and 10 units in its warehouse."""
    from marketplace.inventory import services as stock
    seller = make.seller(legal_name="HTX Gốm Bát Tràng", province_code=1)
    product = make.listed(seller=seller, name="Bình gốm men lam", price_vnd=450000, group_code="IV.1")
    stock.receive(stock.warehouse_of(seller).id, product.id, 10, reason="opening stock")
    db.session.commit()
    return seller


def test_a_provincial_officer_cannot_take_over_another_provinces_seller(client, hanoi_seller):
    """Issue 10: a Thái Nguyên officer's file names a Hà Nội seller's number under Thái Nguyên."""
    sign_in(client, officer(19, "office19@ocop.vn").email)
    before = state(hanoi_seller)
    hostile = row(registration_no=hanoi_seller.registration_no, seller_name="HTX Đã Đổi Tên",
                  product_name="Bình gốm men lam", group_code="IV.1", price_vnd="1000", stock="500",
                  stars="4", score="80", decision_no="666/QĐ-UBND", gi="", planting_area_code="")

    page = upload(client, [hostile])

    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert f"chủ thể {hanoi_seller.registration_no} thuộc Hà Nội" in text and "dòng 2" in text
    assert state(hanoi_seller) == before  # same province, name, products, price, stock, records; no audit


def test_a_pending_sellers_number_is_a_row_error_on_the_web(client, make):
    pending = make.seller(province_code=19, verification_status="pending")
    db.session.commit()
    sign_in(client, officer(19, "office19@ocop.vn").email)
    before = state(pending)

    page = upload(client, [row(registration_no=pending.registration_no)])

    assert page.status_code == 422
    assert f"chủ thể {pending.registration_no} chưa được xác minh" in page.get_data(as_text=True)
    assert state(pending) == before and before["seller"][-1] == "pending"


@pytest.mark.parametrize("status", ["pending", "rejected", "suspended"])
def test_a_seller_that_is_not_verified_is_a_row_error_in_the_cli(app, make, tmp_path, status):
    seller = make.seller(province_code=19, verification_status=status)
    db.session.commit()
    before = state(seller)
    path = write_csv(tmp_path / "pending.csv", [row(registration_no=seller.registration_no)])

    result = app.test_cli_runner().invoke(args=["catalog", "import", str(path), "--lang", "en"])

    assert result.exit_code == 1
    assert f"seller {seller.registration_no} is not verified" in result.output
    assert state(seller) == before and before["seller"][-1] == status


def test_the_cli_never_moves_a_seller_between_provinces(app, hanoi_seller, tmp_path):
    before = state(hanoi_seller)
    path = write_csv(tmp_path / "move.csv", [row(registration_no=hanoi_seller.registration_no,
                                                 product_name="Sản phẩm khác", decision_no="5/QĐ-UBND")])

    result = app.test_cli_runner().invoke(args=["catalog", "import", str(path), "--lang", "en"])

    assert result.exit_code == 1
    assert f"line 2: seller {hanoi_seller.registration_no} belongs to Hà Nội" in result.output
    assert state(hanoi_seller) == before


def test_one_new_seller_cannot_be_given_two_provinces_in_one_file(app, tmp_path):
    rows = [row(), row(product_name="Trà nõn tôm", decision_no="2/QĐ-UBND", province="Sơn La", ward="")]
    with force_locale("en"):
        result = run(import_file, write_csv(tmp_path / "two.csv", rows))
    assert [e.line for e in result.errors] == [3]
    assert "line 2" in result.errors[0].reasons[0] and counts() == (0, 0, 0)


def test_an_officers_rows_must_all_be_for_their_province(client, hanoi_seller):
    sign_in(client, officer(19, "office19@ocop.vn").email)
    before = state(hanoi_seller)
    rows = [row(), row(registration_no=hanoi_seller.registration_no, province="Hà Nội", ward="",
                       product_name="Bình gốm men lam", group_code="IV.1", decision_no="7/QĐ-UBND")]

    page = upload(client, rows)

    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "dòng 3" in text and "thuộc tỉnh khác" in text and "dòng 2" not in text
    assert state(hanoi_seller) == before and counts()[0] == 1  # only the Hà Nội seller


def test_a_nationwide_officer_imports_for_any_provinces_verified_sellers(client, make, hanoi_seller):
    thai_nguyen = make.seller(province_code=19)
    db.session.commit()
    sign_in(client, officer(None, "office@ocop.vn").email)
    rows = [row(registration_no=hanoi_seller.registration_no, province="Hà Nội", ward="", seller_name="x",
                product_name="Ấm gốm", group_code="IV.1", decision_no="8/QĐ-UBND", gi="", planting_area_code=""),
            row(registration_no=thai_nguyen.registration_no, decision_no="9/QĐ-UBND")]

    page = upload(client, rows)

    assert page.status_code == 200, page.get_data(as_text=True)
    db.session.expire_all()
    assert {p.name for p in db.session.get(Seller, hanoi_seller.id).products} == {"Bình gốm men lam", "Ấm gốm"}
    assert [p.name for p in db.session.get(Seller, thai_nguyen.id).products] == ["Trà Tân Cương đặc biệt"]
    assert db.session.get(Seller, hanoi_seller.id).legal_name == "HTX Gốm Bát Tràng"  # not renamed


def test_a_reimport_with_another_price_keeps_the_sellers_price(app, tmp_path):
    run(import_file, write_csv(tmp_path / "first.csv", [row()]))
    product = db.session.scalar(db.select(Product))
    product.price_vnd = 470000  # the seller changed it in the console
    db.session.commit()

    result = run(import_file, write_csv(tmp_path / "again.csv", [row(price_vnd="1000", unit="hộp 400 g")]))

    assert result.ok and result.products_updated == 1
    db.session.expire_all()
    product = db.session.scalar(db.select(Product))
    assert product.price_vnd == 470000 and product.unit == "hộp 400 g"


def test_a_web_import_audits_each_rows_effect(client, make):
    existing = make.seller(province_code=19)
    make.listed(seller=existing, name="Trà móc câu", price_vnd=300000, unit="gói 100 g")
    sign_in(client, officer(19, "office19@ocop.vn").email)
    rows = [row(stock="20"),
            row(registration_no=existing.registration_no, product_name="Trà móc câu", unit="gói 200 g",
                price_vnd="1000", decision_no="42/QĐ-UBND", gtin="")]

    page = upload(client, rows)

    assert page.status_code == 200, page.get_data(as_text=True)
    entries = db.session.scalars(db.select(AuditLog).filter_by(action="catalogue.import.row")
                                 .order_by(AuditLog.id)).all()
    assert [e.after["line"] for e in entries] == [2, 3]
    assert all(e.actor.email == "office19@ocop.vn" and e.object_type == "products" for e in entries)
    new, old = (e.after for e in entries)
    assert new["registration_no"] == tax_code(901) and new["seller"] == "created"
    assert (new["product"], new["product_effect"], new["decision_no"]) == ("Trà Tân Cương đặc biệt", "created",
                                                                          "1358/QĐ-UBND")
    assert new["record_effect"] == "created" and new["stock_received"] == 20
    assert old["registration_no"] == existing.registration_no and old["seller"] == "unchanged"
    assert old["product_effect"] == "updated" and old["product_changes"]["unit"] == ["gói 100 g", "gói 200 g"]
    assert "price_vnd" not in old["product_changes"] and old["price_kept"] == {"file": 1000, "product": 300000}
    assert old["record_effect"] == "created" and old["stock_received"] == 0
    summary = db.session.scalar(db.select(AuditLog).filter_by(action="catalogue.import"))
    assert summary.after["rows"] == 2 and summary.after["sellers_created"] == 1
