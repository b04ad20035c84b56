"""A hostile review of issue 16 (money to the producers): other people's ids, double submits and two people
at once, odd input, ordering, and the ledger's arithmetic after each flow."""
import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from marketplace import ocop
from marketplace.extensions import db
from marketplace.orders import payments, refunds
from marketplace.orders import services as orders
from marketplace.orders.models import Order
from marketplace.payments.models import Refund
from marketplace.settlements import bank, check, payouts, statements
from marketplace.settlements import services as ledger
from marketplace.settlements.models import BankAccount, CommissionRate, MoneyLine, Payout, Statement
from marketplace.unit_of_work import run

from .helpers import at_once, clients, find_user_of, officer, seller_signs_in, sign_in, stocked
from .test_refunds import paid_by_card
from .test_settlements import VCB, delivered_tea, move, order_of


@pytest.fixture
def goods(make):
    """Tea and rice of two producers of Thái Nguyên (19; group I at 5 %), coffee of Sơn La (14)."""
    tea = stocked(make, make.seller(legal_name="HTX Chè Tân Cương", province_code=19), "Trà Tân Cương", 120_000, 20,
                  group_code="I.5.a")
    rice = stocked(make, make.seller(legal_name="HTX Gạo Nếp", province_code=19), "Gạo nếp", 90_000, 20,
                   group_code="I.1.a")
    coffee = stocked(make, make.seller(legal_name="HTX Cà phê Sơn La", province_code=14), "Cà phê Sơn La",
                     600_000, 20, group_code="II.1.a")
    db.session.add(CommissionRate(group_top="I", rate_bp=500))
    db.session.commit()
    return tea, rice, coffee


def sound():
    """The ledger balances, agrees with the documents, and every statement is what its lines say."""
    db.session.rollback()
    assert check.problems() == []
    assert sum(ledger.balances().values()) == 0
    for statement in db.session.scalars(select(Statement)):
        lines = db.session.scalar(select(func.coalesce(func.sum(MoneyLine.amount_vnd), 0))
                                  .where(MoneyLine.statement_id == statement.id))
        assert statement.movement_vnd == -lines
        assert statement.closing_vnd == statement.opening_vnd + statement.movement_vnd


def next_morning():
    return ocop.today() + dt.timedelta(days=1)


def close_today(clock, province=19):
    """Close the province through today, the next morning."""
    today = ocop.today()
    clock(today + dt.timedelta(days=1))
    return run(statements.close, province, today)


def verified(office, seller, number="0011001234567"):
    account = run(bank.submit, find_user_of(seller), seller, VCB, number, seller.legal_name)
    return run(bank.decide, office, account, True, "gọi điện")


# --- Producers' bank accounts --------------------------------------------------------------------------

def test_the_office_verifies_a_producers_changed_bank_account(client, goods):
    """A producer changes banks: the office verifies the new account; the old verified one is replaced."""
    tea = goods[0]
    office = officer()
    old = verified(office, tea.seller)
    new = run(bank.submit, find_user_of(tea.seller), tea.seller, VCB, "9999888877", tea.seller.legal_name)
    sign_in(client, "office19@ocop.vn")
    answer = client.post(f"/office/money/bank-accounts/{new.id}/verify", data={"reason": "gọi điện"})
    assert answer.status_code == 303
    db.session.expire_all()
    assert (db.session.get(BankAccount, new.id).state, db.session.get(BankAccount, old.id).state) == \
        ("verified", "replaced")
    assert bank.payout_account(tea.seller_id).account_no == "9999888877"


def test_a_producer_submitting_its_bank_account_twice_at_once_gets_no_error_page(app, goods):
    tea = goods[0]
    find_user_of(tea.seller)
    first, second = clients(app, f"seller{tea.seller_id}@example.vn", f"seller{tea.seller_id}@example.vn")
    form = {"bank_bin": VCB, "account_no": "0011 0012 34567", "holder_name": "HTX CHE TAN CUONG"}
    statuses = at_once([(first, "/seller/money/bank", form), (second, "/seller/money/bank", form)], answer="status")
    assert all(status in (303, 422) for status in statuses), statuses
    assert db.session.scalar(select(func.count(BankAccount.id)).where(BankAccount.state == "pending")) == 1


