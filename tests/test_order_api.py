"""POST /api/v1/orders and GET /api/v1/orders/<number>: the checkout's rules for mobile and partner
clients, answers checked against the served OpenAPI document, and never an oversold box."""
import threading

import pytest
from sqlalchemy import func, select

from marketplace.accounts.services import create_user
from marketplace.extensions import db
from marketplace.inventory import services as stock
from marketplace.orders import payments
from marketplace.orders.models import Order
from marketplace.payments import vietqr
from marketplace.unit_of_work import run

from .helpers import check, level_of, stocked

BODY = {"contact": {"name": "Nguyễn Văn An", "phone": "0912 345 678", "email": "an@example.vn"},
        "address": {"province": 19, "ward": "Phường Phan Đình Phùng", "street": "12 Hoàng Văn Thụ"},
        "payment": "cod"}


@pytest.fixture
def goods(make):
    tea_seller = make.seller(legal_name="HTX Chè Tân Cương", province_code=19)
    coffee_seller = make.seller(legal_name="HTX Cà phê Sơn La", province_code=14)
    return stocked(make, tea_seller, "Trà Tân Cương", 120000, 10), stocked(make, coffee_seller, "Cà phê", 90000, 3)


def body(*items, **changes):
    return BODY | {"items": [{"product_id": p.id, "quantity": q} for p, q in items]} | changes


def orders_count():
    return db.session.scalar(select(func.count(Order.id)))


def test_an_order_is_placed_and_read_back_with_its_token(client, spec, goods):
    tea, coffee = goods
    response = client.post("/api/v1/orders", json=body((tea, 2), (coffee, 1)))
    assert response.status_code == 201
    answer = response.get_json()
    check(spec, "Order", answer)
    assert answer["total_vnd"] == 240000 + 20000 + 90000 + 35000 and answer["status"] == "placed"
    assert [part["seller"]["name"] for part in answer["parts"]] == ["HTX Chè Tân Cương", "HTX Cà phê Sơn La"]
    assert answer["payment"] == {"method": "cod", "status": "unpaid", "due_at": None}
    assert level_of(tea) == (10, 2) and level_of(coffee) == (3, 1)

    number, token = answer["number"], answer["token"]
    by_query = client.get(f"/api/v1/orders/{number}?token={token}")
    by_header = client.get(f"/api/v1/orders/{number}", headers={"Authorization": f"Bearer {token}"})
    assert by_query.status_code == by_header.status_code == 200
    check(spec, "Order", by_query.get_json())
    assert by_query.get_json()["number"] == number and "token" not in by_query.get_json()
    for wrong in (f"/api/v1/orders/{number}", f"/api/v1/orders/{number}?token=x", f"/api/v1/orders/0?token={token}"):
        missing = client.get(wrong)
        assert missing.status_code == 404
        check(spec, "Error", missing.get_json())


def test_short_stock_answers_409_naming_every_short_item(client, spec, goods):
    tea, coffee = goods
    response = client.post("/api/v1/orders", json=body((tea, 11), (coffee, 4)))
    assert response.status_code == 409
    check(spec, "OutOfStock", response.get_json())
    assert response.get_json()["items"] == [{"product_id": tea.id, "requested": 11, "available": 10},
                                            {"product_id": coffee.id, "requested": 4, "available": 3}]
    assert orders_count() == 0 and level_of(tea) == (10, 0) and level_of(coffee) == (3, 0)


