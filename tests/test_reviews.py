"""Verified-buyer reviews: written once per delivered product from the order's page, shown with their average
on the product page and the cards, answered once by the seller, hidden once by the office; and a seller's
delivery record."""
import pytest
from sqlalchemy import func, select

from marketplace.audit import AuditLog
from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import Order
from marketplace.reviews import services as reviews
from marketplace.reviews.models import Review
from marketplace.unit_of_work import run

from .helpers import CONTACT, at_once, check_out, office_signs_in, seller_signs_in, shipping, stocked


@pytest.fixture
def tea(make):
    return stocked(make, make.seller(legal_name="HTX Chè Tân Cương"), "Trà Tân Cương", 120000, 20)


def _order(client, product, quantity=1):
    client.post("/cart/add", data={"product_id": product.id, "quantity": quantity})
    assert check_out(client, CONTACT).status_code == 303
    return db.session.scalar(select(Order).order_by(Order.id.desc()))


def _deliver(order, actions=("confirm", "pack", "ship", "deliver")):
    for part in order.parts:
        for action in actions:
            run(orders.move, part, action, **shipping(action))


def _review(client, order, product, stars=5, text="Thơm, nước xanh trong.", token=None):
    return client.post(f"/orders/{order.number}/reviews", data={
        "token": token or order.access_token, "product_id": product.id, "stars": stars, "text": text})


def _count():
    return db.session.scalar(select(func.count(Review.id)))


def test_a_buyer_reviews_a_delivered_product_once_and_everyone_sees_it(client, tea):
    order = _order(client, tea)
    page = client.get(f"/orders/{order.number}?token={order.access_token}").get_data(as_text=True)
    assert "Gửi đánh giá" not in page  # not delivered yet: nothing to rate
    assert _review(client, order, tea).status_code == 303 and _count() == 0
    _deliver(order)
    page = client.get(f"/orders/{order.number}?token={order.access_token}").get_data(as_text=True)
    assert "Gửi đánh giá" in page
    _review(client, order, tea, stars=4)
    _review(client, order, tea, stars=1)  # a second one for the same product: refused
    assert _count() == 1
    db.session.refresh(tea)
    assert (tea.rating_count, tea.rating_total) == (1, 4)
    product_page = client.get(f"/products/{tea.id}").get_data(as_text=True)
    assert "Thơm, nước xanh trong." in product_page and "An N." in product_page and "4 / 5" in product_page
    assert "Nguyễn Văn An" not in product_page  # the buyer's full name stays private
    assert "4/5 (1)" in client.get("/products").get_data(as_text=True)  # the card's average
    assert "Gửi đánh giá" not in client.get(f"/orders/{order.number}?token={order.access_token}").get_data(as_text=True)


def test_reviews_refuse_strangers_odd_stars_and_other_products(client, tea, make):
    order = _order(client, tea)
    _deliver(order)
    assert _review(client, order, tea, token="not-the-token").status_code == 404
    other = stocked(make, tea.seller, "Trà búp", 90000, 5)
    for stars in (0, 6, "x", ""):
        _review(client, order, tea, stars=stars)
    _review(client, order, other)  # not in this order
    assert _count() == 0
    _review(client, order, tea, text="x" * 3000)  # too long: refused whole
    assert _count() == 0


def test_two_taps_at_once_write_one_review(app, client, tea):
    order = _order(client, tea)
    _deliver(order)
    data = {"token": order.access_token, "product_id": tea.id, "stars": 5, "text": "Ngon"}
    path = f"/orders/{order.number}/reviews"
    at_once([(app.test_client(), path, data), (app.test_client(), path, data)], answer="status")
    assert _count() == 1
    db.session.refresh(tea)
    assert (tea.rating_count, tea.rating_total) == (1, 5)