def test_odd_bank_account_input_is_refused_or_normalised(client, goods):
    tea = goods[0]
    seller_signs_in(client, tea.seller)
    holder = "HTX CHE TAN CUONG"
    for refused in ({"bank_bin": "999999"}, {"bank_bin": "970436' OR 1=1"},
                    {"account_no": "００１１００１２３４"}, {"account_no": "١٢٣٤٥٦٧٨"},  # Unicode digits
                    {"account_no": "12345"}, {"account_no": "1" * 20}, {"account_no": "0011-00<script>"},
                    {"holder_name": "NGUYEN VAN TROM"}, {"holder_name": "x" * 101}):
        answer = client.post("/seller/money/bank", data={"bank_bin": VCB, "account_no": "0011001234567",
                                                         "holder_name": holder} | refused)
        assert answer.status_code == 422, refused
    assert db.session.scalar(select(func.count(BankAccount.id))) == 0
    answer = client.post("/seller/money/bank", data={"bank_bin": VCB, "account_no": " 0011 0012.345-67 ",
                                                     "holder_name": "htx  chè tân cương"})
    assert answer.status_code == 303
    account = db.session.scalar(select(BankAccount))
    assert (account.account_no, account.holder_name) == ("0011001234567", "HTX CHE TAN CUONG")


def test_a_holder_name_is_kept_as_a_bank_prints_it_not_with_formula_characters(client, goods):
    """The holder's name goes into the bank's bulk-transfer file: `=HTX…` matches the legal name (punctuation is
    ignored when comparing) and is stored as typed, so the sheet carries `'=HTX CHE TAN CUONG` to the bank."""
    tea = goods[0]
    seller_signs_in(client, tea.seller)
    client.post("/seller/money/bank", data={"bank_bin": VCB, "account_no": "0011001234567",
                                            "holder_name": "=HTX CHE TAN CUONG"})
    account = db.session.scalar(select(BankAccount))
    assert account is None or account.holder_name == "HTX CHE TAN CUONG"


def test_no_one_decides_another_provinces_or_a_sellers_own_bank_account(app, client, goods):
    _tea, _rice, coffee = goods
    officer()
    account = run(bank.submit, find_user_of(coffee.seller), coffee.seller, VCB, "0011001234567",
                  coffee.seller.legal_name)
    sign_in(client, "office19@ocop.vn")
    assert client.post(f"/office/money/bank-accounts/{account.id}/verify", data={}).status_code == 404
    seller_signs_in(client, coffee.seller)  # a seller on the office's URL
    assert client.post(f"/office/money/bank-accounts/{account.id}/verify", data={}).status_code in (302, 403, 404)
    assert db.session.get(BankAccount, account.id).state == "pending"


# --- Payouts --------------------------------------------------------------------------------------------

def test_a_payout_never_pays_more_than_the_producer_is_owed_now(client, shop, goods, clock):
    """The period is closed (the tea is owed); the next morning the buyer returns it: the producer is owed only
    the parcel's fee now, yet the batch pays the whole statement and leaves the producer owing the shop."""
    tea = goods[0]
    office = officer()
    order = delivered_tea(client, tea, 2)
    close_today(clock)
    move(order.parts[0], "return")
    assert ledger.owed_to(tea.seller_id) == order.parts[0].delivery_vnd
    verified(office, tea.seller)
    batch, _skipped = run(payouts.make_batch, office, 19)
    paid = sum(p.amount_vnd for p in batch.payouts) if batch else 0
    assert paid <= max(ledger.owed_to(tea.seller_id) + paid, 0) == order.parts[0].delivery_vnd
    assert ledger.owed_to(tea.seller_id) >= 0
    sound()


