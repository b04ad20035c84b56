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


def test_the_check_tells_the_office_where_the_operators_money_is(app, client, shop, goods):
    """Money received less money given back is what is owed to producers, held for buyers, owed back, being
    paid out, and the points' and the operator's own share: the check says each, in đồng."""
    tea, _coffee = goods
    order = order_of(client, [(tea, 2)], "vietqr")
    run(orders.mark_paid, order)
    move(order.parts[0], "confirm", "pack", "ship", "deliver")
    result = app.test_cli_runner().invoke(args=["settlements", "check"])
    owed = 240_000 + order.parts[0].delivery_vnd - 12_000
    assert result.exit_code == 0, result.output
    assert f"holds {order.total_vnd:,} đồng: owed to producers {owed:,}" in result.output
    assert "commission 12,000" in result.output


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


def test_orders_placed_before_the_ledger_are_posted_once_by_flask_settlements_backfill(app, client, shop, goods):
    """Migration 0035 creates the ledger empty while the orders of before it stand (paid, delivered): the check
    says so until `flask settlements backfill` posts what their states make due, once however often it runs."""
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
    settled = app.test_cli_runner().invoke(args=["settlements", "backfill"])
    assert settled.exit_code == 0 and "orders: 1 document(s) read" in settled.output
    assert check.problems() == [] and ledger.owed_to(tea_seller) == 120_000 + delivery - 6_000
    again = app.test_cli_runner().invoke(args=["settlements", "backfill"])
    assert "orders: 1 document(s) read, 0 ledger entries posted" in again.output
    sound()


# --- Counter sales: the point sells the producers' goods on consignment and keeps its margin -------------

def with_margin(point, percent):
    point.margin_bp = percent * 100
    db.session.commit()


def test_a_counter_sale_owes_each_producer_its_goods_less_the_points_margin(counter):
    from marketplace.salespoints import services as points
    point, clerk, tea, rice = counter
    with_margin(point, 15)
    sale = run(points.complete_sale, point, clerk, {tea.id: 2, rice.id: 1}, "cash", cash_given_vnd=400_000)
    assert ledger.balances()["cash"] == 330_000
    assert ledger.owed_to(tea.seller_id) == 204_000  # 240,000 less 15 %
    assert ledger.owed_to(rice.seller_id) == 76_500  # 90,000 less 13,500
    assert ledger.balances()["point_fees"] == -49_500 and ledger.balances()["commission"] == 0
    entry = db.session.scalar(select(MoneyEntry).where(MoneyEntry.once_key == f"sale:{sale.id}"))
    assert entry.sales_point_id == point.id and entry.reference == sale.number
    with_margin(point, 30)  # a later change of the margin does not touch what was sold before it
    assert ledger.owed_to(tea.seller_id) == 204_000
    sound()


def test_a_counter_return_takes_back_the_goods_at_the_margin_of_the_sale(counter):
    from marketplace.salespoints import services as points
    point, clerk, tea, rice = counter
    with_margin(point, 10)
    sale = run(points.complete_sale, point, clerk, {tea.id: 3, rice.id: 1}, "vietqr")
    with_margin(point, 20)
    tea_line = next(line for line in sale.lines if line.product_id == tea.id)
    run(points.return_goods, sale, clerk, {tea_line.id: 1}, "Hộp bị móp")
    assert ledger.owed_to(tea.seller_id) == 216_000  # two boxes kept: 240,000 less 10 %
    assert ledger.owed_to(rice.seller_id) == 81_000
    assert ledger.balances()["cash"] == 450_000 - 120_000
    sound()


def test_a_voided_counter_sale_leaves_nothing_owed(counter):
    from marketplace.salespoints import services as points
    point, clerk, tea, rice = counter
    with_margin(point, 15)
    sale = run(points.complete_sale, point, clerk, {tea.id: 1, rice.id: 2}, "card")
    run(points.void_sale, sale, clerk, "Bấm nhầm")
    assert ledger.owed_to(tea.seller_id) == ledger.owed_to(rice.seller_id) == 0
    assert all(amount == 0 for amount in ledger.balances().values())
    sound()


