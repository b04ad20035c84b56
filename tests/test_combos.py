"""Gift combos: a box is on sale only while every item is (whatever unlists one, and time alone); what can be
had is the scarcest item's; buying it holds every unit or none, and its price is shared among the producers
to the đồng; the import, the API and the gift pages say the same."""
import datetime as dt
import io
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy import text as sql

from marketplace import ocop
from marketplace.combos import services as combos
from marketplace.combos.importer import COLUMNS
from marketplace.combos.services import ComboFields, Curator, apportion
from marketplace.extensions import db
from marketplace.inventory import check as stock_check
from marketplace.inventory import services as stock
from marketplace.inventory.models import SalesPoint
from marketplace.orders.models import Order, OrderLine
from marketplace.unit_of_work import run

from .factories import gtin
from .helpers import CONTACT, check, check_out, level_of, new_point, officer, stocked

BODY = {"contact": {"name": "Jane Doe", "phone": "0912 345 678", "email": "jane@example.com"},
        "address": {"province": 46, "ward": "Phường Thuận Hóa", "street": "5 Lê Lợi"}, "payment": "cod"}


def make_combo(items, price=500_000, point=None, code="HUE-GIFT", **changes):
    values = dict(code=code, name="Hộp quà Huế", name_en="Huế gift box", story="Quà từ cố đô.",
                  story_en="Gifts from the old capital.", occasion="souvenir", province_code=46, price_vnd=price,
                  point=point, items=items) | changes
    combo, _changed = run(combos.save_combo, Curator(None), ComboFields(**values))
    return combo


@pytest.fixture
def box(make):
    """A Huế box of two producers' goods: 2 × sesame candy (25 in stock: 12 boxes) and 1 tea (7: 7 boxes)."""
    candy_maker = make.seller(legal_name="HTX Mè xửng Huế", province_code=46)
    tea_maker = make.seller(legal_name="HTX Chè Tân Cương", province_code=19)
    candy = stocked(make, candy_maker, "Mè xửng", 60_000, 25, gtin=gtin(1))
    tea = stocked(make, tea_maker, "Trà Tân Cương", 150_000, 7, gtin=gtin(2))
    combo = make_combo([(candy, 2), (tea, 1)], price=250_000)
    return combo, candy, tea


def on_sale(combo_id):
    return combo_id in {combo.id for combo in combos.find_combos()}


# --- The arithmetic ---------------------------------------------------------------------------------

@pytest.mark.parametrize("total, weights, expected", [
    (250_000, [120_000, 150_000], [111_111, 138_889]),
    (100, [1, 1, 1], [34, 33, 33]),
    (3, [1_000_000, 1, 1], [1, 1, 1]),  # every item keeps at least one đồng
    (1_000_000_000, [7, 11, 13], [225_806_452, 354_838_710, 419_354_838]),
])
def test_the_price_is_shared_by_list_price_to_the_dong(total, weights, expected):
    shares = apportion(total, weights)
    assert shares == expected and sum(shares) == total and min(shares) >= 1


def test_a_box_can_be_had_as_often_as_its_scarcest_item_allows(box, make):
    combo, candy, tea = box
    offer = combos.get_offer(combo.id)
    assert offer.available == 7 and offer.why_not(7) is None and offer.why_not(8) == "short"
    stock.adjust(stock.warehouse_of(tea.seller).id, tea.id, -6, reason="damaged")
    stock.adjust(stock.warehouse_of(candy.seller).id, candy.id, -22, reason="damaged")  # 3 left: one box
    db.session.commit()
    assert combos.get_offer(combo.id).available == 1
    stock.adjust(stock.warehouse_of(candy.seller).id, candy.id, -2, reason="damaged")
    db.session.commit()
    assert combos.get_offer(combo.id).available == 0 and combos.get_offer(combo.id).why_not() == "out_of_stock"


def test_a_box_packed_at_a_point_counts_the_points_shelf_only(box, make):
    _combo, candy, tea = box
    point = new_point(officer(46, "office46@ocop.vn"), code="HUE-01", province_code=46)
    stock.receive(point.location_id, candy.id, 9)
    stock.receive(point.location_id, tea.id, 2)
    db.session.commit()
    packed = make_combo([(candy, 2), (tea, 1)], price=260_000, point=point, code="HUE-POINT")
    assert combos.get_offer(packed.id).available == 2  # the warehouses' 25 and 7 do not count here
    assert combos.get_offer(packed.id).parcels == 1 and combos.get_offer(_combo.id).parcels == 2


# --- The listing rule, through every item --------------------------------------------------------------

def _revoke(product):
    product.records[0].revoked_at = dt.datetime.now(dt.UTC)


def _suspend_seller(product):
    product.seller.verification_status = "suspended"


def _archive(product):
    product.status = "archived"


@pytest.mark.parametrize("unlist", [_revoke, _suspend_seller, _archive])
def test_unlisting_one_item_takes_the_box_off_every_page_and_out_of_checkout(client, box, unlist):
    combo, _candy, tea = box
    assert on_sale(combo.id) and client.get(f"/combos/{combo.id}").status_code == 200
    unlist(tea)
    db.session.commit()
    assert not on_sale(combo.id) and combos.get_offer(combo.id) is None
    assert client.get(f"/combos/{combo.id}").status_code == 404
    assert client.get(f"/api/v1/combos/{combo.id}").status_code == 404
    assert combo.id not in [c["id"] for c in client.get("/api/v1/combos").get_json()["items"]]
    assert "Hộp quà Huế" not in client.get("/gifts").get_data(as_text=True)
    assert client.get("/api/v1/combos?q=gift+box+hue").get_json()["items"] == []
    refused = client.post("/api/v1/orders", json=BODY | {"items": [{"combo_id": combo.id, "quantity": 1}]})
    assert refused.status_code == 422 and "items[0].combo_id" in refused.get_json()["fields"]


def test_time_alone_takes_the_box_off_sale_when_an_items_recognition_ends(client, box, clock, today):
    combo, _candy, tea = box
    ends = tea.records[0].valid_until
    clock(ends - dt.timedelta(days=1))
    assert on_sale(combo.id) and client.get(f"/api/v1/combos/{combo.id}").status_code == 200
    clock(ends)  # nothing runs at midnight: the next request already knows
    assert not on_sale(combo.id) and client.get(f"/api/v1/combos/{combo.id}").status_code == 404
    assert client.get(f"/combos/{combo.id}").status_code == 404


