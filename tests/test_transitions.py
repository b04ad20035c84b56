"""The transition helper as the order pipeline uses it: each history shows its own changes only, a guard that
does not hold refuses, the log says who and why, and the tables are the ones written here (a wrong entry in
a machine's table fails here, not only the pairs it refuses). Found missing by the mutation run."""
import pytest
from sqlalchemy import select

from marketplace.accounts.services import create_user
from marketplace.extensions import db
from marketplace.orders import checkout
from marketplace.orders import services as orders
from marketplace.orders.models import OrderPart
from marketplace.transitions import Refused, StatusChange, log_of
from marketplace.unit_of_work import run

from .helpers import shipping, stocked

OPEN = {"placed", "confirmed", "packed"}
ORDER_PART_TABLE = {
    "confirm": ({"placed"}, "confirmed"), "pack": ({"confirmed"}, "packed"), "ship": ({"packed"}, "shipped"),
    "deliver": ({"shipped"}, "delivered"), "hand_over": ({"packed"}, "delivered"), "cancel": (OPEN, "cancelled"),
    "expire": (OPEN, "cancelled"), "expire_unconfirmed": ({"placed"}, "cancelled"),
    "return": ({"delivered"}, "returned"),
    # a booking of an experience: the visitor came, or did not (what was paid online the host keeps)
    "attend": (OPEN - {"packed"}, "delivered"), "no_show": (OPEN - {"packed"}, "cancelled"),
}
PAYMENT_TABLE = {
    "pay": ({"unpaid"}, "paid"), "collect": ({"unpaid"}, "paid"), "expire": ({"unpaid"}, "expired"),
    "cancel": ({"unpaid"}, "cancelled"), "owe_refund": ({"paid", "refunded"}, "refund_due"),
    "late_payment": ({"expired", "cancelled"}, "refund_due"),
    "refund": ({"refund_due"}, "refunded"), "refund_owed": ({"refund_due"}, "paid"),
}


@pytest.mark.parametrize("machine, table", [(orders.PART, ORDER_PART_TABLE), (orders.PAYMENT, PAYMENT_TABLE)])
def test_the_order_machines_are_the_tables_written_here(machine, table):
    assert {action: (set(sources), target) for action, (sources, target) in machine.actions.items()} == table


@pytest.fixture
def tea(make):
    return stocked(make, make.seller(province_code=19), "Trà Tân Cương", 280000, 50)


def place(tea, phone):
    order = run(checkout.place_order, {tea.id: 1},
                checkout.Contact("An", phone, "an@example.vn", 19, 5443, "12 Hoàng Văn Thụ"), "cod")
    return order


def test_an_orders_history_shows_its_own_changes_only(tea):
    mine, other = place(tea, "0900000001"), place(tea, "0900000002")
    run(orders.move, other.parts[0], "confirm")
    run(orders.move, mine.parts[0], "confirm")
    assert [(change.action, part.id) for change, part in orders.history(mine)] == [("confirm", mine.parts[0].id)]
    # a change of another machine with the same object id is not the order's money
    db.session.add(StatusChange(machine="order_part", object_id=mine.id, action="confirm", from_state="placed",
                                to_state="confirmed"))
    db.session.commit()
    assert log_of("order_payment", [mine.id]) == []


def test_a_guard_that_does_not_hold_refuses_the_transition(tea):
    part = place(tea, "0900000003").parts[0]
    with pytest.raises(Refused):
        run(orders.PART.apply, part, "confirm", guards=(OrderPart.stock_committed.is_(True),))
    assert db.session.get(OrderPart, part.id).state == "placed"
    assert db.session.scalars(select(StatusChange)).all() == []


def test_the_status_log_says_who_and_why(tea):
    user = create_user("nguoiban@example.vn", "Người bán", "mat-khau-dai-1234", role="seller",
                       seller_id=tea.seller_id)
    db.session.commit()
    first, second = place(tea, "0900000004").parts[0], place(tea, "0900000005").parts[0]
    run(orders.move, first, "confirm", actor_id=user.id)
    run(orders.move, second, "cancel", actor_id=user.id, reason="Hết hàng")
    assert [(c.action, c.actor_id) for c in log_of("order_part", [first.id])] == [("confirm", user.id)]
    (change,) = log_of("order_part", [second.id])
    assert (change.actor_id, change.reason, change.from_state, change.to_state) == (user.id, "Hết hàng", "placed",
                                                                                   "cancelled")


