"""Money back to buyers (issue 16): to the card through Stripe's Refund API (the official library against the
local fake, `charge.refunded` signed as Stripe signs it), by a bank transfer or cash the office records;
whole or per part, once, never more than owed back; the ledger and the buyer follow."""
import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.orders import payments, refunds
from marketplace.orders import services as orders
from marketplace.orders.models import Order
from marketplace.outbox.models import OutboxEmail
from marketplace.payments.models import Refund
from marketplace.settlements import check
from marketplace.settlements import services as ledger
from marketplace.unit_of_work import run

from .helpers import CONTACT, at_once, check_out, clients, officer, shipping, sign_in, stocked
from .stripe_fake import sign


@pytest.fixture
def goods(make):
    """Tea from Thái Nguyên and honey from Hà Giang, both sold by producers of province 19 and 2."""
    tea = stocked(make, make.seller(legal_name="HTX Chè Tân Cương", province_code=19), "Trà Tân Cương", 120_000, 9)
    honey = stocked(make, make.seller(legal_name="HTX Mật ong Bạc Hà", province_code=2), "Mật ong bạc hà", 250_000, 9)
    return tea, honey


def paid_by_card(client, shop, items) -> Order:
    for product, quantity in items:
        client.post("/cart/add", data={"product_id": product.id, "quantity": quantity})
    assert check_out(client, CONTACT | {"payment": "card"}).status_code == 303
    order = db.session.scalar(select(Order).order_by(Order.id.desc()))
    session = shop.complete(next(s for s, v in shop.sessions.items() if v["metadata"]["order_number"] == order.number))
    assert webhook(client, shop.event("checkout.session.completed", session)).get_json() == {"outcome": "paid"}
    db.session.refresh(order)
    return order


def webhook(client, payload: bytes):
    return client.post("/payments/stripe/webhook", data=payload, content_type="application/json",
                       headers={"Stripe-Signature": sign(payload)})


def session_of(shop, order) -> str:
    return next(s for s, v in shop.sessions.items() if v["metadata"]["order_number"] == order.number)


def part_of(order, product):
    return next(part for part in order.parts if part.seller_id == product.seller_id)


def cancel(part):
    run(orders.move, part, "cancel", reason="Hết hàng")


def sound():
    db.session.rollback()
    assert check.problems() == []


def test_a_cancelled_part_is_refunded_to_the_card_once_and_the_order_says_refunded(client, shop, goods):
    tea, _honey = goods
    order = paid_by_card(client, shop, [(tea, 2)])
    cancel(order.parts[0])
    db.session.refresh(order)
    assert order.payment_status == "refund_due" and order.refund_vnd == order.total_vnd
    office = officer()
    refund = payments.refund_to_card(office, order)
    db.session.refresh(order)
    refund = db.session.get(Refund, refund.id)
    assert (refund.state, refund.amount_vnd, order.payment_status, order.refund_vnd) == \
        ("succeeded", order.total_vnd, "refunded", 0)
    [stripe_refund] = shop.refunds.values()
    assert stripe_refund["amount"] == order.total_vnd and stripe_refund["metadata"]["refund"] == refund.number
    assert any(request[3].get("idempotency-key") == f"ocop-refund-{refund.id}" for request in shop.requests
               if request[1] == "/v1/refunds")
    assert ledger.balances()["refunds_payable"] == 0 and ledger.balances()["cash"] == 0
    told = db.session.scalars(select(OutboxEmail.subject).where(OutboxEmail.to == order.contact_email)).all()
    assert len([subject for subject in told if "refunded" in subject or "đã hoàn" in subject]) == 1
    with pytest.raises(refunds.RefundError, match="nothing_due"):
        payments.refund_to_card(office, order)
    # Stripe's webhook for the same refund changes nothing
    assert webhook(client, shop.event("charge.refunded", shop.charge(session_of(shop, order)))).get_json() == \
        {"outcome": "ignored"}
    sound()


def test_parts_are_refunded_one_at_a_time_and_a_later_return_is_due_again(client, shop, goods):
    tea, honey = goods
    order = paid_by_card(client, shop, [(tea, 1), (honey, 1)])
    cancel(part_of(order, tea))
    db.session.refresh(order)
    owed = order.refund_vnd
    assert owed == part_of(order, tea).goods_vnd + part_of(order, tea).delivery_vnd
    office = officer()
    payments.refund_to_card(office, order)
    db.session.refresh(order)
    assert order.payment_status == "paid" and order.refunded_vnd == owed  # the honey is still coming, paid
    honey_part = part_of(order, honey)
    for action in ("confirm", "pack", "ship", "deliver", "return"):
        run(orders.move, honey_part, action, **shipping(action))
    db.session.refresh(order)
    assert order.payment_status == "refund_due" and order.refund_vnd == 250_000  # the goods; not its delivery
    payments.refund_to_card(officer(province_code=2, email="office2@ocop.vn"), order, 100_000)  # part of it
    db.session.refresh(order)
    assert order.payment_status == "refund_due" and order.refund_vnd == 150_000
    with pytest.raises(refunds.RefundError, match="too_much"):
        payments.refund_to_card(office, order, 150_001)
    payments.refund_to_card(office, order)
    db.session.refresh(order)
    assert order.payment_status == "refunded" and order.refunded_vnd == owed + 250_000  # nothing kept
    sound()


