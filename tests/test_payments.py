"""VietQR transfers confirmed by the office, card payments through Stripe Checkout (the official
library against a local fake Stripe, webhooks signed as Stripe signs them), and unpaid orders expiring."""
import datetime as dt

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.inventory import services as stock
from marketplace.inventory.models import StockMovement
from marketplace.models_base import utcnow
from marketplace.orders import payments
from marketplace.orders import services as orders
from marketplace.orders.models import Order
from marketplace.outbox.models import OutboxEmail
from marketplace.payments import vietqr
from marketplace.payments.models import PaymentEvent

from .helpers import CONTACT, check_out, level_of, office_signs_in, seller_signs_in, shipping, stocked
from .stripe_fake import sign


@pytest.fixture
def tea(make):
    seller = make.seller(legal_name="HTX Chè Tân Cương", province_code=19)
    return stocked(make, seller, "Trà Tân Cương", 120000, 5)


def order_with(client, product, payment, quantity=2):
    client.post("/cart/add", data={"product_id": product.id, "quantity": quantity})
    response = check_out(client, CONTACT | {"payment": payment})
    assert response.status_code == 303
    return db.session.scalar(select(Order).order_by(Order.id.desc())), response




def webhook(client, payload: bytes, signature: str | None = None):
    return client.post("/payments/stripe/webhook", data=payload, content_type="application/json",
                       headers={"Stripe-Signature": signature or sign(payload)})


def snapshot(order, product):
    """What must not change when a payment is refused: the order, the stock, the ledger, the emails."""
    db.session.refresh(order)
    return (order.payment_status, [p.state for p in order.parts], level_of(product),
            db.session.scalar(select(func.count(StockMovement.id))), db.session.scalar(select(func.count(OutboxEmail.id))))


# --- VietQR -------------------------------------------------------------------------------------------

def test_the_vietqr_payload_is_the_napas_emvco_format():
    # A transfer QR made by a Vietnamese banking app: the same fields, lengths and CRC.
    assert vietqr.payload("970422", "VQRQACLNP2680", 100000, "Thanh toan don hang ABC") == (
        "00020101021238570010A000000727012700069704220113VQRQACLNP26800208QRIBFTTA53037045406100000"
        "5802VN62270823Thanh toan don hang ABC6304CE4C")
    static = vietqr.payload("970436", "0011001234567")
    assert "0101115" not in static and static[10:12] == "11" and "54" not in static[60:70]  # no amount: static QR
    assert vietqr.crc16(static[:-4]) == static[-4:]
    assert vietqr.plain_reference("Đơn hàng số 12/ab") == "Don hang so 12ab"
    with pytest.raises(ValueError):
        vietqr.payload("97043", "001")


def test_a_vietqr_order_shows_its_qr_and_waits_for_the_office(client, shop, tea):
    order, response = order_with(client, tea, "vietqr")
    assert order.payment_due_at is not None and order.payment_status == "unpaid"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<svg" in page and f"OCOP {order.number}" in page and "0011001234567" in page and "260.000" in page
    assert payments.vietqr_payload(order).count("54062600005802VN") == 1  # 240.000 ₫ + 20.000 ₫ delivery
    assert level_of(tea) == (5, 2)  # held, not gone

    seller_signs_in(client, tea.seller)
    listing = client.get("/seller/orders").get_data(as_text=True)
    assert 'value="confirm"' not in listing and 'value="cancel"' in listing  # nothing ships before payment

    office_signs_in(client)
    office_page = client.get("/office/orders").get_data(as_text=True)
    assert order.number in office_page and "Đã nhận chuyển khoản" in office_page
    assert client.post(f"/office/orders/{order.number}/confirm-transfer").status_code == 303
    db.session.refresh(order)
    assert order.payment_status == "paid" and level_of(tea) == (3, 0)  # paid: the stock is sold
    assert "đã nhận thanh toán" in db.session.scalar(select(OutboxEmail.subject).order_by(OutboxEmail.id.desc()))
    assert client.post(f"/office/orders/{order.number}/confirm-transfer").status_code == 303  # twice: no change
    assert level_of(tea) == (3, 0)

    seller_signs_in(client, tea.seller)
    part = order.parts[0]
    for action in ("confirm", "pack", "ship"):
        client.post(f"/seller/orders/{part.id}", data={"action": action} | shipping(action))
    db.session.refresh(part)
    assert part.state == "shipped" and level_of(tea) == (3, 0)  # shipping does not take it twice


