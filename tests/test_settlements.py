"""The money ledger (issue 16, first part): every paid, delivered, cancelled and returned online part posts
balanced entries in the transaction that moves it, once; what each producer is owed and what buyers are
owed back follow; `flask settlements check` agrees with the orders."""
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.orders import services as orders
from marketplace.orders.models import Order
from marketplace.settlements import check
from marketplace.settlements import services as ledger
from marketplace.settlements.models import CommissionRate, MoneyEntry
from marketplace.settlements.services import Line, Unbalanced
from marketplace.unit_of_work import run

from .helpers import shipping, stocked

BODY = {"contact": {"name": "Trần Thị Bình", "phone": "0987654321", "email": "binh@example.vn"},
        "address": {"province": 19, "ward": "Phường Phan Đình Phùng", "street": "5 Quang Trung"}}


@pytest.fixture
def goods(make):
    """Tea from Thái Nguyên (group I, 5 % commission) and coffee from Sơn La (group II: none set, 0 %)."""
    tea = stocked(make, make.seller(legal_name="HTX Chè Tân Cương", province_code=19), "Trà Tân Cương", 120_000, 9,
                  group_code="I.5.a")
    coffee = stocked(make, make.seller(legal_name="HTX Cà phê Sơn La", province_code=14), "Cà phê Sơn La",
                     600_000, 9, group_code="II.1.a")
    db.session.add(CommissionRate(group_top="I", rate_bp=500))
    db.session.commit()
    return tea, coffee


def order_of(client, items, payment):
    answer = client.post("/api/v1/orders", json=BODY | {"payment": payment, "items": [
        {"product_id": product.id, "quantity": quantity} for product, quantity in items]})
    assert answer.status_code == 201, answer.get_json()
    return db.session.scalar(select(Order).where(Order.number == answer.get_json()["number"]))


def move(part, *actions):
    for action in actions:
        run(orders.move, part, action, **shipping(action))


def part_of(order, product):
    return next(part for part in order.parts if part.seller_id == product.seller_id)


def sound():
    db.session.rollback()
    assert check.problems() == []
    assert sum(ledger.balances().values()) == 0


def test_a_prepaid_part_delivered_is_owed_to_its_producer_less_the_commission(client, shop, goods):
    tea, coffee = goods
    order = order_of(client, [(tea, 2), (coffee, 1)], "vietqr")
    run(orders.mark_paid, order)
    assert ledger.balances()["cash"] == order.total_vnd and ledger.owed_to(tea.seller_id) == 0
    tea_part = part_of(order, tea)
    move(tea_part, "confirm", "pack", "ship", "deliver")
    commission = 12_000  # 5 % of 240,000
    assert ledger.owed_to(tea.seller_id) == 240_000 + tea_part.delivery_vnd - commission
    assert ledger.balances()["commission"] == -commission
    assert ledger.owed_to(coffee.seller_id) == 0  # not delivered yet: the buyer's money is still held
    assert ledger.balances()["prepaid"] == -(order.total_vnd - 240_000 - tea_part.delivery_vnd)
    sound()


def test_cash_on_delivery_by_the_producer_leaves_it_owing_the_commission(client, goods):
    tea, _coffee = goods
    order = order_of(client, [(tea, 1)], "cod")
    move(order.parts[0], "confirm", "pack", "ship", "deliver")
    assert ledger.owed_to(tea.seller_id) == -6_000  # its courier took 120,000 and the fee: 5 % is the shop's
    assert ledger.balances()["cash"] == 0
    sound()


def test_a_part_cancelled_after_payment_is_owed_back_with_its_parcel(client, shop, goods):
    tea, coffee = goods
    order = order_of(client, [(tea, 1), (coffee, 1)], "vietqr")
    run(orders.mark_paid, order)
    run(orders.move, part_of(order, coffee), "cancel")
    db.session.refresh(order)
    assert order.payment_status == "refund_due"
    assert -ledger.balances()["refunds_payable"] == order.refund_vnd == 600_000 + part_of(order, coffee).delivery_vnd
    sound()


def test_a_returned_part_is_taken_back_from_its_producer_and_owed_to_the_buyer(client, shop, goods):
    tea, _coffee = goods
    order = order_of(client, [(tea, 2)], "vietqr")
    run(orders.mark_paid, order)
    part = order.parts[0]
    move(part, "confirm", "pack", "ship", "deliver", "return")
    assert ledger.owed_to(tea.seller_id) == part.delivery_vnd  # the parcel went and came back: its fee stays
    assert ledger.balances()["commission"] == 0
    db.session.refresh(order)
    assert -ledger.balances()["refunds_payable"] == order.refund_vnd == 240_000
    sound()


def test_a_returned_cash_on_delivery_part_is_paid_back_by_its_producer(client, goods):
    tea, _coffee = goods
    order = order_of(client, [(tea, 1)], "cod")
    move(order.parts[0], "confirm", "pack", "ship", "deliver", "return")
    assert ledger.owed_to(tea.seller_id) == -120_000  # the shop pays the buyer back; the producer repays it
    assert -ledger.balances()["refunds_payable"] == 120_000
    sound()


def test_an_order_paid_after_it_expired_is_owed_back_whole(client, shop, goods):
    tea, _coffee = goods
    order = order_of(client, [(tea, 1)], "vietqr")
    assert run(orders.expire, order)
    assert run(orders.mark_paid, order) == "refund_due"
    assert ledger.balances()["cash"] == order.total_vnd == -ledger.balances()["refunds_payable"]
    sound()