def test_a_refund_stripe_answers_later_is_completed_once_by_its_webhook(client, shop, goods):
    tea, _honey = goods
    order = paid_by_card(client, shop, [(tea, 1)])
    cancel(order.parts[0])
    shop.refund_status = "pending"
    refund = payments.refund_to_card(officer(), order)
    assert db.session.get(Refund, refund.id).state == "pending" and refunds.still_to_refund(order) == 0
    payload = shop.event("charge.refunded", shop.charge(session_of(shop, order)), event_id="evt_refunded")
    assert webhook(client, payload).get_json() == {"outcome": "refunded"}
    assert webhook(client, payload).get_json() == {"outcome": "duplicate"}
    db.session.expire_all()
    assert db.session.get(Refund, refund.id).state == "succeeded"
    assert db.session.get(Order, order.id).payment_status == "refunded"
    sound()


def test_stripe_unreachable_leaves_the_refund_pending_and_asking_again_refunds_once(client, shop, goods):
    tea, _honey = goods
    order = paid_by_card(client, shop, [(tea, 1)])
    cancel(order.parts[0])
    shop.down = True
    office = officer()
    refund = payments.refund_to_card(office, order)
    assert db.session.get(Refund, refund.id).state == "pending" and shop.refunds == {}
    shop.down = False
    sign_in(client, "office19@ocop.vn")
    assert client.post(f"/office/orders/{order.number}/refunds/{refund.id}/ask-again").status_code == 303
    assert client.post(f"/office/orders/{order.number}/refunds/{refund.id}/ask-again").status_code == 404  # done
    assert len(shop.refunds) == 1 and db.session.get(Refund, refund.id).state == "succeeded"
    sound()


def test_a_refund_made_in_stripes_dashboard_is_recorded_from_its_webhook(client, shop, goods):
    tea, _honey = goods
    order = paid_by_card(client, shop, [(tea, 1)])
    cancel(order.parts[0])
    db.session.refresh(order)
    shop.refund_in_dashboard(session_of(shop, order), order.total_vnd)
    assert webhook(client, shop.event("charge.refunded", shop.charge(session_of(shop, order)))).get_json() == \
        {"outcome": "refunded"}
    db.session.expire_all()
    [refund] = db.session.scalars(select(Refund)).all()
    assert refund.created_by_id is None and db.session.get(Order, order.id).payment_status == "refunded"
    sound()


def test_a_vietqr_refund_is_recorded_with_the_banks_reference_from_the_office_page(client, shop, goods):
    tea, _honey = goods
    client.post("/cart/add", data={"product_id": tea.id, "quantity": 1})
    check_out(client, CONTACT | {"payment": "vietqr"})
    order = db.session.scalar(select(Order).order_by(Order.id.desc()))
    run(orders.mark_paid, order)
    cancel(order.parts[0])
    officer()
    sign_in(client, "office19@ocop.vn")
    page = client.get(f"/office/orders/{order.number}")
    assert 'name="method"' in page.text and 'value="bank_transfer"' in page.text
    assert 'value="card"' not in page.text  # not paid by card: no card refund offered
    client.post(f"/office/orders/{order.number}/refunds", data={"method": "bank_transfer", "reference": ""})
    db.session.refresh(order)
    assert order.payment_status == "refund_due" and db.session.scalar(select(func.count(Refund.id))) == 0
    client.post(f"/office/orders/{order.number}/refunds", data={"method": "card", "reference": ""})
    assert db.session.scalar(select(func.count(Refund.id))) == 0
    assert client.post(f"/office/orders/{order.number}/refunds",
                       data={"method": "bank_transfer", "reference": "FT26334987654"}).status_code == 303
    db.session.refresh(order)
    assert order.payment_status == "refunded" and ledger.balances()["cash"] == 0
    sound()


def test_an_officer_of_another_province_cannot_refund(client, shop, goods):
    tea, _honey = goods
    order = paid_by_card(client, shop, [(tea, 1)])
    cancel(order.parts[0])
    officer(province_code=2, email="office2@ocop.vn")
    sign_in(client, "office2@ocop.vn")
    assert client.post(f"/office/orders/{order.number}/refunds",
                       data={"method": "bank_transfer", "reference": "FT1"}).status_code == 404
    assert db.session.scalar(select(func.count(Refund.id))) == 0


def test_two_officers_refunding_at_once_give_the_money_back_once(app, client, shop, goods):
    tea, _honey = goods
    order = paid_by_card(client, shop, [(tea, 1)])
    cancel(order.parts[0])
    officer()
    officer(email="office19b@ocop.vn")
    first, second = clients(app, "office19@ocop.vn", "office19b@ocop.vn")
    path = f"/office/orders/{order.number}/refunds"
    assert sorted(at_once([(first, path, {"method": "card"}), (second, path, {"method": "card"})])) == \
        ["done", "refused"]
    assert len(shop.refunds) == 1 and db.session.scalar(select(func.count(Refund.id))) == 1
    sound()