def test_a_sale_refused_posts_nothing(counter):
    """Out of stock: the whole sale rolls back, its money entry with it."""
    from marketplace.salespoints import services as points
    point, clerk, tea, rice = counter
    with pytest.raises(points.PointError):
        run(points.complete_sale, point, clerk, {tea.id: 1, rice.id: 99}, "card")
    assert db.session.scalar(select(func.count(MoneyEntry.id))) == 0


def test_counter_sales_made_before_the_ledger_are_posted_once_by_the_backfill(app, counter):
    from flask_migrate import downgrade, upgrade

    from marketplace.salespoints import services as points
    point, clerk, tea, rice = counter
    kept = run(points.complete_sale, point, clerk, {tea.id: 2}, "cash", cash_given_vnd=240_000)
    run(points.return_goods, kept, clerk, {kept.lines[0].id: 1}, "Đổi ý")
    voided = run(points.complete_sale, point, clerk, {rice.id: 1}, "cash", cash_given_vnd=90_000)
    run(points.void_sale, voided, clerk, "Bấm nhầm")
    tea_seller = tea.seller_id
    db.session.remove()
    downgrade(revision="0034_search_suggestions")
    upgrade()
    assert check.problems() == ["cash: the ledger says 0, the documents 120000"]
    settled = app.test_cli_runner().invoke(args=["settlements", "backfill"])
    assert "counter: 2 document(s) read, 4 ledger entries posted" in settled.output
    assert check.problems() == [] and ledger.owed_to(tea_seller) == 120_000  # the margin was 0 then
    again = app.test_cli_runner().invoke(args=["settlements", "backfill"])
    assert "counter: 2 document(s) read, 0 ledger entries posted" in again.output
    sound()


def test_the_office_sets_a_points_margin_in_percent(client, counter):
    from .helpers import sign_in
    point, _clerk, _tea, _rice = counter
    sign_in(client, "office19@ocop.vn")
    page = client.get(f"/office/points/{point.id}")
    assert 'name="margin_percent"' in page.text
    form = {"code": point.code, "name": point.name, "kind": point.kind, "province": 19,
            "ward": ocop_ward(point), "street": point.street, "opening_hours": point.opening_hours,
            "phone": point.phone, "margin_percent": "12.5", "active": "y"}
    answer = client.post(f"/office/points/{point.id}", data=form)
    assert answer.status_code == 303, answer.text
    db.session.refresh(point)
    assert point.margin_bp == 1250
    refused = client.post(f"/office/points/{point.id}", data=form | {"margin_percent": "80"})
    assert refused.status_code == 422
    db.session.refresh(point)
    assert point.margin_bp == 1250


def ocop_ward(point):
    from marketplace import ocop
    return ocop.ward(point.ward_code).name


# --- Statements: the office closes a period, each producer's lines of it become a statement ----------------

def delivered_tea(client, tea, quantity=1):
    order = order_of(client, [(tea, quantity)], "vietqr")
    run(orders.mark_paid, order)
    move(order.parts[0], "confirm", "pack", "ship", "deliver")
    return order


def close(province, through):
    from marketplace.settlements import statements
    return run(statements.close, province, through)


def test_a_closed_statement_holds_the_periods_lines_and_a_later_entry_goes_to_the_next(client, shop, goods, clock):
    import datetime as dt

    from marketplace import ocop
    from marketplace.settlements import statements
    from marketplace.settlements.models import Statement
    tea, _coffee = goods
    order = delivered_tea(client, tea, 2)
    owed = 240_000 + order.parts[0].delivery_vnd - 12_000
    today = ocop.today()
    with pytest.raises(statements.StatementError, match="future"):
        close(19, today)  # today has not ended
    clock(today + dt.timedelta(days=1))  # the next morning: today has ended
    [first] = close(19, today)
    assert (first.seller_id, first.number, first.opening_vnd, first.movement_vnd, first.closing_vnd) == \
        (tea.seller_id, f"BK-{first.id:06d}", 0, owed, owed)
    with pytest.raises(statements.StatementError, match="closed_already"):
        close(19, today)
    later = delivered_tea(client, tea)  # posted after the close (even if dated before its end): the next one's
    db.session.expire_all()
    kept = db.session.get(Statement, first.id)
    assert kept.closing_vnd == owed and {line.entry.reference for line in kept.lines} == {order.number}
    assert [(row.kind, row.reference) for row in statements.rows(tea.seller_id, None)] == \
        [("delivered", later.number), ("parcel", later.number)]
    more = 120_000 + later.parts[0].delivery_vnd - 6_000
    assert ledger.owed_to(tea.seller_id) == owed + more
    clock(today + dt.timedelta(days=2))
    [second] = close(19, today + dt.timedelta(days=1))
    assert (second.period_start, second.last_day, second.opening_vnd, second.movement_vnd, second.closing_vnd) == \
        (today + dt.timedelta(days=1), today + dt.timedelta(days=1), owed, more, owed + more)
    assert {row.reference for row in statements.rows(tea.seller_id, second)} == {later.number}
    assert close(14, today + dt.timedelta(days=1)) == []  # coffee's province: nothing delivered there
    sound()