def test_a_closed_point_takes_its_boxes_off_sale(box, make):
    _combo, candy, _tea = box
    point = new_point(officer(46, "office46@ocop.vn"), code="HUE-01", province_code=46)
    stock.receive(point.location_id, candy.id, 4)
    db.session.commit()
    packed = make_combo([(candy, 2)], price=110_000, point=point, code="HUE-POINT")
    assert on_sale(packed.id)
    point.active = False
    db.session.commit()
    assert not on_sale(packed.id)


# --- Buying a box --------------------------------------------------------------------------------------

def test_an_order_for_boxes_holds_every_unit_and_shares_the_price_among_the_producers(client, spec, box):
    combo, candy, tea = box
    answer = client.post("/api/v1/orders", json=BODY | {"items": [{"combo_id": combo.id, "quantity": 3}]})
    assert answer.status_code == 201, answer.get_json()
    order = answer.get_json()
    check(spec, "Order", order)
    assert level_of(candy) == (25, 6) and level_of(tea) == (7, 3)
    assert order["combos"] == [{"combo_id": combo.id, "code": "HUE-GIFT", "name": "Hộp quà Huế",
                                "name_en": "Huế gift box", "unit_price_vnd": 250_000, "quantity": 3}]
    lines = [line for part in order["parts"] for line in part["lines"]]
    assert sum(line["subtotal_vnd"] for line in lines) == 750_000 == order["goods_vnd"]
    assert {part["seller"]["name"]: part["goods_vnd"] for part in order["parts"]} == {
        "HTX Mè xửng Huế": 333_333, "HTX Chè Tân Cương": 416_667}  # 120k : 150k of list price
    assert all(line["combo_id"] == combo.id for line in lines)
    # each producer sends its parcel: from Huế to Huế, from Thái Nguyên to Huế
    assert order["delivery_vnd"] == 0 or order["delivery_vnd"] == sum(p["delivery_vnd"] for p in order["parts"])
    assert stock_check.problems() == []


def test_the_answer_to_an_order_lists_it_as_reading_it_back_does(client, make):
    """The 201 shows the order as written, in the order a later GET lists it: parts, lines and boxes by how
    they were stored, also when a later box's producer comes first (it is stored first)."""
    candy_maker = make.seller(legal_name="HTX Mè xửng Huế", province_code=46)
    tea_maker = make.seller(legal_name="HTX Chè Tân Cương", province_code=19)
    candy = stocked(make, candy_maker, "Mè xửng", 60_000, 25, gtin=gtin(1))
    tea = stocked(make, tea_maker, "Trà Tân Cương", 150_000, 7, gtin=gtin(2))
    ginger = stocked(make, candy_maker, "Mứt gừng", 45_000, 9, gtin=gtin(3))
    tea_box = make_combo([(tea, 1)], price=140_000, code="TEA-BOX")
    candy_box = make_combo([(candy, 2)], price=110_000, code="CANDY-BOX")
    placed = client.post("/api/v1/orders", json=BODY | {"items": [
        {"product_id": ginger.id, "quantity": 1}, {"combo_id": tea_box.id, "quantity": 1},
        {"combo_id": candy_box.id, "quantity": 1}]})
    assert placed.status_code == 201
    answer = placed.get_json()
    again = client.get(f"/api/v1/orders/{answer['number']}", query_string={"token": answer.pop("token")})
    assert answer == again.get_json()
    assert [part["seller"]["name"] for part in answer["parts"]] == ["HTX Mè xửng Huế", "HTX Chè Tân Cương"]
    if db.engine.dialect.name == "postgresql":  # a server whose connections are in Vietnam's time zone
        db.session.execute(sql("SET LOCAL TIME ZONE 'Asia/Ho_Chi_Minh'"))
        order = db.session.scalar(select(Order).where(Order.number == answer["number"]).execution_options(
            populate_existing=True))
        assert order.created_at.isoformat() == answer["created_at"] and answer["created_at"].endswith("+00:00")


def test_a_box_one_item_short_of_holds_nothing(client, spec, box, make):
    combo, candy, tea = box
    also = stocked(make, candy.seller, "Kẹo gương", 40_000, 5)
    answer = client.post("/api/v1/orders", json=BODY | {"items": [
        {"product_id": also.id, "quantity": 2}, {"combo_id": combo.id, "quantity": 8}]})
    assert answer.status_code == 409
    check(spec, "OutOfStock", answer.get_json())
    assert answer.get_json()["items"] == [{"combo_id": combo.id, "requested": 8, "available": 7}]
    assert level_of(candy) == (25, 0) and level_of(tea) == (7, 0) and level_of(also) == (5, 0)
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_a_product_bought_alone_and_in_a_box_adds_up_before_it_is_held(client, box):
    combo, _candy, tea = box  # 7 teas: 5 alone and 3 boxes need 8
    answer = client.post("/api/v1/orders", json=BODY | {"items": [
        {"product_id": tea.id, "quantity": 5}, {"combo_id": combo.id, "quantity": 3}]})
    assert answer.status_code == 409
    assert {"product_id": tea.id, "requested": 5, "available": 7} in answer.get_json()["items"]
    assert level_of(tea) == (7, 0)
    placed = client.post("/api/v1/orders", json=BODY | {"items": [
        {"product_id": tea.id, "quantity": 4}, {"combo_id": combo.id, "quantity": 3}]})
    assert placed.status_code == 201 and level_of(tea) == (7, 7)