def test_a_return_puts_the_goods_back_against_the_order_and_the_person(tea):
    from marketplace.inventory import services as stock
    user = create_user("nguoiban2@example.vn", "Người bán", "mat-khau-dai-1234", role="seller",
                       seller_id=tea.seller_id)
    db.session.commit()
    order = place(tea, "0900000006")
    part = order.parts[0]
    for action in ("confirm", "pack", "ship", "deliver", "return"):
        run(orders.move, part, action, actor_id=user.id, **shipping(action))
    last = stock.history(part.location_id, tea.id)[0]
    assert (last.kind, last.on_hand_change, last.reference, last.actor_id, last.reason) == (
        "return", 1, order.number, user.id, "returned by the buyer")


def test_a_cancel_releases_the_hold_against_the_order_and_the_person(tea):
    from marketplace.inventory import services as stock
    user = create_user("nguoiban3@example.vn", "Người bán", "mat-khau-dai-1234", role="seller",
                       seller_id=tea.seller_id)
    db.session.commit()
    order = place(tea, "0900000007")
    run(orders.move, order.parts[0], "cancel", actor_id=user.id, reason="Hết hàng")
    last = stock.history(order.parts[0].location_id, tea.id)[0]
    assert (last.kind, last.reserved_change, last.reference, last.actor_id) == ("release", -1, order.number, user.id)


def test_expiry_leaves_what_was_paid_confirmed_or_never_due(app, monkeypatch, tea):
    """The expiry commands find their orders first and act on each later: by then it may have been paid or
    confirmed. Such an order is left as it is and not counted as expired."""
    import datetime as dt

    from marketplace.models_base import utcnow
    monkeypatch.setitem(app.config, "VIETQR_BANK_BIN", "970436")
    monkeypatch.setitem(app.config, "VIETQR_ACCOUNT_NO", "0011001234567")
    cash = place(tea, "0900000008")  # cash on delivery: nothing is due by a time
    assert run(orders.expire, cash) is False
    paid = run(checkout.place_order, {tea.id: 1}, checkout.Contact("An", "0900000009", "an@example.vn", 19, 5443, "Số 1"),
               "vietqr")
    run(orders.mark_paid, paid)
    paid.payment_due_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    assert run(orders.expire, paid) is False
    confirmed = place(tea, "0900000010").parts[0]
    run(orders.move, confirmed, "confirm")
    assert run(orders.expire_unconfirmed, confirmed) is False
    assert (cash.payment_status, paid.payment_status, confirmed.state) == ("unpaid", "paid", "confirmed")
    assert [part.state for part in cash.parts + paid.parts] == ["placed", "placed"]


def test_a_paid_part_cancelled_puts_its_goods_back_against_the_order_and_the_person(app, monkeypatch, tea):
    from marketplace.inventory import services as stock
    monkeypatch.setitem(app.config, "VIETQR_BANK_BIN", "970436")
    monkeypatch.setitem(app.config, "VIETQR_ACCOUNT_NO", "0011001234567")
    user = create_user("nguoiban4@example.vn", "Người bán", "mat-khau-dai-1234", role="seller",
                       seller_id=tea.seller_id)
    db.session.commit()
    order = run(checkout.place_order, {tea.id: 1}, checkout.Contact("An", "0900000011", "an@example.vn", 19, 5443, "Số 1"),
                "vietqr")
    run(orders.mark_paid, order)  # the held box is sold: the stock is taken
    run(orders.move, order.parts[0], "cancel", actor_id=user.id, reason="Hết hàng")
    last = stock.history(order.parts[0].location_id, tea.id)[0]
    assert (last.kind, last.on_hand_change, last.reference, last.actor_id, last.reason) == (
        "return", 1, order.number, user.id, "order cancelled after payment")


def test_a_cancel_decided_on_a_stale_read_of_the_stock_is_refused(tea):
    """Whether a part's stock was taken decides what its cancel gives back (a hold, or goods on hand); a cancel
    that read it before the payment took the stock must not release a hold that is no longer there."""
    from sqlalchemy import update

    from marketplace.inventory.check import problems
    part = place(tea, "0900000012").parts[0]
    assert part.stock_committed is False
    db.session.execute(update(OrderPart).where(OrderPart.id == part.id).values(stock_committed=True)
                       .execution_options(synchronize_session=False))  # what a payment did meanwhile
    with pytest.raises(Refused):
        orders._cancel_part(part, "cancel", None)
    db.session.rollback()
    assert db.session.get(OrderPart, part.id).state == "placed" and problems() == []