def test_a_producer_reads_its_statements_and_no_one_elses(client, shop, goods, clock):
    import datetime as dt

    from marketplace import ocop

    from .helpers import officer, seller_signs_in, sign_in
    tea, coffee = goods
    delivered_tea(client, tea, 2)
    today = ocop.today()
    clock(today + dt.timedelta(days=1))
    [statement] = close(19, today)
    seller_signs_in(client, tea.seller)
    page = client.get("/seller/money/")
    assert page.status_code == 200 and statement.number in page.text
    shown = client.get(f"/seller/money/statements/{statement.id}")
    assert shown.status_code == 200 and "12.000" in shown.text  # the commission taken
    sheet = client.get(f"/seller/money/statements/{statement.id}?format=csv")
    assert sheet.status_code == 200 and "text/csv" in sheet.content_type and statement.number in sheet.text
    document = client.get(f"/seller/money/statements/{statement.id}?format=pdf")
    assert document.status_code == 200 and document.data.startswith(b"%PDF-")
    assert client.get(f"/seller/money/statements/{statement.id}?format=exe").status_code == 404
    seller_signs_in(client, coffee.seller)
    assert client.get(f"/seller/money/statements/{statement.id}").status_code == 404
    officer(province_code=14, email="office14@ocop.vn")
    sign_in(client, "office14@ocop.vn")
    assert client.get(f"/office/money/statements/{statement.id}").status_code == 404  # another province's
    officer()
    sign_in(client, "office19@ocop.vn")
    assert client.get(f"/office/money/statements/{statement.id}?format=xlsx").status_code == 200
    assert statement.number in client.get("/office/money").text
    assert statement.number in client.get(f"/office/money/sellers/{tea.seller_id}").text
    sign_in(client, "office14@ocop.vn")
    assert client.get(f"/office/money/sellers/{tea.seller_id}").status_code == 404


def test_the_office_closes_a_period_with_a_button_once(client, shop, goods, clock):
    import datetime as dt

    from marketplace import ocop
    from marketplace.settlements.models import Statement

    from .helpers import officer, sign_in
    tea, _coffee = goods
    delivered_tea(client, tea)
    officer()
    sign_in(client, "office19@ocop.vn")
    today = ocop.today()
    assert client.get("/office/money").status_code == 200
    refused = client.post("/office/money", data={"through": today.strftime("%d/%m/%Y")})
    assert refused.status_code == 422 and db.session.scalar(select(func.count(Statement.id))) == 0
    clock(today + dt.timedelta(days=1))
    assert client.post("/office/money", data={"through": today.strftime("%d/%m/%Y")}).status_code == 303
    assert 'name="through"' not in client.get("/office/money").text  # closed to yesterday: nothing to close
    again = client.post("/office/money", data={"through": today.strftime("%d/%m/%Y")})
    assert again.status_code == 422 and db.session.scalar(select(func.count(Statement.id))) == 1


def test_flask_settlements_close_closes_every_province(app, client, shop, goods, clock):
    import datetime as dt

    from marketplace import ocop
    tea, _coffee = goods
    delivered_tea(client, tea)
    until = ocop.today().isoformat()
    clock(ocop.today() + dt.timedelta(days=1))
    closed = app.test_cli_runner().invoke(args=["settlements", "close", "--until", until])
    assert closed.exit_code == 0 and f"province 19: 1 statement(s) closed through {until}" in closed.output
    again = app.test_cli_runner().invoke(args=["settlements", "close", "--until", until])
    assert "province 19: not closed (closed_already)" in again.output