def test_only_the_office_of_a_producers_province_confirms(client, shop, tea):
    order, _ = order_with(client, tea, "vietqr")
    client.post("/account/sign-out")
    assert client.post(f"/office/orders/{order.number}/confirm-transfer").status_code == 302  # to sign in
    office_signs_in(client, province_code=14)
    assert order.number not in client.get("/office/orders").get_data(as_text=True)
    assert client.post(f"/office/orders/{order.number}/confirm-transfer").status_code == 404
    db.session.refresh(order)
    assert order.payment_status == "unpaid" and level_of(tea) == (5, 2)


def test_an_unpaid_order_expires_and_its_stock_goes_back(app, client, shop, tea, monkeypatch):
    _order, _ = order_with(client, tea, "vietqr")
    assert payments.expire_overdue(now=utcnow()) == 0  # not yet
    monkeypatch.setitem(app.config, "ORDER_PAYMENT_TIMEOUT_MINUTES", 0)
    late, _ = order_with(client, tea, "vietqr", quantity=1)
    result = app.test_cli_runner().invoke(args=["orders", "expire"])
    assert "1 unpaid order(s) expired" in result.output
    db.session.refresh(late)
    assert late.payment_status == "expired" and [p.state for p in late.parts] == ["cancelled"]
    assert level_of(tea) == (5, 2)  # the first order still holds 2; the late one's unit is back
    assert "không được thanh toán kịp" in db.session.scalar(select(OutboxEmail.subject).order_by(OutboxEmail.id.desc()))

    assert payments.expire_overdue(now=utcnow() + dt.timedelta(minutes=31)) == 1  # the first, after 30 minutes
    assert level_of(tea) == (5, 0)

    office_signs_in(client)  # the money arrives after all: it is owed back, the goods stay on sale
    client.post(f"/office/orders/{late.number}/confirm-transfer")
    db.session.refresh(late)
    assert late.payment_status == "refund_due" and late.refund_vnd == late.total_vnd and level_of(tea) == (5, 0)
    refunds = client.get("/office/orders?view=refunds").get_data(as_text=True)
    assert late.number in refunds and "hoàn 140.000" in refunds


def test_one_order_that_cannot_expire_does_not_keep_the_others_stock_held(client, shop, tea, monkeypatch):
    first, _ = order_with(client, tea, "vietqr", quantity=1)
    second, _ = order_with(client, tea, "vietqr", quantity=1)
    real_expire = orders.expire

    def expire(order):
        if order.id == first.id:
            raise OSError("disk full")
        return real_expire(order)

    monkeypatch.setattr(orders, "expire", expire)
    assert payments.expire_overdue(now=utcnow() + dt.timedelta(hours=1)) == 1
    db.session.refresh(first)
    db.session.refresh(second)
    assert (first.payment_status, second.payment_status) == ("unpaid", "expired") and level_of(tea) == (5, 1)


# --- Card through Stripe Checkout --------------------------------------------------------------------

def test_a_card_order_goes_to_stripe_checkout_once(client, shop, tea):
    order, response = order_with(client, tea, "card")
    session = next(iter(shop.sessions.values()))
    assert response.headers["Location"] == session["url"]
    method, path, form, headers = shop.requests[0]
    assert (method, path) == ("POST", "/v1/checkout/sessions")
    assert form["line_items[0][price_data][currency]"] == "vnd"
    assert form["line_items[0][price_data][unit_amount]"] == "120000"  # whole đồng: VND is zero-decimal
    assert session["amount_total"] == order.total_vnd == 260000
    assert headers["idempotency-key"] == f"ocop-order-{order.number}-checkout"
    assert form["client_reference_id"] == order.number

    token = order.access_token
    again = client.post(f"/orders/{order.number}/pay", data={"token": token})  # back from Stripe, pays again
    assert again.headers["Location"] == session["url"] and len(shop.sessions) == 1


def test_the_webhook_marks_the_order_paid_once(client, shop, tea):
    order, _ = order_with(client, tea, "card")
    session = shop.complete(next(iter(shop.sessions)))
    payload = shop.event("checkout.session.completed", session, event_id="evt_paid_1")
    response = webhook(client, payload)
    assert response.status_code == 200 and response.get_json() == {"outcome": "paid"}
    db.session.refresh(order)
    assert order.payment_status == "paid" and level_of(tea) == (3, 0)
    before = snapshot(order, tea)

    replay = webhook(client, payload)  # Stripe delivers again
    assert replay.status_code == 200 and replay.get_json() == {"outcome": "duplicate"}
    assert snapshot(order, tea) == before
    assert db.session.scalar(select(func.count(PaymentEvent.id))) == 1


