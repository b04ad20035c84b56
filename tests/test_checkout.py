"""Checkout with cash on delivery: one order split by seller, stock reserved with it, all or nothing."""
import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.inventory import services as stock
from marketplace.orders.models import Order, OrderLine
from marketplace.outbox.models import OutboxEmail


def stocked(make, seller, name, price, quantity, **kw):
    product = make.listed(seller=seller, name=name, price_vnd=price, **kw)
    stock.receive(stock.warehouse_of(seller).id, product.id, quantity)
    db.session.commit()
    return product


@pytest.fixture
def two_sellers(make):
    thai_nguyen = make.seller(legal_name="HTX Chè Tân Cương", province_code=19)
    son_la = make.seller(legal_name="HTX Cà phê Sơn La", province_code=14)
    tea = stocked(make, thai_nguyen, "Trà Tân Cương", 120000, 5)
    coffee = stocked(make, son_la, "Cà phê Sơn La", 600000, 3)
    return tea, coffee


CONTACT = {"name": "Nguyễn Văn An", "phone": "0912 345 678", "email": "an@example.vn", "province": "19",
           "ward": "Phường Phan Đình Phùng", "street": "12 Hoàng Văn Thụ", "payment": "cod"}


def available(product):
    return stock.level(stock.warehouse_of(product.seller).id, product.id).available


def test_a_guest_checks_out_with_cash_on_delivery(client, two_sellers):
    tea, coffee = two_sellers
    client.post("/cart/add", data={"product_id": tea.id, "quantity": 2})
    client.post("/cart/add", data={"product_id": coffee.id, "quantity": 1})
    response = client.post("/checkout", data=CONTACT)
    assert response.status_code == 303
    order = db.session.scalar(select(Order))
    assert order.total_vnd == 240000 + 20000 + 600000 + 0  # same-province fee; free above 500.000 ₫
    assert [(p.seller.legal_name, p.state, p.delivery_vnd) for p in order.parts] == [
        ("HTX Chè Tân Cương", "placed", 20000), ("HTX Cà phê Sơn La", "placed", 0)]
    line = db.session.scalar(select(OrderLine).where(OrderLine.product_id == tea.id))
    assert (line.name, line.unit_price_vnd, line.stars, line.quantity) == ("Trà Tân Cương", 120000, 4, 2)
    assert (available(tea), available(coffee)) == (3, 2)  # reserved, not yet gone
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert order.number in page and "860.000" in page
    assert client.get(f"/orders/{order.number}?token=wrong").status_code == 404
    assert "Giỏ hàng của bạn đang trống" in client.get("/cart").get_data(as_text=True)
    assert order.number in db.session.scalar(select(OutboxEmail.subject))


def test_bad_contact_details_place_nothing(client, two_sellers):
    tea, _ = two_sellers
    client.post("/cart/add", data={"product_id": tea.id, "quantity": 1})
    for change in ({"phone": "123"}, {"ward": "Phường Hoàn Kiếm"}, {"email": "not-an-email"},
                   {"payment": "bitcoin"}, {"street": ""}):
        response = client.post("/checkout", data=CONTACT | change)
        assert response.status_code == 422
    assert db.session.scalar(select(func.count(Order.id))) == 0 and available(tea) == 5


def test_stock_gone_meanwhile_places_nothing(client, two_sellers):
    tea, coffee = two_sellers
    client.post("/cart/add", data={"product_id": tea.id, "quantity": 2})
    client.post("/cart/add", data={"product_id": coffee.id, "quantity": 3})
    stock.sell(stock.warehouse_of(coffee.seller).id, coffee.id, 2)  # sold at a counter meanwhile
    db.session.commit()
    response = client.post("/checkout", data=CONTACT)
    assert response.status_code == 303 and response.headers["Location"].endswith("/cart")
    assert db.session.scalar(select(func.count(Order.id))) == 0
    assert available(tea) == 5 and available(coffee) == 1  # the tea was not held either


def test_an_empty_cart_cannot_check_out(client):
    assert client.get("/checkout").status_code == 303
    assert client.post("/checkout", data=CONTACT).status_code == 303
    assert db.session.scalar(select(func.count(Order.id))) == 0