def test_two_officers_closing_the_same_period_at_once_make_one_set_of_statements(app, client, shop, goods, clock):
    import datetime as dt

    from marketplace import ocop
    from marketplace.settlements.models import Statement

    from .helpers import at_once, clients, officer
    tea, _coffee = goods
    delivered_tea(client, tea)
    officer()
    officer(email="office19b@ocop.vn")
    today = ocop.today()
    clock(today + dt.timedelta(days=1))
    first, second = clients(app, "office19@ocop.vn", "office19b@ocop.vn")
    day = today.strftime("%d/%m/%Y")
    assert sorted(at_once([(first, "/office/money", {"through": day}), (second, "/office/money", {"through": day})],
                          answer="status")) == [303, 422]
    [statement] = db.session.scalars(select(Statement)).all()
    assert statement.closing_vnd == ledger.owed_to(tea.seller_id)
    sound()


# --- Payout accounts and payouts ------------------------------------------------------------------------

VCB = "970436"  # Vietcombank's BIN in the VietQR list


def closed_statement(client, tea, clock, quantity=1):
    """A delivered tea order, closed into a statement the next morning."""
    import datetime as dt

    from marketplace import ocop
    delivered_tea(client, tea, quantity)
    today = ocop.today()
    clock(today + dt.timedelta(days=1))
    [statement] = close(19, today)
    return statement


def account_of(seller, holder=None, number="0011001234567"):
    from marketplace.settlements import bank

    from .helpers import find_user_of
    return run(bank.submit, find_user_of(seller), seller, VCB, number, holder or seller.legal_name)


def test_a_producers_bank_account_waits_for_the_office_and_payouts_wait_with_it(client, shop, goods, clock):
    from marketplace.outbox.models import OutboxEmail
    from marketplace.settlements import bank, payouts

    from .helpers import officer
    tea, _coffee = goods
    statement = closed_statement(client, tea, clock)
    office = officer()
    seller = tea.seller
    with pytest.raises(bank.AccountError, match="holder"):
        account_of(seller, holder="NGUYEN VAN TROM")  # another name: a hijacker's account
    first = account_of(seller, holder="htx che tan cuong")  # as the bank prints it, case aside
    assert first.state == "pending" and first.holder_name == "HTX CHE TAN CUONG"
    assert db.session.scalar(select(func.count(OutboxEmail.id))) >= 1  # the producer is told of the change
    batch, skipped = run(payouts.make_batch, office, 19)
    assert batch is None and [(row.seller.id, row.why) for row in skipped] == [(seller.id, "account_pending")]
    run(bank.decide, office, first, True, "gọi điện xác nhận")
    batch, skipped = run(payouts.make_batch, office, 19)
    assert skipped == [] and [(p.seller_id, p.amount_vnd, p.account_no) for p in batch.payouts] == \
        [(seller.id, statement.closing_vnd, "0011001234567")]
    assert ledger.owed_to(seller.id) == 0  # being paid: a second batch finds nothing
    assert run(payouts.make_batch, office, 19) == (None, [])
    second = account_of(seller, number="9999888877")  # a change after verification: pending, the old one stands
    assert bank.payout_account(seller.id) is None and second.state == "pending"
    sound()


def test_a_payout_is_marked_paid_once_under_two_clicks_at_once(app, client, shop, goods, clock):
    from marketplace.settlements import bank, payouts
    from marketplace.settlements.models import Payout

    from .helpers import at_once, clients, officer
    tea, _coffee = goods
    statement = closed_statement(client, tea, clock)
    office = officer()
    officer(email="office19b@ocop.vn")
    run(bank.decide, office, account_of(tea.seller), True)
    batch, _skipped = run(payouts.make_batch, office, 19)
    [payout] = batch.payouts
    cash = ledger.balances()["cash"]
    first, second = clients(app, "office19@ocop.vn", "office19b@ocop.vn")
    path = f"/office/money/payouts/{payout.id}/paid"
    assert sorted(at_once([(first, path, {"bank_reference": "FT2633401"}),
                           (second, path, {"bank_reference": "FT2633402"})])) == ["done", "refused"]
    paid = db.session.get(Payout, payout.id)
    assert paid.state == "paid" and paid.bank_reference in ("FT2633401", "FT2633402")
    assert ledger.balances()["cash"] == cash - paid.amount_vnd and ledger.balances()["payouts"] == 0
    assert db.session.scalar(select(func.count(MoneyEntry.id)).where(MoneyEntry.kind == "payout_paid")) == 1
    assert statement.closing_vnd == paid.amount_vnd
    sound()