def test_a_bad_signature_or_a_wrong_amount_changes_nothing(client, shop, tea):
    order, _ = order_with(client, tea, "card")
    before = snapshot(order, tea)
    session = shop.complete(next(iter(shop.sessions)))
    payload = shop.event("checkout.session.completed", session)

    assert webhook(client, payload, signature=sign(payload, secret="whsec_someone_else")).status_code == 400
    assert webhook(client, payload, signature="t=1,v1=00").status_code == 400
    assert webhook(client, payload, signature=sign(payload, timestamp=1_600_000_000)).status_code == 400  # stale
    assert webhook(client, b"not json", signature=sign(b"not json")).status_code == 400
    tampered = payload.replace(b'"amount_total": 260000', b'"amount_total": 26000')
    assert webhook(client, tampered, signature=sign(payload)).status_code == 400
    assert snapshot(order, tea) == before and db.session.scalar(select(func.count(PaymentEvent.id))) == 0

    cheap = shop.event("checkout.session.completed", dict(session, amount_total=26000), event_id="evt_cheap")
    assert webhook(client, cheap).get_json() == {"outcome": "amount_mismatch"}
    dollars = shop.event("checkout.session.completed", dict(session, currency="usd"), event_id="evt_usd")
    assert webhook(client, dollars).get_json() == {"outcome": "amount_mismatch"}
    assert snapshot(order, tea) == before
    office_signs_in(client)
    assert "evt_cheap" in client.get("/office/orders").get_data(as_text=True)  # shown to the office


def test_an_expired_checkout_session_cancels_the_order(client, shop, tea):
    order, _ = order_with(client, tea, "card")
    session = dict(next(iter(shop.sessions.values())), status="expired")
    assert webhook(client, shop.event("checkout.session.expired", session)).get_json() == {"outcome": "expired"}
    db.session.refresh(order)
    assert order.payment_status == "expired" and level_of(tea) == (5, 0)


def test_expiry_leaves_a_session_paid_meanwhile_to_its_webhook(client, shop, tea):
    order, _ = order_with(client, tea, "card")
    session_id = next(iter(shop.sessions))
    shop.complete(session_id)  # paid at Stripe; the webhook has not arrived yet
    assert payments.expire_overdue(now=utcnow() + dt.timedelta(hours=1)) == 0
    db.session.refresh(order)
    assert order.payment_status == "unpaid" and level_of(tea) == (5, 2)
    webhook(client, shop.event("checkout.session.completed", shop.sessions[session_id]))
    db.session.refresh(order)
    assert order.payment_status == "paid"

    _other, _ = order_with(client, tea, "card", quantity=1)  # never paid: its session is closed at Stripe first
    other_session = next(s for s in shop.sessions if s != session_id)
    assert payments.expire_overdue(now=utcnow() + dt.timedelta(hours=1)) == 1
    assert shop.sessions[other_session]["status"] == "expired"


def test_when_stripe_is_down_the_order_waits_and_the_buyer_can_try_again(client, shop, tea):
    shop.down = True
    order, response = order_with(client, tea, "card")
    assert f"/orders/{order.number}" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thanh toán bằng thẻ" in page and order.payment_status == "unpaid" and level_of(tea) == (5, 2)
    shop.down = False
    retry = client.post(f"/orders/{order.number}/pay", data={"token": order.access_token})
    assert retry.headers["Location"].startswith(shop.url + "/pay/")


def test_a_paid_part_cancelled_by_its_seller_is_owed_back(client, shop, make, tea):
    coffee = stocked(make, make.seller(legal_name="HTX Cà phê Sơn La", province_code=14), "Cà phê", 600000, 3)
    client.post("/cart/add", data={"product_id": coffee.id, "quantity": 1})
    order, _ = order_with(client, tea, "card")
    webhook(client, shop.event("checkout.session.completed", shop.complete(next(iter(shop.sessions)))))
    db.session.refresh(order)
    assert order.payment_status == "paid" and level_of(coffee) == (2, 0)
    seller_signs_in(client, coffee.seller)
    coffee_part = next(p for p in order.parts if p.seller_id == coffee.seller_id)
    client.post(f"/seller/orders/{coffee_part.id}", data={"action": "cancel", "reason": "Hết cà phê"})
    db.session.refresh(order)
    assert order.payment_status == "refund_due" and order.refund_vnd == 600000  # free delivery from 500.000 ₫
    assert level_of(coffee) == (3, 0)  # back on the shelf, through a return movement
    assert stock.history(stock.warehouse_of(coffee.seller).id, coffee.id)[0].kind == "return"