def test_every_invalid_field_is_named_at_once_in_the_buyers_language(client, spec, goods):
    tea, _ = goods
    bad = {"items": [{"product_id": tea.id, "quantity": 0}, {"product_id": "tea", "quantity": 1},
                     {"product_id": tea.id, "quantity": 1}],
           "contact": {"name": "", "phone": "123", "email": "not-an-email"},
           "address": {"province": 99, "ward": "", "street": "x" * 301}, "payment": "bitcoin"}
    response = client.post("/api/v1/orders", json=bad, headers={"Accept-Language": "vi"})
    assert response.status_code == 422
    check(spec, "Error", response.get_json())
    fields = response.get_json()["fields"]
    assert set(fields) == {"items[0].quantity", "items[1].product_id", "items[2].product_id", "contact.name",
                           "contact.phone", "contact.email", "address.province", "address.ward", "address.street",
                           "payment"}
    assert "số điện thoại" in " ".join(fields["contact.phone"]).lower()
    assert fields["items[2].product_id"] == ["Sản phẩm này bị ghi hai lần."]
    english = client.post("/api/v1/orders", json=bad, headers={"Accept-Language": "en"}).get_json()["fields"]
    assert "phone" in " ".join(english["contact.phone"]).lower()
    assert english["items[0].quantity"] == ["Must be a whole number from 1 to 20 (the most of one product per order)."]

    for nonsense in (None, [], "order", {"items": "all"}):
        answer = client.post("/api/v1/orders", json=nonsense)
        assert answer.status_code == 422
    assert client.post("/api/v1/orders", data="{", content_type="application/json").status_code == 422
    assert orders_count() == 0 and level_of(tea) == (10, 0)


def test_an_unlisted_product_cannot_be_ordered(client, goods, make):
    tea, _ = goods
    hidden = make.product(seller=tea.seller, name="Trà chưa công nhận")  # no recognition
    db.session.commit()
    response = client.post("/api/v1/orders", json=body((tea, 1), (hidden, 1)))
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"items[1].product_id"}
    assert orders_count() == 0 and level_of(tea) == (10, 0)


def test_vietqr_and_card_orders_say_how_to_pay(client, spec, goods, shop):
    tea, _ = goods
    transfer = client.post("/api/v1/orders", json=body((tea, 1), payment="vietqr")).get_json()
    check(spec, "Order", transfer)
    assert transfer["status"] == "awaiting_payment" and transfer["payment"]["due_at"]
    qr = transfer["payment"]["vietqr"]
    assert qr["amount_vnd"] == transfer["total_vnd"] == 140000 and qr["reference"] == f"OCOP {transfer['number']}"
    assert vietqr.crc16(qr["payload"][:-4]) == qr["payload"][-4:] and "5406140000" in qr["payload"]

    paid_by_card = client.post("/api/v1/orders", json=body((tea, 1), payment="card")).get_json()
    check(spec, "Order", paid_by_card)
    assert paid_by_card["payment"]["checkout_url"].startswith(shop.url + "/pay/")


def test_a_payment_method_the_shop_does_not_offer_is_refused(client, goods):
    tea, _ = goods
    response = client.post("/api/v1/orders", json=body((tea, 1), payment="card"))  # no Stripe key configured
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"payment"}
    assert orders_count() == 0


def test_orders_are_rate_limited_per_client(app_with, goods):
    tea, _ = goods
    strict = app_with(RATELIMIT_ENABLED=True, ORDER_RATE_LIMIT="2 per minute")
    with strict.test_client() as client:
        codes = [client.post("/api/v1/orders", json=body((tea, 1))).status_code for _ in range(3)]
        assert codes == [201, 201, 429]
        assert client.get("/api/v1/products").status_code == 200  # reading is not limited by it