def test_a_cancelled_payout_is_owed_again_and_lands_on_the_next_statement(client, shop, goods, clock):
    import datetime as dt

    from marketplace import ocop
    from marketplace.settlements import bank, payouts, statements

    from .helpers import officer
    tea, _coffee = goods
    first = closed_statement(client, tea, clock)
    office = officer()
    run(bank.decide, office, account_of(tea.seller), True)
    batch, _skipped = run(payouts.make_batch, office, 19)
    run(payouts.cancel, office, batch.payouts[0], "Tài khoản bị khoá")
    assert ledger.owed_to(tea.seller_id) == first.closing_vnd and payouts.payable(tea.seller_id) == first.closing_vnd
    again, _skipped = run(payouts.make_batch, office, 19)  # paid in a new batch, for the same statement
    run(payouts.mark_paid, office, again.payouts[0], "FT26334")
    clock(ocop.today() + dt.timedelta(days=1))
    [second] = close(19, ocop.today() - dt.timedelta(days=1))
    kinds = [row.kind for row in statements.rows(tea.seller_id, second)]
    assert kinds == ["payout", "payout_cancelled", "payout"]
    assert (second.opening_vnd, second.closing_vnd) == (first.closing_vnd, 0)
    sound()


def test_the_office_of_another_province_cannot_see_or_decide_a_producers_account_or_payout(app, client, shop, goods,
                                                                                           clock):
    from marketplace.settlements import bank, payouts

    from .helpers import officer, sign_in
    tea, _coffee = goods
    closed_statement(client, tea, clock)
    office = officer()
    account = account_of(tea.seller)
    officer(province_code=14, email="office14@ocop.vn")
    sign_in(client, "office14@ocop.vn")
    assert client.post(f"/office/money/bank-accounts/{account.id}/verify", data={}).status_code == 404
    run(bank.decide, office, account, True)
    batch, _skipped = run(payouts.make_batch, office, 19)
    assert client.get(f"/office/money/batches/{batch.id}").status_code == 404
    assert client.post(f"/office/money/payouts/{batch.payouts[0].id}/paid",
                       data={"bank_reference": "X"}).status_code == 404
    with pytest.raises(PermissionError):
        run(payouts.make_batch, db.session.merge(officer_of(14)), 19)


def officer_of(province):
    from marketplace.accounts.models import User
    return db.session.scalar(select(User).where(User.role == "office", User.province_code == province))


def test_the_office_pays_a_batch_from_its_page_with_a_vietqr_per_payout(client, shop, goods, clock):
    from marketplace.settlements import bank

    from .helpers import officer, sign_in
    tea, _coffee = goods
    statement = closed_statement(client, tea, clock, 2)
    office = officer()
    run(bank.decide, office, account_of(tea.seller), True)
    sign_in(client, "office19@ocop.vn")
    made = client.post("/office/money/payouts")
    assert made.status_code == 303 and "/office/money/batches/" in made.location
    page = client.get(made.location)
    assert page.status_code == 200 and "<svg" in page.text and f"OCOP {statement.number}" in page.text
    sheet = client.get(made.location + "?format=csv")
    assert "0011001234567" in sheet.text and str(statement.closing_vnd) in sheet.text


def test_two_officers_making_a_payout_batch_at_once_pay_each_producer_once(app, client, shop, goods, clock):
    from marketplace.settlements import bank
    from marketplace.settlements.models import Payout

    from .helpers import at_once, clients, officer
    tea, _coffee = goods
    statement = closed_statement(client, tea, clock)
    office = officer()
    officer(email="office19b@ocop.vn")
    run(bank.decide, office, account_of(tea.seller), True)
    first, second = clients(app, "office19@ocop.vn", "office19b@ocop.vn")
    assert at_once([(first, "/office/money/payouts", {}), (second, "/office/money/payouts", {})],
                   answer="status") == [303, 303]
    [payout] = db.session.scalars(select(Payout)).all()
    assert payout.amount_vnd == statement.closing_vnd and ledger.owed_to(tea.seller_id) == 0
    sound()