def test_the_seller_answers_once_and_only_its_own(client, tea, make):
    order = _order(client, tea)
    _deliver(order)
    _review(client, order, tea, stars=3)
    review = db.session.scalar(select(Review))
    other = make.seller(legal_name="HTX Khác")
    seller_signs_in(client, other)
    client.post(f"/seller/reviews/{review.id}/reply", data={"text": "Không phải của tôi"})
    db.session.refresh(review)
    assert review.reply is None
    seller_signs_in(client, tea.seller)
    assert "Trà Tân Cương" in client.get("/seller/reviews").get_data(as_text=True)
    client.post(f"/seller/reviews/{review.id}/reply", data={"text": "Cảm ơn anh, lần sau chúng tôi gói kỹ hơn."})
    client.post(f"/seller/reviews/{review.id}/reply", data={"text": "Sửa lại câu trả lời"})
    db.session.refresh(review)
    assert review.reply == "Cảm ơn anh, lần sau chúng tôi gói kỹ hơn."
    assert review.reply in client.get(f"/products/{tea.id}").get_data(as_text=True)


def test_the_office_hides_an_abusive_review_once_and_the_average_follows(client, tea):
    order = _order(client, tea)
    _deliver(order)
    _review(client, order, tea, stars=1, text="Lời lẽ xúc phạm")
    review = db.session.scalar(select(Review))
    office_signs_in(client, province_code=1)  # another province: not found
    assert client.post(f"/office/reviews/{review.id}/hide", data={"reason": "x"}).status_code == 404
    office_signs_in(client)
    assert "Lời lẽ xúc phạm" in client.get("/office/reviews").get_data(as_text=True)
    client.post(f"/office/reviews/{review.id}/hide", data={"reason": ""})  # a reason is needed
    db.session.refresh(review)
    assert review.hidden_at is None
    for _ in range(2):
        client.post(f"/office/reviews/{review.id}/hide", data={"reason": "Xúc phạm người bán"})
    db.session.refresh(tea)
    assert (tea.rating_count, tea.rating_total) == (0, 0)
    assert db.session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "review.hide")) == 1
    assert "Lời lẽ xúc phạm" not in client.get(f"/products/{tea.id}").get_data(as_text=True)


def test_a_sellers_record_counts_deliveries_on_time_and_its_own_cancellations(client, tea):
    delivered = _order(client, tea)
    _deliver(delivered)
    cancelled = _order(client, tea)
    seller_signs_in(client, tea.seller)
    client.post(f"/seller/orders/{cancelled.parts[0].id}", data={"action": "cancel", "reason": "Hết hàng"})
    by_buyer = _order(client, tea)
    run(orders.cancel_by_buyer, by_buyer)  # the buyer's own cancellation does not count against the seller
    record = reviews.seller_record(tea.seller_id)
    assert (record.delivered, record.on_time, record.cancelled_by_seller) == (1, 1, 1)
    page = client.get(f"/sellers/{tea.seller_id}").get_data(as_text=True)
    assert "100" in page and "50" in page and "12 tháng" in page


def test_the_api_gives_the_reviews_and_the_average_in_the_documented_shape(client, tea, spec):
    from .helpers import check
    order = _order(client, tea)
    _deliver(order)
    _review(client, order, tea, stars=4, text="Thơm")
    body = client.get(f"/api/v1/products/{tea.id}/reviews").get_json()
    check(spec, "Reviews", body)
    assert body["rating"] == {"average": 4.0, "count": 1}
    assert [(item["stars"], item["author"], item["text"]) for item in body["items"]] == [(4, "An N.", "Thơm")]
    listed = client.get("/api/v1/products").get_json()["items"][0]
    check(spec, "ProductSummary", listed)
    assert listed["rating"] == {"average": 4.0, "count": 1}
    assert client.get("/api/v1/products/999999/reviews").status_code == 404


def test_a_buyer_with_a_long_name_can_review(client, tea):
    client.post("/cart/add", data={"product_id": tea.id, "quantity": 1})
    assert check_out(client, CONTACT | {"name": "Nguyễn " + "A" * 150}).status_code == 303
    order = db.session.scalar(select(Order).order_by(Order.id.desc()))
    _deliver(order)
    _review(client, order, tea)
    review = db.session.scalar(select(Review))
    assert review is not None and len(review.author) <= 100