def test_orders_are_taken_while_the_rate_limit_store_is_down(app_with, goods):
    """Redis restarting must not turn orders into errors (nor answer an error for an order placed)."""
    tea, _ = goods
    unreachable = app_with(RATELIMIT_ENABLED=True, ORDER_RATE_LIMIT="2 per minute",
                           RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")  # nothing listens there
    with unreachable.test_client() as client:
        codes = [client.post("/api/v1/orders", json=body((tea, 1), contact=BODY["contact"] | {
            "phone": f"0912 345 67{n}"})).status_code for n in range(3)]
    assert codes == [201, 201, 429]  # counted in memory meanwhile
    assert orders_count() == 2


def test_fifty_concurrent_checkouts_never_oversell(app, make, shop):
    """Each buyer its own request, session and connection; 10 in stock."""
    seller = make.seller(legal_name="HTX Chè Tân Cương", province_code=19)
    tea = stocked(make, seller, "Trà Tân Cương", 120000, 10)
    buyers = 50
    codes, start = [], threading.Barrier(buyers)
    orders = [body((tea, 1), payment="vietqr", contact=BODY["contact"] | {"phone": f"0912 345 {n:03d}"})
              for n in range(buyers)]  # fifty buyers, fifty phones

    def checkout(n):
        client = app.test_client()
        order = orders[n]
        start.wait()
        codes.append((response := client.post("/api/v1/orders", json=order)).status_code)
        if response.status_code == 409:
            assert response.get_json()["error"] == "out_of_stock"

    threads = [threading.Thread(target=checkout, args=(n,)) for n in range(buyers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes.count(201) == 10 and codes.count(409) == buyers - 10
    assert level_of(tea) == (10, 10)  # all held

    office = create_user("office19@ocop.vn", "Cán bộ", "mat-khau-dai-12", role="office", province_code=19)
    db.session.commit()
    for order in db.session.scalars(select(Order)).all():
        assert run(payments.confirm_transfer, office, order) == "paid"
    assert level_of(tea) == (0, 0)  # level_of also checks the ledger sums to the level
    location = stock.warehouse_of(seller).id
    assert stock.ledger_totals(location, tea.id) == (0, 0)


def test_an_order_to_collect_at_a_sales_point(client, spec, make):
    from .helpers import new_point, officer
    seller = make.seller(legal_name="HTX Chè Tân Cương", province_code=19)
    tea = make.listed(seller=seller, name="Trà Tân Cương", price_vnd=120000)
    point = new_point(officer())
    stock.receive(point.location_id, tea.id, 3)
    db.session.commit()
    pickup = {"items": [{"product_id": tea.id, "quantity": 2}], "contact": BODY["contact"],
              "pickup_point": point.id, "payment": "at_point"}
    placed = client.post("/api/v1/orders", json=pickup)
    assert placed.status_code == 201
    check(spec, "Order", placed.get_json())
    answer = placed.get_json()
    assert answer["pickup_point"]["id"] == point.id and answer["delivery_vnd"] == 0 and answer["total_vnd"] == 240000
    assert stock.level(point.location_id, tea.id).reserved == 2
    short = client.post("/api/v1/orders", json=pickup)  # one left at the point
    assert short.status_code == 409 and short.get_json()["items"][0]["available"] == 1
    for change, field in (({"pickup_point": 999999}, "pickup_point"), ({"payment": "cod"}, "payment"),
                          ({"pickup_point": None, "payment": "cod"}, "address")):
        refused = client.post("/api/v1/orders", json=pickup | change)
        assert refused.status_code == 422 and field in refused.get_json()["fields"], change
    assert orders_count() == 1


def test_the_answer_to_an_order_costs_the_same_statements_for_one_seller_or_three(client, make, goods):
    tea, coffee = goods
    honey = stocked(make, make.seller(legal_name="HTX Mật ong", province_code=19), "Mật ong", 200000, 4)

    def statements(items, phone):
        answer = client.post("/api/v1/orders", json=body(*items) | {"contact": BODY["contact"] | {"phone": phone}})
        assert answer.status_code == 201, answer.get_json()
        assert len(answer.get_json()["parts"]) == len(items)
        return int(answer.headers["X-Query-Count"])

    one = statements([(tea, 1)], "0912000001")
    by_row = 0 if db.engine.dialect.name == "postgresql" else 4  # SQLite inserts parts and lines one by one
    assert statements([(tea, 1), (coffee, 1), (honey, 1)], "0912000002") == one + by_row