def test_a_points_consignment_view_shows_what_it_holds_sold_and_owes_each_producer(client, counter):
    from marketplace import ocop
    from marketplace.salespoints import reports
    from marketplace.salespoints import services as points

    from .helpers import sign_in
    point, clerk, tea, rice = counter
    with_margin(point, 15)
    sale = run(points.complete_sale, point, clerk, {tea.id: 2, rice.id: 1}, "cash", cash_given_vnd=400_000)
    tea_line = next(line for line in sale.lines if line.product_id == tea.id)
    run(points.return_goods, sale, clerk, {tea_line.id: 1}, "Hộp móp")
    rows = {row.seller: row for row in reports.consignment(point, ocop.today(), ocop.today())}
    tea_row, rice_row = rows["HTX Chè Tân Cương"], rows["HTX Gạo Nếp"]
    assert (tea_row.units, tea_row.sold_vnd, tea_row.margin_vnd, tea_row.owed_vnd) == (4, 120_000, 18_000, 102_000)
    assert (rice_row.units, rice_row.sold_vnd, rice_row.owed_vnd) == (4, 90_000, 76_500)
    assert tea_row.owed_vnd == ledger.owed_to(tea.seller_id) and rice_row.owed_vnd == ledger.owed_to(rice.seller_id)
    sign_in(client, "kho@ocop.vn")  # the point's manager
    page = client.get(f"/counter/{point.id}/reports")
    assert page.status_code == 200 and "102.000" in page.text
    sheet = client.get(f"/counter/{point.id}/reports/consignment.csv")
    assert sheet.status_code == 200 and "102000" in sheet.text


def test_a_card_fee_passed_on_is_borne_by_the_producer_and_given_back_with_a_return(app, client, shop, goods):
    tea, _coffee = goods
    app.config["CARD_FEE_PASSED_ON_BP"] = 250  # 2.5 %
    order = order_of(client, [(tea, 2)], "card")
    run(orders.mark_paid, order)
    part = order.parts[0]
    move(part, "confirm", "pack", "ship", "deliver")
    assert ledger.owed_to(tea.seller_id) == 240_000 + part.delivery_vnd - 12_000 - 6_000  # commission, card fee
    assert ledger.balances()["card_fees"] == -6_000
    move(part, "return")
    assert ledger.balances()["card_fees"] == 0 and ledger.owed_to(tea.seller_id) == part.delivery_vnd
    vietqr = order_of(client, [(tea, 1)], "vietqr")  # no card, no card fee
    run(orders.mark_paid, vietqr)
    move(vietqr.parts[0], "confirm", "pack", "ship", "deliver")
    assert ledger.balances()["card_fees"] == 0
    sound()


def test_a_producer_that_owes_the_commission_pays_it_by_vietqr_and_the_office_records_it_once(app, client, shop,
                                                                                              goods):
    from .helpers import officer, seller_signs_in, sign_in
    tea, _coffee = goods
    app.config.update(VIETQR_BANK_BIN="970436", VIETQR_ACCOUNT_NO="0011001234567", VIETQR_ACCOUNT_NAME="OCOP TN")
    order = order_of(client, [(tea, 1)], "cod")
    move(order.parts[0], "confirm", "pack", "ship", "deliver")
    assert ledger.owed_to(tea.seller_id) == -6_000
    seller_signs_in(client, tea.seller)
    page = client.get("/seller/money/")
    note = f"OCOP THU {tea.seller.registration_no}"
    assert note in page.text and "<svg" in page.text
    officer(province_code=14, email="office14@ocop.vn")
    sign_in(client, "office14@ocop.vn")
    path = f"/office/money/collections/{tea.seller_id}"
    assert client.post(path, data={"amount_vnd": "6000", "bank_reference": "FT1"}).status_code == 404
    officer()
    sign_in(client, "office19@ocop.vn")
    client.post(path, data={"amount_vnd": "7000", "bank_reference": "FT26335001"})  # more than it owes
    assert ledger.owed_to(tea.seller_id) == -6_000
    assert client.post(path, data={"amount_vnd": "6000", "bank_reference": "ft26335001"}).status_code == 303
    assert ledger.owed_to(tea.seller_id) == 0 and ledger.balances()["cash"] == 6_000
    client.post(path, data={"amount_vnd": "6000", "bank_reference": "FT26335001"})  # the same transfer again
    assert ledger.owed_to(tea.seller_id) == 0
    sound()