def test_a_payout_cancelled_after_a_later_statement_was_paid_does_not_stop_the_provinces_batch(
        client, shop, goods, clock):
    """Tea's first payout waits while the next period closes and is paid; then the first is cancelled (the
    transfer bounced): the money is owed again. The next batch must pay it, and the rice producer's statement
    too (its account verified meanwhile); today the unique 'one standing payout per statement' index refuses
    the whole batch (tea's latest statement has its payout) and the officer reads 'another batch was made at
    the same moment'."""
    tea, rice, _coffee = goods
    office = officer()
    verified(office, tea.seller)
    delivered_tea(client, tea)
    close_today(clock)
    first, _skipped = run(payouts.make_batch, office, 19)
    delivered_tea(client, tea)
    order = order_of(client, [(rice, 1)], "vietqr")
    run(orders.mark_paid, order)
    move(order.parts[0], "confirm", "pack", "ship", "deliver")
    close_today(clock)
    second, skipped = run(payouts.make_batch, office, 19)
    assert [row.seller.id for row in skipped] == [rice.seller_id]  # no account yet
    run(payouts.mark_paid, office, second.payouts[0], "FT2")
    verified(office, rice.seller, "0022002234567")
    run(payouts.cancel, office, first.payouts[0], "Tài khoản bị khoá")
    sign_in(client, "office19@ocop.vn")
    answer = client.post("/office/money/payouts")
    assert answer.status_code == 303
    with client.session_transaction() as session:
        told = [message for _category, message in session.get("_flashes", [])]
    assert "/office/money/batches/" in answer.location, told
    standing = db.session.scalars(select(Payout).where(Payout.state == "pending")).all()
    bounced = first.payouts[0].amount_vnd
    assert {p.seller_id for p in standing} == {rice.seller_id} or \
        {p.seller_id for p in standing} == {tea.seller_id, rice.seller_id}
    if tea.seller_id not in {p.seller_id for p in standing}:  # not lost: paid after the next close
        assert ledger.owed_to(tea.seller_id) == payouts.payable(tea.seller_id) == bounced
        close_today(clock)
        again, _skipped = run(payouts.make_batch, office, 19)
        assert [(p.seller_id, p.amount_vnd) for p in again.payouts] == [(tea.seller_id, bounced)]
    sound()


def test_a_pending_payout_is_not_offered_for_transfer_while_a_bank_change_waits(client, shop, goods, clock):
    """'While one is pending no payout is made at all, not even to the account verified before' (bank.py): a
    change entered after the batch was made still leaves the old account's VietQR on the batch page and its
    row in the bank's bulk-transfer sheet, with nothing to say a change waits."""
    tea = goods[0]
    office = officer()
    verified(office, tea.seller)
    delivered_tea(client, tea)
    close_today(clock)
    batch, _skipped = run(payouts.make_batch, office, 19)
    run(bank.submit, find_user_of(tea.seller), tea.seller, VCB, "9999888877", tea.seller.legal_name)
    sign_in(client, "office19@ocop.vn")
    assert "0011001234567" not in client.get(f"/office/money/batches/{batch.id}?format=csv").text
    page = client.get(f"/office/money/batches/{batch.id}").text
    assert 'class="vietqr"' not in page and "flash-warning" in page  # no code to scan; a word why


def test_mark_paid_and_cancel_at_once_settle_the_payout_one_way(app, client, shop, goods, clock):
    tea = goods[0]
    office = officer()
    officer(email="office19b@ocop.vn")
    verified(office, tea.seller)
    delivered_tea(client, tea)
    close_today(clock)
    batch, _skipped = run(payouts.make_batch, office, 19)
    payout_id = batch.payouts[0].id
    first, second = clients(app, "office19@ocop.vn", "office19b@ocop.vn")
    answers = at_once([(first, f"/office/money/payouts/{payout_id}/paid", {"bank_reference": "FT1"}),
                       (second, f"/office/money/payouts/{payout_id}/cancel", {"reason": "sai"})])
    assert sorted(answers) == ["done", "refused"]
    sound()


def test_two_cancels_at_once_give_the_money_back_once(app, client, shop, goods, clock):
    tea = goods[0]
    office = officer()
    officer(email="office19b@ocop.vn")
    verified(office, tea.seller)
    delivered_tea(client, tea)
    [statement] = close_today(clock)
    batch, _skipped = run(payouts.make_batch, office, 19)
    path = f"/office/money/payouts/{batch.payouts[0].id}/cancel"
    first, second = clients(app, "office19@ocop.vn", "office19b@ocop.vn")
    assert sorted(at_once([(first, path, {"reason": "a"}), (second, path, {"reason": "b"})])) == ["done", "refused"]
    assert ledger.owed_to(tea.seller_id) == statement.closing_vnd
    sound()


def test_make_batch_and_close_at_once_leave_the_ledger_sound(app, client, shop, goods, clock):
    tea = goods[0]
    office = officer()
    officer(email="office19b@ocop.vn")
    verified(office, tea.seller)
    delivered_tea(client, tea)
    close_today(clock)
    delivered_tea(client, tea)
    first, second = clients(app, "office19@ocop.vn", "office19b@ocop.vn")
    day = ocop.today().strftime("%d/%m/%Y")
    clock(next_morning())
    statuses = at_once([(first, "/office/money/payouts", {}), (second, "/office/money", {"through": day})],
                       answer="status")
    assert statuses == [303, 303]
    assert ledger.owed_to(tea.seller_id) >= 0
    sound()


