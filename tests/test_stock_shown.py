"""Stock shown honestly: a product with nothing to ship is never promoted, its card and page say so, the
seller's list flags it, and a shopper can leave an address to hear once when it is back."""
from sqlalchemy import func, select

from marketplace.catalog.alerts import StockAlert
from marketplace.certification.services import revoke
from marketplace.extensions import db
from marketplace.inventory import services as stock
from marketplace.outbox.models import OutboxEmail

from .helpers import new_point, officer, seller_signs_in, stocked


def _emails_to(address):
    return db.session.scalars(select(OutboxEmail).where(OutboxEmail.to == address)).all()


def _alerts():
    return db.session.scalar(select(func.count(StockAlert.id)))


def test_the_home_page_promotes_only_what_can_be_sent(client, make):
    seller = make.seller()
    stocked(make, seller, "Chè Shan tuyết có hàng", 90000, 5)
    make.listed(seller=seller, name="Mật ong hết hàng")
    home = client.get("/").get_data(as_text=True)
    assert "Chè Shan tuyết có hàng" in home and "Mật ong hết hàng" not in home


def test_cards_say_out_of_stock_and_where_it_can_be_had(client, make):
    seller = make.seller()
    stocked(make, seller, "Chè có hàng", 90000, 5)
    empty = make.listed(seller=seller, name="Miến dong hết hàng")
    page = client.get("/products").get_data(as_text=True)
    card = page[page.index("Miến dong hết hàng"):][:1500]
    assert "Hết hàng" in card and "tại điểm bán" not in card
    assert "Hết hàng" not in page[page.index("Chè có hàng"):][:1500]

    point = new_point(officer())
    stock.receive(point.location_id, empty.id, 2)
    db.session.commit()
    page = client.get("/products?lang=en", headers={"Accept-Language": "en"}).get_data(as_text=True)
    card = page[page.index("Miến dong hết hàng"):][:1500]
    assert "Out of stock · at sales points" in card


def test_the_sellers_list_flags_a_listed_product_without_stock(client, make):
    seller = make.seller()
    stocked(make, seller, "Chè có hàng", 90000, 5)
    make.listed(seller=seller, name="Miến hết hàng")
    seller_signs_in(client, seller)
    page = client.get("/seller/products").get_data(as_text=True)
    assert page.count("Không còn hàng để gửi") == 1
    assert "Không còn hàng để gửi" in page[page.index("Miến hết hàng"):]


def test_a_shopper_hears_once_when_the_product_is_back(client, make):
    product = make.listed(name="Miến dong Bình Liêu")
    page = client.get(f"/products/{product.id}").get_data(as_text=True)
    assert "Báo cho tôi khi có hàng" in page
    for _ in range(2):  # asked twice (a double tap): one alert
        answer = client.post(f"/products/{product.id}/notify", data={"email": " An@Example.vn "})
        assert answer.status_code == 303
    assert _alerts() == 1

    warehouse = stock.warehouse_of(product.seller).id
    stock.receive(warehouse, product.id, 3)
    db.session.commit()
    emails = _emails_to("an@example.vn")
    assert len(emails) == 1 and "Miến dong Bình Liêu" in emails[0].subject and "có hàng trở lại" in emails[0].subject
    assert f"/products/{product.id}" in emails[0].body

    stock.receive(warehouse, product.id, 3)  # more stock: no second email
    db.session.commit()
    assert len(_emails_to("an@example.vn")) == 1


def test_stock_back_by_a_release_tells_too_and_in_the_askers_language(client, make):
    product = make.listed(name="Miến dong", name_en="Canna noodles")
    warehouse = stock.warehouse_of(product.seller).id
    stock.receive(warehouse, product.id, 1)
    stock.reserve(warehouse, product.id, 1, reference="DH-1")  # an unpaid order holds the last one
    db.session.commit()
    client.get("/lang/en")
    client.post(f"/products/{product.id}/notify", data={"email": "tourist@example.com"})
    stock.release(warehouse, product.id, 1, reference="DH-1")  # the order expires
    db.session.commit()
    (email,) = _emails_to("tourist@example.com")
    assert email.subject == "Canna noodles is back in stock"


def test_no_email_for_a_product_no_longer_on_sale(client, make):
    product = make.listed(name="Miến dong")
    client.post(f"/products/{product.id}/notify", data={"email": "an@example.vn"})
    revoke(product.records[0], "hết hiệu lực")
    db.session.commit()
    stock.receive(stock.warehouse_of(product.seller).id, product.id, 3)
    db.session.commit()
    assert _emails_to("an@example.vn") == []


def test_a_bad_address_or_a_product_in_stock_leaves_no_alert(client, make):
    seller = make.seller()
    product = make.listed(seller=seller, name="Miến dong")
    answer = client.post(f"/products/{product.id}/notify", data={"email": "not an email"})
    assert answer.status_code == 422 and "Báo cho tôi khi có hàng" in answer.get_data(as_text=True)
    in_stock = stocked(make, seller, "Chè", 90000, 5)
    answer = client.post(f"/products/{in_stock.id}/notify", data={"email": "an@example.vn"}, follow_redirects=True)
    assert "Sản phẩm đang có hàng" in answer.get_data(as_text=True)
    assert _alerts() == 0
    assert client.post("/products/999999/notify", data={"email": "an@example.vn"}).status_code == 404


def test_two_taps_on_notify_me_at_once_leave_one_alert(app, make):
    from .helpers import at_once
    product = make.listed(name="Miến dong")
    path = f"/products/{product.id}/notify"
    codes = at_once([(app.test_client(), path, {"email": "an@example.vn"}) for _ in range(3)], answer="status")
    assert codes == [303, 303, 303] and _alerts() == 1


def test_stock_brought_back_by_a_command_sends_the_alert_with_the_shops_address(app, make, monkeypatch):
    """Outside a web request (a command, a job) the email's link is built from PUBLIC_BASE_URL."""
    import threading

    from marketplace.catalog import alerts
    from marketplace.unit_of_work import run
    product = make.listed(name="Miến dong")
    warehouse = stock.warehouse_of(product.seller).id
    run(alerts.ask, product.id, "an@example.vn", "vi")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://cho.ocop.vn")
    failed = []

    def command():
        with app.app_context():
            try:
                run(stock.receive, warehouse, product.id, 2)
            except Exception as error:  # reported to the test's thread
                failed.append(error)
            finally:
                db.session.remove()

    thread = threading.Thread(target=command)
    thread.start()
    thread.join()
    assert failed == []
    (email,) = _emails_to("an@example.vn")
    assert f"https://cho.ocop.vn/products/{product.id}" in email.body


def test_alerts_to_one_address_are_limited_whatever_the_client(app_with, make):
    strict = app_with(RATELIMIT_ENABLED=True, MAIL_PER_RECIPIENT_LIMIT="2 per hour")
    products = [make.listed(name=f"Miến {n}") for n in range(4)]
    codes = [strict.test_client().post(f"/products/{p.id}/notify", data={"email": "victim@example.vn"}).status_code
             for p in products[:3]]
    assert codes == [303, 303, 429]
    other = strict.test_client().post(f"/products/{products[3].id}/notify", data={"email": "someone@example.vn"})
    assert other.status_code == 303