def test_fifty_concurrent_orders_of_a_box_never_oversell(app, make, shop):
    """Each buyer its own request, session and connection; the scarcest item allows 10 boxes."""
    maker = make.seller(legal_name="HTX Mè xửng Huế", province_code=46)
    other = make.seller(legal_name="HTX Chè Tân Cương", province_code=19)
    candy = stocked(make, maker, "Mè xửng", 60_000, 30)  # 2 a box: 15 boxes
    tea = stocked(make, other, "Trà Tân Cương", 150_000, 10)  # 1 a box: 10 boxes
    combo = make_combo([(candy, 2), (tea, 1)], price=250_000)
    buyers = 50
    codes, start = [], threading.Barrier(buyers)
    orders = [BODY | {"items": [{"combo_id": combo.id, "quantity": 1}], "payment": "vietqr",
                      "contact": BODY["contact"] | {"phone": f"0912 345 {n:03d}"}} for n in range(buyers)]

    def checkout(n):
        start.wait()
        response = app.test_client().post("/api/v1/orders", json=orders[n])
        codes.append(response.status_code)
        if response.status_code == 409:
            assert response.get_json()["items"][0]["combo_id"] == combo.id

    threads = [threading.Thread(target=checkout, args=(n,)) for n in range(buyers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes.count(201) == 10 and codes.count(409) == 40, codes
    assert level_of(candy) == (30, 20) and level_of(tea) == (10, 10)
    assert stock_check.problems() == []


def test_a_box_packed_at_a_point_is_collected_there_and_nowhere_else(client, box, make):
    _combo, candy, tea = box
    office = officer(46, "office46@ocop.vn")
    point = new_point(office, code="HUE-01", province_code=46)
    elsewhere = new_point(office, code="HUE-02", province_code=46)
    for shelf in (point, elsewhere):
        stock.receive(shelf.location_id, candy.id, 10)
        stock.receive(shelf.location_id, tea.id, 5)
    db.session.commit()
    packed = make_combo([(candy, 2), (tea, 1)], price=260_000, point=point, code="HUE-POINT")
    pickup = {"items": [{"combo_id": packed.id, "quantity": 1}], "contact": BODY["contact"], "payment": "at_point"}
    refused = client.post("/api/v1/orders", json=pickup | {"pickup_point": elsewhere.id})
    assert refused.status_code == 422 and "items[0].combo_id" in refused.get_json()["fields"]
    placed = client.post("/api/v1/orders", json=pickup | {"pickup_point": point.id})
    assert placed.status_code == 201 and placed.get_json()["total_vnd"] == 260_000
    assert stock.level(point.location_id, tea.id).reserved == 1
    assert level_of(candy) == (25, 0)  # the producers' warehouses are not touched
    delivered = client.post("/api/v1/orders", json=BODY | {"items": [{"combo_id": packed.id, "quantity": 1}]})
    answer = delivered.get_json()
    assert delivered.status_code == 201
    assert [part["delivery_vnd"] for part in answer["parts"]].count(0) == len(answer["parts"]) - 1 or \
        answer["delivery_vnd"] == 0  # one parcel from the point: at most one fee
    assert stock.level(point.location_id, tea.id).reserved == 2


def test_the_cart_takes_a_box_and_checkout_places_it(client, box):
    combo, candy, tea = box
    page = client.get(f"/combos/{combo.id}").get_data(as_text=True)
    assert "Hộp quà Huế" in page and "250.000" in page and "Mè xửng" in page
    client.post("/cart/add", data={"combo_id": combo.id, "quantity": 2})
    cart = client.get("/cart").get_data(as_text=True)
    assert "Hộp quà Huế" in cart and "500.000" in cart
    response = check_out(client, CONTACT)
    assert response.status_code == 303, response.get_data(as_text=True)
    order = db.session.scalar(select(Order))
    assert [(box.code, box.quantity) for box in order.combos] == [("HUE-GIFT", 2)]
    assert level_of(candy) == (25, 4) and level_of(tea) == (7, 2)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Hộp quà Huế" in page and "Mè xửng" in page
    assert sum(line.subtotal_vnd for line in db.session.scalars(select(OrderLine))) == 500_000


# --- Curating and importing -------------------------------------------------------------------------------

def combo_file(tmp_path, rows, name="combos.csv"):
    path = tmp_path / name
    lines = [",".join(COLUMNS)] + [",".join(f'"{row.get(c, "")}"' for c in COLUMNS) for row in rows]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def row(**changes):
    return {"code": "HUE-BOX", "name_vi": "Hộp quà Huế", "name_en": "Huế gift box", "story_vi": "Quà từ cố đô",
            "story_en": "From the old capital", "occasion": "souvenir", "province": "Huế", "price_vnd": "250.000",
            "point": "", "items": f"{gtin(1)}:2;{gtin(2)}:1"} | changes


def test_a_combo_file_is_imported_and_imported_again_updates_by_code(app, box, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["combos", "import", str(combo_file(tmp_path, [row()])), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output
    imported = combos.combo_by_code("HUE-BOX")
    assert imported.price_vnd == 250_000 and [(i.product.name, i.quantity) for i in imported.items] == [
        ("Mè xửng", 2), ("Trà Tân Cương", 1)]
    again = runner.invoke(args=["combos", "import", str(combo_file(tmp_path, [row(price_vnd="330000",
                                                                                 items=f"{gtin(2)}:3")])),
                                "--lang", "en"])
    assert again.exit_code == 0 and "1 updated" in again.output
    db.session.expire_all()
    imported = combos.combo_by_code("HUE-BOX")
    assert imported.price_vnd == 330_000 and [(i.product.name, i.quantity) for i in imported.items] == [
        ("Trà Tân Cương", 3)]


def test_a_bad_combo_file_reports_every_bad_line_and_imports_nothing(app, box, tmp_path):
    rows = [row(code="GOOD-ONE"),
            row(code="bad code!", occasion="birthday"),
            row(code="NO-ITEMS", items=""),
            row(code="UNKNOWN-GTIN", items="8930000000009:1"),
            row(code="BAD-QTY", items=f"{gtin(1)}:0"),
            row(code="NO-POINT", point="XX-99"),
            row(code="GOOD-ONE", price_vnd="abc")]
    result = app.test_cli_runner().invoke(args=["combos", "import", str(combo_file(tmp_path, rows)), "--lang", "en"])
    assert result.exit_code == 1
    for line in (3, 4, 5, 6, 7, 8):
        assert f"line {line}:" in result.output, result.output
    assert "line 2:" not in result.output
    assert "occasion" in result.output and "is on line 2 too" in result.output
    assert combos.combo_by_code("GOOD-ONE") is None


def test_an_officer_curates_only_in_their_province(box, make):
    _combo, candy, _tea = box
    hue_office, hanoi_office = officer(46, "office46@ocop.vn"), officer(1, "office1@ocop.vn")
    point = new_point(hue_office, code="HUE-01", province_code=46)
    fields = ComboFields(code="HUE-POINT", name="Hộp quà", name_en=None, story=None, story_en=None,
                         occasion="tet", province_code=46, price_vnd=300_000, point=point, items=[(candy, 1)])
    with pytest.raises(combos.ComboError, match="ngoài tỉnh của bạn"):
        run(combos.save_combo, Curator(hanoi_office), fields)
    combo, _changed = run(combos.save_combo, Curator(hue_office), fields)
    assert combo.managed_in == 46
    with pytest.raises(combos.ComboError, match="tỉnh hoặc điểm bán khác"):
        run(combos.save_combo, Curator(hanoi_office), fields)


def test_a_box_of_products_not_on_sale_cannot_be_curated(box, make):
    _combo, candy, tea = box
    _revoke(tea)
    db.session.commit()
    fields = ComboFields(code="NEW-BOX", name="Hộp", name_en=None, story=None, story_en=None, occasion="tet",
                         province_code=46, price_vnd=1, point=None, items=[(tea, 1), (candy, 2)])
    with pytest.raises(combos.ComboError) as refused:
        run(combos.save_combo, Curator(None), fields)
    assert any("Trà Tân Cương" in reason for reason in refused.value.reasons)
    assert any("một đồng cho mỗi đơn vị" in reason for reason in refused.value.reasons)


# --- At the counter -----------------------------------------------------------------------------------------

def test_a_point_sells_its_combo_at_the_counter_and_returns_an_item_at_its_share(client, box):
    from marketplace.salespoints.models import CounterSale

    from .helpers import sign_in, staff
    _combo, candy, tea = box
    point = new_point(officer(46, "office46@ocop.vn"), code="HUE-01", province_code=46)
    stock.receive(point.location_id, candy.id, 5)
    stock.receive(point.location_id, tea.id, 4)
    db.session.commit()
    packed = make_combo([(candy, 2), (tea, 1)], price=250_001, point=point, code="HUE-POINT")
    staff(point, "ban@ocop.vn")
    sign_in(client, "ban@ocop.vn")
    till = client.get(f"/counter/{point.id}/sell").get_data(as_text=True)
    assert "Hộp quà Huế" in till and "2 hộp" in till  # 5 candies: two boxes
    client.post(f"/counter/{point.id}/sell/combo", data={"combo_id": packed.id})
    client.post(f"/counter/{point.id}/sell/combo", data={"combo_id": packed.id})
    client.post(f"/counter/{point.id}/sell", data={"code": tea.gtin})  # and one tea on its own
    assert "650.002" in client.get(f"/counter/{point.id}/sell").get_data(as_text=True)  # 2 × 250.001 + 150.000
    assert client.post(f"/counter/{point.id}/sell/combo", data={"combo_id": _combo.id}).status_code == 404
    paid = client.post(f"/counter/{point.id}/sell/pay", data={"payment": "card"})
    assert paid.status_code == 303
    sale = db.session.scalar(select(CounterSale))
    assert sale.total_vnd == 650_002 == sum(line.subtotal for line in sale.lines)
    in_box = [line for line in sale.lines if line.combo_id == packed.id]
    assert sum(line.subtotal for line in in_box) == 500_002 and {line.combo_name for line in in_box} == {"Hộp quà Huế"}
    assert stock.level(point.location_id, candy.id).on_hand == 1 and stock.level(point.location_id, tea.id).on_hand == 1
    receipt = client.get(f"/counter/{point.id}/sales/{sale.id}/print").get_data(as_text=True)
    assert receipt.count("Hộp quà Huế") == 1  # the items grouped under their combo
    candy_line = next(line for line in in_box if line.product_id == candy.id)
    client.post(f"/counter/{point.id}/sales/{sale.id}/return",
                data={f"qty-{candy_line.id}": "1", "reason": "vỡ hộp"})
    db.session.expire_all()
    assert sale.refunded_vnd == candy_line.unit_price_vnd  # its share, not its list price
    assert stock_check.problems() == []


# --- The curators' pages ------------------------------------------------------------------------------------

def combo_form(point="", **changes):
    return {"code": "hue-box", "name": "Hộp quà Huế", "name_en": "Huế gift box", "story": "Quà từ cố đô",
            "story_en": "", "occasion": "souvenir", "province": "46", "price_vnd": "250000", "point": point,
            "items": f"{gtin(1)}:2\n{gtin(2)}:1"} | changes


def test_the_office_curates_combos_of_its_province_with_a_photo_and_every_change_is_audited(client, box):
    from marketplace.audit import AuditLog

    from .helpers import jpeg, office_signs_in
    _combo, _candy, _tea = box
    office_signs_in(client, 46)
    refused = client.post("/office/combos/new", data=combo_form(items=f"{gtin(1)}:2\n8930000000009:1"))
    assert refused.status_code == 422 and "8930000000009" in refused.get_data(as_text=True)
    saved = client.post("/office/combos/new", data=combo_form() | {"photo": (io.BytesIO(jpeg()), "box.jpg")},
                        content_type="multipart/form-data")
    assert saved.status_code == 303
    combo = combos.combo_by_code("HUE-BOX")
    assert combo.managed_in == 46 and combo.photo and combo.thumbnail
    assert f"/media/{combo.photo}" in client.get(f"/combos/{combo.id}").get_data(as_text=True)
    edit = client.get(f"/office/combos/{combo.id}").get_data(as_text=True)
    assert "Mè xửng × 2" in edit and f"/media/{combo.thumbnail}" in edit  # names beside the GTINs, the photo
    assert '<option selected value="46">' in client.get("/office/combos/new").get_data(as_text=True)  # Huế's office
    client.post(f"/office/combos/{combo.id}/status", data={"status": "withdrawn"})
    assert client.get(f"/combos/{combo.id}").status_code == 404
    actions = [entry.action for entry in db.session.scalars(select(AuditLog).where(
        AuditLog.object_type == "combos", AuditLog.object_id == combo.id).order_by(AuditLog.id))]
    assert actions == ["combo.create", "combo.photo", "combo.withdraw"]
    office_signs_in(client, 1)  # Hà Nội's office: Huế's combo does not exist for it
    assert client.get(f"/office/combos/{combo.id}").status_code == 404
    assert client.post(f"/office/combos/{combo.id}/status", data={"status": "active"}).status_code == 404
    assert "HUE-BOX" not in client.get("/office/combos").get_data(as_text=True)


def test_a_point_manager_curates_only_their_points_combos(client, box):
    from .helpers import sign_in, staff
    combo, candy, _tea = box
    office = officer(46, "office46@ocop.vn")
    point, other = new_point(office, code="HUE-01", province_code=46), new_point(office, code="HUE-02",
                                                                                 province_code=46)
    theirs = make_combo([(candy, 1)], price=60_000, point=other, code="OTHER-POINT")
    staff(point, "quanly@ocop.vn", role="manager")
    staff(point, "ban@ocop.vn")
    sign_in(client, "ban@ocop.vn")
    assert client.get(f"/counter/{point.id}/combos").status_code == 403
    sign_in(client, "quanly@ocop.vn")
    wants_other = client.post(f"/counter/{point.id}/combos/new", data=combo_form(point=str(other.id)))
    assert wants_other.status_code == 422 and combos.combo_by_code("HUE-BOX") is None
    saved = client.post(f"/counter/{point.id}/combos/new", data=combo_form(point=str(point.id)))
    assert saved.status_code == 303 and combos.combo_by_code("HUE-BOX").sales_point_id == point.id
    for foreign in (theirs, combo):  # another point's, and the producers' box curated by the office
        assert client.get(f"/counter/{point.id}/combos/{foreign.id}").status_code == 404
        assert client.post(f"/counter/{point.id}/combos/{foreign.id}/status",
                           data={"status": "withdrawn"}).status_code == 404
    assert combos.get_offer(theirs.id) is not None


def test_the_office_imports_a_combo_file_for_its_province_only(client, box, tmp_path):
    from .helpers import office_signs_in
    _combo, _candy, _tea = box
    office = officer(46, "office46@ocop.vn")
    new_point(office, code="HUE-01", province_code=46)
    new_point(officer(1, "office1@ocop.vn"), code="HN-01", province_code=1)
    office_signs_in(client, 46)
    bad = combo_file(tmp_path, [row(code="MINE", point="HUE-01"), row(code="THEIRS", point="HN-01")])
    refused = client.post("/office/combos/import", data={"file": (bad.open("rb"), "combos.csv")},
                          content_type="multipart/form-data")
    assert refused.status_code == 422 and "3" in refused.get_data(as_text=True)
    assert combos.combo_by_code("MINE") is None
    good = combo_file(tmp_path, [row(code="MINE", point="HUE-01")], name="good.csv")
    done = client.post("/office/combos/import", data={"file": (good.open("rb"), "good.csv")},
                       content_type="multipart/form-data")
    assert done.status_code == 303 and combos.combo_by_code("MINE").managed_in == 46


# --- Finding gifts --------------------------------------------------------------------------------------------

def test_tourists_find_combos_by_the_words_they_use(client, box, make):
    combo, _candy, tea = box
    tet = make_combo([(tea, 2)], price=290_000, code="TET-TN", name="Hộp quà Tết Thái Nguyên",
                     name_en="Thai Nguyen Tết box", occasion="tet", province_code=19, story=None, story_en=None)

    def found(words):
        return [item["code"] for item in client.get("/api/v1/combos", query_string={"q": words}).get_json()["items"]]

    assert found("gift box Hue") == ["HUE-GIFT"]
    assert found("qua tet") == ["TET-TN"] and found("quà Tết") == ["TET-TN"]
    assert found("souvenir") == ["HUE-GIFT"] and found("combo") == ["HUE-GIFT", "TET-TN"]
    assert found("me xung") == ["HUE-GIFT"]  # an item's name, without diacritics
    assert found("coffee") == []
    page = client.get("/search", query_string={"q": "gift box hue"}).get_data(as_text=True)
    assert f"/combos/{combo.id}" in page and f"/combos/{tet.id}" not in page
    gifts = client.get("/gifts", query_string={"region": "mekong_delta"}).get_data(as_text=True)
    assert f"/combos/{combo.id}" not in gifts
    gifts = client.get("/gifts", query_string={"region": "central_coast", "occasion": "souvenir",
                                               "price_max": "250000"}).get_data(as_text=True)
    assert f"/combos/{combo.id}" in gifts and f"/combos/{tet.id}" not in gifts
    listed = client.get("/api/v1/combos", query_string={"occasion": "tet", "price_max": 300000}).get_json()
    assert [item["code"] for item in listed["items"]] == ["TET-TN"] and listed["items"][0]["available"] == 3
    assert client.get("/api/v1/combos", query_string={"occasion": "birthday"}).status_code == 422
    assert client.get("/api/v1/combos", query_string={"region": ""}).status_code == 422  # as the document says
    assert client.get("/api/v1/combos", query_string={"q": "qua\x19tet"}).status_code == 422
    assert "Hộp quà Huế" in client.get("/").get_data(as_text=True)  # the home page shows gift boxes


# --- For tourists --------------------------------------------------------------------------------------------

def test_a_phone_from_any_country_is_taken_and_kept_in_e164(client, box):
    combo, _candy, _tea = box
    order = {"items": [{"combo_id": combo.id, "quantity": 1}], "payment": "cod", "address": BODY["address"]}
    for typed, stored, shown in (("+44 7911 123456", "+447911123456", "+44 7911 123456"),
                                 ("+82 10-1234-5678", "+821012345678", "+82 10-1234-5678"),
                                 ("0912 345 678", "+84912345678", "0912 345 678")):
        answer = client.post("/api/v1/orders", json=order | {"contact": BODY["contact"] | {"phone": typed}})
        assert answer.status_code == 201, answer.get_json()
        placed = db.session.scalar(select(Order).where(Order.number == answer.get_json()["number"]))
        assert placed.contact_phone == stored
        assert shown in client.get(answer.get_json()["url"]).get_data(as_text=True)
    for nonsense in ("+44 12", "12345", "phone me"):
        refused = client.post("/api/v1/orders", json=order | {"contact": BODY["contact"] | {"phone": nonsense}})
        assert refused.status_code == 422 and "contact.phone" in refused.get_json()["fields"]
    client.post("/cart/add", data={"combo_id": combo.id, "quantity": 1})
    page = check_out(client, CONTACT | {"phone": "+1 (415) 555-2671", "province": "46", "ward": "Phường Thuận Hóa"})
    assert page.status_code == 303, page.get_data(as_text=True)


def test_liquids_over_100_ml_are_flagged_for_checked_baggage_and_filtered_out_for_the_cabin(client, box, make):
    combo, candy, tea = box
    sauce = stocked(make, candy.seller, "Tôm chua Huế", 140_000, 10, liquid_ml=500)
    oil = stocked(make, candy.seller, "Tinh dầu tràm", 90_000, 10, liquid_ml=100, group_code="III.3")
    saucy = make_combo([(candy, 1), (sauce, 1)], price=190_000, code="HUE-SAUCY")
    small = make_combo([(tea, 1), (oil, 1)], price=230_000, code="HUE-OIL")
    assert "hành lý ký gửi" in client.get(f"/products/{sauce.id}").get_data(as_text=True)
    assert "hành lý ký gửi" not in client.get(f"/products/{oil.id}").get_data(as_text=True)  # 100 ml flies
    assert "Tôm chua Huế" in client.get(f"/combos/{saucy.id}").get_data(as_text=True).split("hành lý ký gửi")[1]
    flags = {item["code"]: item["carry_on"] for item in client.get("/api/v1/combos").get_json()["items"]}
    assert flags == {"HUE-GIFT": True, "HUE-SAUCY": False, "HUE-OIL": True}
    cabin = client.get("/gifts", query_string={"carry_on": "y"}).get_data(as_text=True)
    assert f"/combos/{saucy.id}" not in cabin and f"/combos/{small.id}" in cabin and f"/combos/{combo.id}" in cabin
    assert f"/products/{sauce.id}\"" not in cabin
    answer = client.post("/api/v1/orders", json=BODY | {"items": [{"combo_id": saucy.id, "quantity": 1}]})
    page = client.get(answer.get_json()["url"]).get_data(as_text=True)
    assert page.count("hành lý ký gửi") == 1  # the sauce's line, not the candy's


def test_points_speak_english_to_visitors_and_an_airport_point_says_so(client, box):
    from .helpers import office_signs_in
    _combo, candy, _tea = box
    office_signs_in(client, 1)
    form = {"code": "HN-NB1", "name": "Điểm OCOP Sân bay Nội Bài", "name_en": "OCOP point, Noi Bai Airport",
            "kind": "station_airport", "province": "1", "ward": str(ocop.wards_of(1)[0].code),
            "street": "Nhà ga T2", "street_en": "Terminal 2", "opening_hours": "6:00–22:00 hằng ngày",
            "opening_hours_en": "6:00–22:00 daily", "phone": "024 3884 1234", "active": "y"}
    assert client.post("/office/points", data=form).status_code == 303
    point = db.session.scalar(select(SalesPoint))
    stock.receive(point.location_id, candy.id, 3)
    db.session.commit()
    client.post("/account/sign-out")
    client.get("/lang/en")
    page = client.get(f"/points/{point.id}").get_data(as_text=True)
    assert "OCOP point, Noi Bai Airport" in page and "Terminal 2" in page and "6:00–22:00 daily" in page
    assert "Sân bay" not in page.split("<main")[1]
    assert "OCOP point, Noi Bai Airport" in client.get(f"/products/{candy.id}").get_data(as_text=True)
    client.post("/cart/add", data={"product_id": candy.id, "quantity": 1})
    checkout = client.get("/checkout").get_data(as_text=True)
    assert "OCOP point, Noi Bai Airport" in checkout and "at the airport or station" in checkout
    client.get("/lang/vi")
    assert "Điểm OCOP Sân bay Nội Bài" in client.get(f"/points/{point.id}").get_data(as_text=True)


def test_prices_also_in_the_visitors_currency_at_the_offices_rate(client, box):
    from marketplace.audit import AuditLog

    from .helpers import office_signs_in, sign_in
    combo, candy, _tea = box
    client.get("/currency?code=USD")
    assert "US$" not in client.get(f"/products/{candy.id}").get_data(as_text=True)  # no rate kept yet
    office_signs_in(client, 46)  # a province's officer reads the rates; the national office keeps them
    assert client.post("/office/rates", data={"rate_currency": "USD", "vnd_per_unit": "25000",
                                              "as_of": "2026-11-29"}).status_code == 403
    officer(None, "office@ocop.vn")
    sign_in(client, "office@ocop.vn")
    assert client.post("/office/rates", data={"rate_currency": "USD", "vnd_per_unit": "-5",
                                              "as_of": "2026-11-29"}).status_code == 422
    assert client.post("/office/rates", data={"rate_currency": "USD", "vnd_per_unit": "25000",
                                              "as_of": "2026-11-29"}).status_code == 303
    slip = {"rate_currency": "USD", "vnd_per_unit": "0.5", "as_of": "2026-11-29"}
    assert client.post("/office/rates", data=slip).status_code == 422  # a typing slip: 0.5 for 25.000
    assert client.post("/office/rates", data=slip | {"far_off": "y"}).status_code == 303  # confirmed
    assert client.post("/office/rates", data=slip | {"vnd_per_unit": "25000", "far_off": "y"}).status_code == 303
    assert set(db.session.scalars(select(AuditLog.action).where(AuditLog.object_type == "exchange_rates"))) == {
        "exchange_rate.set"}
    client.post("/account/sign-out")
    client.get("/lang/en")
    client.get("/currency?code=USD")
    page = client.get(f"/combos/{combo.id}").get_data(as_text=True)  # 250.000 ₫
    assert "≈ $10.00" in page and "29 Nov 2026" in page and "you pay in đồng" in page
    assert "≈ $2.40" in client.get(f"/products/{candy.id}").get_data(as_text=True)  # 60.000 ₫
    client.get("/currency?code=VND")
    assert "≈" not in client.get(f"/combos/{combo.id}").get_data(as_text=True)
    client.get("/currency?code=XYZ&next=https://evil.example/")
    assert "≈" not in client.get(f"/combos/{combo.id}").get_data(as_text=True)
    client.get("/currency?code=KRW")  # a currency without a rate: đồng only
    assert "≈" not in client.get(f"/combos/{combo.id}").get_data(as_text=True)


def _hue_point_with_box(box, wrap=20_000):
    _combo, candy, tea = box
    point = new_point(officer(46, "office46@ocop.vn"), code="HUE-01", province_code=46, gift_wrap_vnd=wrap,
                      name_en="OCOP point, Hue Citadel")
    stock.receive(point.location_id, candy.id, 10)
    stock.receive(point.location_id, tea.id, 5)
    db.session.commit()
    return point, make_combo([(candy, 2), (tea, 1)], price=260_000, point=point, code="HUE-POINT")


HOTEL = CONTACT | {"province": "46", "ward": "Phường Thuận Hóa", "street": "5 Lê Lợi", "hotel_name": "Hương Giang Hotel",
                   "guest_name": "Jane Doe", "is_gift": "y", "gift_message": "Happy birthday, Mum!", "gift_wrap": "y"}


def test_a_tourist_sends_a_wrapped_gift_box_with_a_card_to_their_hotel_and_the_point_delivers_it(client, box, today):
    from .helpers import sign_in, staff
    point, packed = _hue_point_with_box(box)
    client.post("/cart/add", data={"combo_id": packed.id, "quantity": 1})
    data = HOTEL | {"delivery": f"hotel-{point.id}", "deliver_by": (today + dt.timedelta(days=2)).isoformat()}
    placed = check_out(client, data)
    assert placed.status_code == 303, placed.get_data(as_text=True)
    order = db.session.scalar(select(Order))
    assert (order.hotel_name, order.guest_name, order.gift_message, order.is_gift) == (
        "Hương Giang Hotel", "Jane Doe", "Happy birthday, Mum!", True)
    assert order.wrap_vnd == 20_000 and order.delivery_vnd == 20_000  # one parcel within Huế
    assert order.total_vnd == 260_000 + 20_000 + 20_000 and order.pickup_location_id is None
    assert {part.location_id for part in order.parts} == {point.location_id}
    page = client.get(placed.headers["Location"]).get_data(as_text=True)
    assert "Hương Giang Hotel" in page and "Happy birthday, Mum!" in page
    seller_part = order.parts[0]
    from marketplace.orders.services import allowed_actions
    assert allowed_actions(seller_part, "seller") == [] and "confirm" in allowed_actions(seller_part, "point")
    staff(point, "ban@ocop.vn")
    sign_in(client, "ban@ocop.vn")
    desk = client.get(f"/counter/{point.id}/pickups").get_data(as_text=True)
    assert order.number in desk and "5 Lê Lợi" in desk
    slip = client.get(f"/counter/{point.id}/pickups/{seller_part.id}/slip").get_data(as_text=True)
    assert "Happy birthday, Mum!" in slip and "Jane Doe" in slip and "₫" not in slip.split("<main")[1]
    for part in order.parts:
        for action in ("confirm", "pack", "ship", "deliver"):
            assert client.post(f"/counter/{point.id}/pickups/{part.id}", data={"action": action}).status_code == 303
    db.session.expire_all()
    assert {part.state for part in order.parts} == {"delivered"} and order.payment_status == "paid"
    assert stock.level(point.location_id, box[2].id).on_hand == 4
    assert stock_check.problems() == []


def test_a_hotel_outside_the_points_province_and_a_wrap_nobody_offers_are_refused(client, box, today):
    point, packed = _hue_point_with_box(box, wrap=None)
    client.post("/cart/add", data={"combo_id": packed.id, "quantity": 1})
    far = HOTEL | {"delivery": f"hotel-{point.id}", "province": "19", "ward": "Phường Phan Đình Phùng",
                   "deliver_by": today.isoformat()}
    assert client.post("/checkout", data=far).status_code == 422
    wrapped = HOTEL | {"delivery": f"hotel-{point.id}", "deliver_by": today.isoformat()}
    assert client.post("/checkout", data=wrapped).status_code == 422  # this point does not wrap
    late = HOTEL | {"delivery": f"hotel-{point.id}", "deliver_by": (today + dt.timedelta(days=61)).isoformat(),
                    "gift_wrap": ""}
    assert client.post("/checkout", data=late).status_code == 422
    assert db.session.scalar(select(func.count(Order.id))) == 0


@pytest.mark.parametrize("goods, days, qualifies", [
    (2_000_000, 60, True), (1_999_999, 10, False), (2_000_000, 61, False), (3_500_000, 0, True)])
def test_the_vat_refund_needs_two_million_from_one_producer_and_a_departure_within_60_days(
        client, make, today, goods, days, qualifies):
    maker = make.seller(legal_name="Công ty Yến sào", province_code=56)
    nest = stocked(make, maker, "Yến sào", goods, 3)
    client.post("/cart/add", data={"product_id": nest.id, "quantity": 1})
    data = CONTACT | {"vat_refund": "y", "passport_no": "C1234567", "nationality": "KR",
                      "departure_date": (today + dt.timedelta(days=days)).isoformat(), "departure_airport": "CXR"}
    placed = check_out(client, data)
    assert placed.status_code == 303, placed.get_data(as_text=True)
    order = db.session.scalar(select(Order))
    from marketplace.orders.services import vat_refund_claims
    [claim] = vat_refund_claims(order)
    assert claim.qualifies is qualifies and claim.goods_vnd == goods
    page = client.get(placed.headers["Location"]).get_data(as_text=True)
    assert "C1234567" in page and ("hộ chiếu" in page) is qualifies  # the invoice's requirements when it qualifies


def test_a_vat_refund_request_needs_its_passport_and_departure(client, box, today):
    combo, _candy, _tea = box
    client.post("/cart/add", data={"combo_id": combo.id, "quantity": 1})
    missing = client.post("/checkout", data=CONTACT | {"vat_refund": "y", "nationality": "VN"})
    assert missing.status_code == 422
    past = CONTACT | {"vat_refund": "y", "passport_no": "C1234567", "nationality": "GB",
                      "departure_date": (today - dt.timedelta(days=1)).isoformat(), "departure_airport": "HAN"}
    assert client.post("/checkout", data=past).status_code == 422


def test_the_product_search_shows_gift_boxes_only_when_gifts_are_asked_for(client, box):
    combo, _candy, _tea = box  # "Hộp quà Huế": candy and Tân Cương tea
    for asked in ("gift box hue", "qua hue", "souvenir"):
        assert f"/combos/{combo.id}" in client.get("/search", query_string={"q": asked}).get_data(as_text=True)
    for product_words in ("tra tan cuong", "me xung"):  # what is in the box: the products, not the box, first
        assert f"/combos/{combo.id}" not in client.get("/search", query_string={"q": product_words}).get_data(
            as_text=True)
        assert f"/combos/{combo.id}" in client.get("/gifts", query_string={"q": product_words}).get_data(as_text=True)


def test_a_box_never_sells_a_producers_goods_far_below_their_price(client, box):
    combo, _candy, tea = box  # 250.000 ₫ for 270.000 ₫ of goods
    fields = ComboFields(code="CHEAP", name="Hộp rẻ", name_en=None, story=None, story_en=None, occasion="souvenir",
                         province_code=46, price_vnd=1, point=None, items=[(tea, 1)])
    with pytest.raises(combos.ComboError) as refused:
        run(combos.save_combo, Curator(None), fields)
    assert any("70%" in reason and "105.000" in reason for reason in refused.value.reasons)
    assert on_sale(combo.id)
    tea.price_vnd = 400_000  # the producer raises its price: the box would now pay it under 70% of it
    db.session.commit()
    assert not on_sale(combo.id) and combos.offers_by_ids([combo.id])[combo.id].why_not() == "unlisted"
    assert client.get(f"/combos/{combo.id}").status_code == 404


def test_a_gift_box_is_cancelled_whole_and_a_shared_parcel_fee_is_refunded_only_with_its_last_part(client, box, shop):
    from marketplace.orders import services as order_services
    combo, candy, tea = box
    answer = client.post("/api/v1/orders", json=BODY | {"items": [{"combo_id": combo.id, "quantity": 1}]}).get_json()
    order = order_services.get_order(answer["number"])
    tea_part = next(part for part in order.parts if part.seller_id == tea.seller_id)
    run(order_services.move, tea_part, "cancel", None, "seller", "no stock")
    db.session.expire_all()
    assert {part.state for part in order.parts} == {"cancelled"}  # nobody receives half a box
    assert level_of(candy) == (25, 0) and level_of(tea) == (7, 0) and stock_check.problems() == []

    point, packed = _hue_point_with_box(box)  # one parcel from the point, the fee on one part
    client.post("/cart/add", data={"product_id": candy.id, "quantity": 1})  # and a candy bought alone
    client.post("/cart/add", data={"combo_id": packed.id, "quantity": 1})
    placed = check_out(client, HOTEL | {"delivery": f"hotel-{point.id}", "gift_wrap": "", "payment": "vietqr",
                                        "deliver_by": ocop.today().isoformat()})
    assert placed.status_code == 303, placed.get_data(as_text=True)
    order = db.session.scalar(select(Order).order_by(Order.id.desc()))
    from marketplace.orders.payments import confirm_transfer
    run(confirm_transfer, officer(19, "office19@ocop.vn"), order)
    fee_part = next(part for part in order.parts if part.delivery_vnd)
    assert len(order.parts) == 2 and order.delivery_vnd == 20_000
    from .helpers import sign_in, staff
    staff(point, "ban@ocop.vn")
    sign_in(client, "ban@ocop.vn")
    client.post(f"/counter/{point.id}/pickups/{fee_part.id}", data={"action": "cancel"})
    db.session.expire_all()
    # the box's two producers are both in it: cancelling one part cancels the box, so the whole parcel
    assert {part.state for part in order.parts} == {"cancelled"} and order.refund_vnd == order.total_vnd


def test_units_are_capped_across_boxes_and_an_order_beyond_two_billion_is_refused(client, app, box, make):
    combo, candy, _tea = box  # 2 candies a box
    too_many = client.post("/api/v1/orders", json=BODY | {"items": [{"combo_id": combo.id, "quantity": 7},
                                                                      {"product_id": candy.id, "quantity": 8}]})
    assert too_many.status_code == 422  # 14 + 8 candies > 20
    assert set(too_many.get_json()["fields"]) == {"items[0].quantity", "items[1].quantity"}
    dear = stocked(make, candy.seller, "Trầm hương", 900_000_000, 5, group_code="IV.1")
    pricey = client.post("/api/v1/orders", json=BODY | {"items": [{"product_id": dear.id, "quantity": 3}]})
    assert pricey.status_code == 422 and "items" in pricey.get_json()["fields"]
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_a_guest_cart_naming_nothing_that_exists_is_dropped_at_sign_in(client, box):
    from marketplace.accounts.services import create_user

    from .helpers import PASSWORD
    combo, _candy, _tea = box
    create_user("jane@example.com", "Jane", PASSWORD)
    db.session.commit()
    with client.session_transaction() as session:
        session["cart"] = {"c999999": 1, "999999": 2, f"c{combo.id}": 1}
    signed_in = client.post("/account/sign-in", data={"email": "jane@example.com", "password": PASSWORD})
    assert signed_in.status_code == 302
    assert "Hộp quà Huế" in client.get("/cart").get_data(as_text=True)


def test_a_parcel_fee_comes_back_only_when_nothing_else_leaves_from_that_point(client, box, shop):
    from marketplace.orders.payments import confirm_transfer

    from .helpers import sign_in, staff
    point, _packed = _hue_point_with_box(box)
    _combo, candy, tea = box
    client.post("/cart/add", data={"product_id": candy.id, "quantity": 1})
    client.post("/cart/add", data={"product_id": tea.id, "quantity": 1})
    placed = check_out(client, HOTEL | {"delivery": f"hotel-{point.id}", "gift_wrap": "", "payment": "vietqr",
                                        "deliver_by": ocop.today().isoformat()})
    assert placed.status_code == 303, placed.get_data(as_text=True)
    order = db.session.scalar(select(Order))
    run(confirm_transfer, officer(19, "office19@ocop.vn"), order)
    fee_part = next(part for part in order.parts if part.delivery_vnd)
    staff(point, "ban@ocop.vn")
    sign_in(client, "ban@ocop.vn")
    client.post(f"/counter/{point.id}/pickups/{fee_part.id}", data={"action": "cancel"})
    db.session.expire_all()
    assert sorted(part.state for part in order.parts) == ["cancelled", "placed"]
    assert order.refund_vnd == fee_part.goods_vnd  # the other part still leaves in the parcel paid for


def test_the_order_email_adds_up_and_names_the_hotel_the_card_and_the_vat_request(client, box, today):
    from marketplace.outbox.models import OutboxEmail
    point, packed = _hue_point_with_box(box)
    client.post("/cart/add", data={"combo_id": packed.id, "quantity": 1})
    placed = check_out(client, HOTEL | {"delivery": f"hotel-{point.id}", "deliver_by": today.isoformat(),
                                        "vat_refund": "y", "passport_no": "C1234567", "nationality": "KR",
                                        "departure_date": today.isoformat(), "departure_airport": "HUI"})
    assert placed.status_code == 303, placed.get_data(as_text=True)
    email = db.session.scalar(select(OutboxEmail).order_by(OutboxEmail.id.desc()))
    for text in ("Hương Giang Hotel", "Happy birthday, Mum!", "20.000", "300.000", "Hoàn thuế GTGT"):
        assert text in email.body and text in email.html, text


def test_the_review_step_says_before_placing_whether_the_vat_refund_applies(client, make, today):
    from .helpers import review
    maker = make.seller(legal_name="Công ty Yến sào", province_code=56)
    nest = stocked(make, maker, "Yến sào", 1_999_999, 3)
    client.post("/cart/add", data={"product_id": nest.id, "quantity": 1})
    data = CONTACT | {"vat_refund": "y", "passport_no": "C1234567", "nationality": "KR",
                      "departure_date": today.isoformat(), "departure_airport": "CXR"}
    response, _seen = review(client, data)
    page = response.get_data(as_text=True).split('id="review"')[1]
    assert "Công ty Yến sào" in page and "không đủ điều kiện" in page and "2.000.000" in page
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_a_hotel_delivery_needs_no_province_typed_it_is_the_points(client, box, today):
    point, packed = _hue_point_with_box(box)
    client.post("/cart/add", data={"combo_id": packed.id, "quantity": 1})
    placed = check_out(client, HOTEL | {"delivery": f"hotel-{point.id}", "province": "",
                                        "deliver_by": today.isoformat()})
    assert placed.status_code == 303, placed.get_data(as_text=True)
    assert db.session.scalar(select(Order)).province_code == 46