def test_odd_payout_references_are_refused_and_nothing_moves(client, shop, goods, clock):
    tea = goods[0]
    office = officer()
    verified(office, tea.seller)
    delivered_tea(client, tea)
    close_today(clock)
    batch, _skipped = run(payouts.make_batch, office, 19)
    payout_id = batch.payouts[0].id
    sign_in(client, "office19@ocop.vn")
    for data in ({"bank_reference": ""}, {"bank_reference": "   "}, {"bank_reference": "F" * 61}, {}):
        assert client.post(f"/office/money/payouts/{payout_id}/paid", data=data).status_code == 303
    assert client.post(f"/office/money/payouts/{payout_id}/cancel", data={"reason": ""}).status_code == 303
    assert db.session.get(Payout, payout_id).state == "pending"
    ok = client.post(f"/office/money/payouts/{payout_id}/paid", data={"bank_reference": "=HYPERLINK(\"x\")"})
    assert ok.status_code == 303 and db.session.get(Payout, payout_id).state == "paid"
    sound()


def test_another_provinces_officer_reaches_no_statement_batch_or_download(app, client, shop, goods, clock):
    tea = goods[0]
    office = officer()
    verified(office, tea.seller)
    delivered_tea(client, tea)
    [statement] = close_today(clock)
    batch, _skipped = run(payouts.make_batch, office, 19)
    payout = batch.payouts[0]
    officer(province_code=14, email="office14@ocop.vn")
    sign_in(client, "office14@ocop.vn")
    for path in (f"/office/money/statements/{statement.id}", f"/office/money/statements/{statement.id}?format=csv",
                 f"/office/money/batches/{batch.id}", f"/office/money/batches/{batch.id}?format=xlsx"):
        assert client.get(path).status_code == 404, path
    for path in ("/office/money", "/office/money?province=19"):  # its own province's page, whatever the query
        assert tea.seller.legal_name not in client.get(path).text
    for path in (f"/office/money/payouts/{payout.id}/paid", f"/office/money/payouts/{payout.id}/cancel"):
        assert client.post(path, data={"bank_reference": "X", "reason": "X"}).status_code == 404
    assert client.post("/office/money/payouts?province=19").status_code == 303  # its own province: nothing
    assert db.session.scalar(select(func.count(Payout.id))) == 1
    seller_signs_in(client, goods[2].seller)
    assert client.get(f"/seller/money/statements/{statement.id}?format=xlsx").status_code == 404
    assert client.get(f"/office/money/batches/{batch.id}?format=csv").status_code in (302, 403, 404)


def test_a_statement_is_not_changed_by_anything_after_its_close(client, shop, goods, clock):
    tea = goods[0]
    office = officer()
    verified(office, tea.seller)
    order = delivered_tea(client, tea, 2)
    [statement] = close_today(clock)
    kept = (statement.opening_vnd, statement.movement_vnd, statement.closing_vnd)
    lines = sorted(db.session.scalars(select(MoneyLine.id).where(MoneyLine.statement_id == statement.id)))
    move(order.parts[0], "return")
    batch, _skipped = run(payouts.make_batch, office, 19)
    run(payouts.cancel, office, batch.payouts[0], "sai")
    run(refunds.record, office, db.session.get(Order, order.id), "bank_transfer", None, "FT9")
    db.session.expire_all()
    again = db.session.get(Statement, statement.id)
    assert (again.opening_vnd, again.movement_vnd, again.closing_vnd) == kept
    assert sorted(db.session.scalars(select(MoneyLine.id).where(MoneyLine.statement_id == statement.id))) == lines
    sound()


def test_odd_close_dates_are_refused(client, goods, clock):
    officer()
    sign_in(client, "office19@ocop.vn")
    for day in ("31/02/2026", "", "01/01/99999", "١/١/٢٠٢٦", "<b>"):
        assert client.post("/office/money", data={"through": day}).status_code == 422, day
    assert db.session.scalar(select(func.count(Statement.id))) == 0