def test_each_event_is_posted_once_and_every_entry_balances(client, shop, goods):
    tea, _coffee = goods
    order = order_of(client, [(tea, 1)], "vietqr")
    run(orders.mark_paid, order)
    move(order.parts[0], "confirm", "pack", "ship", "deliver")
    entries = db.session.scalar(select(func.count(MoneyEntry.id)))
    run(orders.money.settle, order)  # whatever path reaches it again posts nothing more
    assert db.session.scalar(select(func.count(MoneyEntry.id))) == entries
    with pytest.raises(IntegrityError):
        ledger.post("paid", f"paid:{order.id}", [Line("cash", 1), Line("prepaid", -1)], order_id=order.id)
    db.session.rollback()
    with pytest.raises(Unbalanced):
        ledger.post("paid", "paid:nothing", [Line("cash", 1), Line("prepaid", -2)])
    db.session.rollback()
    sound()


def test_the_check_names_an_account_the_orders_do_not_account_for(app, client, shop, goods):
    tea, _coffee = goods
    order = order_of(client, [(tea, 1)], "vietqr")
    run(orders.mark_paid, order)
    ledger.post("wrap", "wrap:stray", [Line("cash", 5_000), Line("point_fees", -5_000)])
    db.session.commit()
    assert any(problem.startswith("cash:") for problem in check.problems())
    result = app.test_cli_runner().invoke(args=["settlements", "check"])
    assert result.exit_code == 1 and "cash" in result.output


# --- Hostile review ---------------------------------------------------------------------------------

def refunds_agree():
    db.session.rollback()
    owed = sum(order.refund_vnd for order in db.session.scalars(select(Order))
               if order.payment_status == "refund_due")
    assert -ledger.balances()["refunds_payable"] == owed


@pytest.fixture
def counter(make):
    """A sales point with two producers' goods on its shelf (tea 120,000; rice 90,000)."""
    from marketplace.salespoints import services as points

    from .helpers import new_point, officer, staff
    office = officer()
    point = new_point(office)
    tea_seller = make.seller(legal_name="HTX Chè Tân Cương", province_code=19)
    rice_seller = make.seller(legal_name="HTX Gạo Nếp", province_code=19)
    tea = make.listed(seller=tea_seller, name="Trà Tân Cương", price_vnd=120_000, group_code="I.5.a")
    rice = make.listed(seller=rice_seller, name="Gạo nếp", price_vnd=90_000, group_code="I.1.a")
    clerk = staff(point, "kho@ocop.vn", role="manager")
    run(points.receive_goods, point, clerk, tea_seller.id, [points.ReceiptLine(tea.id, 5)])
    run(points.receive_goods, point, clerk, rice_seller.id, [points.ReceiptLine(rice.id, 5)])
    db.session.add(CommissionRate(group_top="I", rate_bp=500))
    db.session.commit()
    return point, clerk, tea, rice


def test_a_pickup_part_handed_over_and_returned_then_the_rest_expiring_owes_the_refund(app, counter):
    """At a point, paid at the counter: the tea is handed over (240,000 in the till) and brought back (owed
    back: the ledger's refunds_payable), the rice is never collected and the order expires. The order then
    says "expired" (refund_vnd 0), while the ledger owes the buyer 240,000: refunds_payable no longer
    matches what the orders owe back, and the cash the till took is in no refund_due order."""
    import datetime as dt

    from marketplace.models_base import utcnow
    from marketplace.orders import checkout
    from marketplace.orders.payments import expire_overdue
    point, clerk, tea, rice = counter
    order = run(checkout.place_order, {tea.id: 2, rice.id: 1},
                checkout.Contact("An", "0912345678", "an@example.vn", 19, 5443, "Điểm"), "at_point",
                pickup_location_id=point.location_id)
    tea_part = next(part for part in order.parts if part.lines[0].product_id == tea.id)
    for action in ("confirm", "pack", "hand_over", "return"):
        run(orders.move, tea_part, action, actor_id=clerk.id, by="point")
    assert expire_overdue(now=utcnow() + dt.timedelta(days=3, minutes=1)) == 1
    sound()
    refunds_agree()


def test_orders_placed_before_the_ledger_are_posted_once_by_flask_orders_settle(app, client, shop, goods):
    """Migration 0035 creates the ledger empty while the orders of before it stand (paid, delivered): the check
    says so until `flask orders settle` posts what their states make due, once however often it runs."""
    from flask_migrate import downgrade, upgrade
    tea, _coffee = goods
    order = order_of(client, [(tea, 1)], "vietqr")
    run(orders.mark_paid, order)
    move(order.parts[0], "confirm", "pack", "ship", "deliver")
    delivery, tea_seller = order.parts[0].delivery_vnd, tea.seller_id
    db.session.remove()
    downgrade(revision="0034_search_suggestions")  # the database as it was before this feature, with its orders
    upgrade()
    db.session.add(CommissionRate(group_top="I", rate_bp=500))
    db.session.commit()
    assert any(problem.startswith("cash:") for problem in check.problems())
    settled = app.test_cli_runner().invoke(args=["orders", "settle"])
    assert settled.exit_code == 0 and "1 order(s) settled" in settled.output
    assert check.problems() == [] and ledger.owed_to(tea_seller) == 120_000 + delivery - 6_000
    again = app.test_cli_runner().invoke(args=["orders", "settle"])
    assert "0 ledger entries posted" in again.output
    sound()