def test_a_delivery_and_a_close_at_once_put_the_line_in_exactly_one_statement(app, client, shop, goods, clock):
    tea = goods[0]
    officer()
    order = order_of(client, [(tea, 1)], "vietqr")
    run(orders.mark_paid, order)
    move(order.parts[0], "confirm", "pack", "ship")
    delivered_tea(client, tea)
    find_user_of(tea.seller)
    office_client, seller_client = clients(app, "office19@ocop.vn", f"seller{tea.seller_id}@example.vn")
    day = ocop.today().strftime("%d/%m/%Y")
    clock(next_morning())
    at_once([(office_client, "/office/money", {"through": day}),
             (seller_client, f"/seller/orders/{order.parts[0].id}", {"action": "deliver"})], answer="status")
    assert db.session.scalar(select(func.count(MoneyLine.id)).where(
        MoneyLine.account == "producer", MoneyLine.statement_id.is_(None))) in (0, 2)
    sound()


# --- Refunds --------------------------------------------------------------------------------------------

def cancelled_order(client, shop, tea, rice):
    order = paid_by_card(client, shop, [(tea, 1), (rice, 1)])
    for part in order.parts:
        run(orders.move, part, "cancel", reason="Hết hàng")
    db.session.refresh(order)
    return order


def test_a_partial_bank_transfer_refund_double_submitted_is_recorded_once(app, client, shop, goods):
    """The officer transferred 50,000 and records it; the button is pressed twice (or two tabs): the order
    now says 100,000 went back and owes the buyer 50,000 less than it does."""
    tea, rice, _coffee = goods
    order = cancelled_order(client, shop, tea, rice)
    officer()
    officer(email="office19b@ocop.vn")
    first, second = clients(app, "office19@ocop.vn", "office19@ocop.vn")
    path, form = f"/office/orders/{order.number}/refunds", {"method": "bank_transfer", "amount_vnd": "50000",
                                                           "reference": "FT26334987654"}
    at_once([(first, path, form), (second, path, form)])
    assert db.session.scalar(select(func.count(Refund.id))) == 1
    assert db.session.get(Order, order.id).refunded_vnd == 50_000
    sound()


def test_a_partial_card_refund_double_clicked_refunds_once(client, shop, goods):
    tea, rice, _coffee = goods
    order = cancelled_order(client, shop, tea, rice)
    officer()
    sign_in(client, "office19@ocop.vn")
    path = f"/office/orders/{order.number}/refunds"
    page = client.get(f"/office/orders/{order.number}").text
    key = re.search(r'name="client_key"[^>]*value="(\w+)"|value="(\w+)"[^>]*name="client_key"', page)
    form = {"method": "card", "amount_vnd": "50000", "client_key": key.group(1) or key.group(2)}
    client.post(path, data=form)
    client.post(path, data=form)  # the same page, submitted again
    assert len(shop.refunds) == 1
    assert db.session.scalar(select(func.count(Refund.id))) == 1
    sound()


def test_odd_refund_amounts_are_refused_and_nothing_moves(client, shop, goods):
    tea, rice, _coffee = goods
    order = cancelled_order(client, shop, tea, rice)
    officer()
    sign_in(client, "office19@ocop.vn")
    path = f"/office/orders/{order.number}/refunds"
    for amount in ("0", "-1", "-50000", "abc", "1e5", "50000.5", "99999999999999999999", "2000000001",
                   str(order.total_vnd + 1), "NaN"):
        client.post(path, data={"method": "bank_transfer", "amount_vnd": amount, "reference": "FT1"})
    client.post(path, data={"method": "bank_transfer", "amount_vnd": "1000", "reference": "x" * 121})
    client.post(path, data={"method": "cash", "amount_vnd": "1000", "reference": "  "})
    client.post(path, data={"method": "cheque", "amount_vnd": "1000", "reference": "X"})
    assert db.session.scalar(select(func.count(Refund.id))) == 0 and shop.refunds == {}
    sound()


def test_a_refund_amount_in_unicode_digits_or_with_underscores_is_refused(client, shop, goods):
    """forms.whole_number refuses what is not ASCII digits; the refund form's IntegerField takes int()'s
    view: '５０_０００' and '٥٠٠٠٠' are 50,000."""
    tea, rice, _coffee = goods
    order = cancelled_order(client, shop, tea, rice)
    officer()
    sign_in(client, "office19@ocop.vn")
    for amount in ("５０_０００", "٥٠٠٠٠", "50_000", "1,5", "12.345.6"):
        client.post(f"/office/orders/{order.number}/refunds",
                    data={"method": "bank_transfer", "amount_vnd": amount, "reference": "FT1"})
    assert db.session.scalar(select(func.count(Refund.id))) == 0


def test_a_refund_amount_typed_the_vietnamese_way_is_understood(client, shop, goods):
    """The page's placeholder is the amount still owed; an officer types 50.000 (Vietnamese thousands)."""
    tea, rice, _coffee = goods
    order = cancelled_order(client, shop, tea, rice)
    officer()
    sign_in(client, "office19@ocop.vn")
    client.post(f"/office/orders/{order.number}/refunds",
                data={"method": "bank_transfer", "amount_vnd": "50.000", "reference": "FT1"})
    assert [r.amount_vnd for r in db.session.scalars(select(Refund))] == [50_000]


def test_refunds_never_exceed_what_is_owed_back_under_two_officers_and_two_methods(app, client, shop, goods):
    tea, rice, _coffee = goods
    order = cancelled_order(client, shop, tea, rice)
    officer()
    officer(email="office19b@ocop.vn")
    first, second = clients(app, "office19@ocop.vn", "office19b@ocop.vn")
    path = f"/office/orders/{order.number}/refunds"
    at_once([(first, path, {"method": "card"}),
             (second, path, {"method": "bank_transfer", "reference": "FT1"})])
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.refunded_vnd == order.total_vnd and order.payment_status == "refunded"
    assert sum(r.amount_vnd for r in db.session.scalars(select(Refund).where(Refund.state != "failed"))) == \
        order.total_vnd
    sound()


def test_a_refund_and_a_return_at_once_owe_and_give_back_the_right_amounts(app, client, shop, goods):
    tea, rice, _coffee = goods
    order = paid_by_card(client, shop, [(tea, 1), (rice, 1)])
    tea_part = next(part for part in order.parts if part.seller_id == tea.seller_id)
    rice_part = next(part for part in order.parts if part.seller_id == rice.seller_id)
    run(orders.move, tea_part, "cancel", reason="Hết hàng")
    for action in ("confirm", "pack", "ship", "deliver"):
        move(rice_part, action)
    officer()
    find_user_of(rice.seller)
    office_client, seller_client = clients(app, "office19@ocop.vn", f"seller{rice.seller_id}@example.vn")
    at_once([(office_client, f"/office/orders/{order.number}/refunds", {"method": "card"}),
             (seller_client, f"/seller/orders/{rice_part.id}", {"action": "return"})])
    db.session.expire_all()
    order = db.session.get(Order, order.id)
    assert order.refunded_vnd + order.refund_vnd == order.owed_back_vnd
    sound()


def test_a_refund_to_another_provinces_order_or_refund_id_is_refused(client, shop, goods):
    tea, rice, coffee = goods
    order = cancelled_order(client, shop, tea, rice)
    other = paid_by_card(client, shop, [(coffee, 1)])
    run(orders.move, other.parts[0], "cancel", reason="Hết hàng")
    shop.down = True
    mine = payments.refund_to_card(officer(province_code=14, email="office14@ocop.vn"), other)
    shop.down = False
    officer()
    sign_in(client, "office19@ocop.vn")
    assert client.post(f"/office/orders/{other.number}/refunds",
                       data={"method": "bank_transfer", "reference": "FT1"}).status_code == 404
    assert client.post(f"/office/orders/{order.number}/refunds/{mine.id}/ask-again").status_code == 404
    assert client.post(f"/office/orders/{other.number}/refunds/{mine.id}/ask-again").status_code == 404
    assert shop.refunds == {}


def test_after_every_flow_the_check_is_clean_and_the_balances_add_up_to_the_cash(app, client, shop, goods, clock):
    tea, rice, _coffee = goods
    office = officer()
    verified(office, tea.seller)
    verified(office, rice.seller, "0022002234567")
    kept = delivered_tea(client, tea, 2)
    returned = delivered_tea(client, tea, 1)
    cod = order_of(client, [(rice, 1)], "cod")
    move(cod.parts[0], "confirm", "pack", "ship", "deliver")
    card = cancelled_order(client, shop, tea, rice)
    close_today(clock)
    move(returned.parts[0], "return")
    run(refunds.record, office, db.session.get(Order, returned.id), "cash", 20_000, "PT-1")
    payments.refund_to_card(office, db.session.get(Order, card.id))
    batch, _skipped = run(payouts.make_batch, office, 19)
    run(payouts.mark_paid, office, batch.payouts[0], "FT1")
    sound()
    money = ledger.balances()
    held = -money["prepaid"]
    owed_back = -money["refunds_payable"]
    producers = -money["producer"]
    assert producers + (-money["commission"]) + (-money["point_fees"]) + held + owed_back + \
        (-money["payouts"]) == money["cash"]
    assert kept.number
