"""THE stock ledger: levels move only through the services, never below zero, and the ledger
always sums to the level, also when many buyers want the last boxes at once."""
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.inventory import services as stock
from marketplace.inventory.models import StockMovement


@pytest.fixture
def tea(make):
    product = make.listed(name="Trà Tân Cương")
    location = stock.warehouse_of(product.seller)
    db.session.commit()
    return location.id, product.id


def state(location_id, product_id):
    current = stock.level(location_id, product_id)
    assert (current.on_hand, current.reserved) == stock.ledger_totals(location_id, product_id)
    return current.on_hand, current.reserved


def test_receive_reserve_release_commit_sell_adjust(tea):
    where = tea
    stock.receive(*where, 10, reason="nhập kho", actor_id=None)
    stock.reserve(*where, 3, reference="DH-1")
    stock.reserve(*where, 2, reference="DH-2")
    db.session.commit()
    assert state(*where) == (10, 5)
    stock.release(*where, 2, reference="DH-2")  # cancelled
    stock.commit_reserved(*where, 3, reference="DH-1")  # paid
    stock.sell(*where, 4, reference="quầy-1")
    stock.adjust(*where, -1, reason="vỡ hộp khi vận chuyển")
    db.session.commit()
    assert state(*where) == (2, 0)
    kinds = [m.kind for m in reversed(stock.history(*where))]
    assert kinds == ["receive", "reserve", "reserve", "release", "online_order", "sale", "adjust"]


def test_nothing_beyond_what_is_available(tea):
    where = tea
    stock.receive(*where, 5)
    stock.reserve(*where, 4)
    db.session.commit()
    movements = db.session.scalar(select(func.count(StockMovement.id)))
    for attempt in (lambda: stock.reserve(*where, 2), lambda: stock.sell(*where, 2),
                    lambda: stock.release(*where, 5), lambda: stock.commit_reserved(*where, 5),
                    lambda: stock.adjust(*where, -2, reason="kiểm kê")):
        with pytest.raises(stock.StockError):
            attempt()
        db.session.rollback()
    assert state(*where) == (5, 4)
    assert db.session.scalar(select(func.count(StockMovement.id))) == movements


@pytest.mark.parametrize("call", [
    lambda where: stock.receive(*where, 0), lambda where: stock.receive(*where, -3),
    lambda where: stock.adjust(*where, 2, reason=" "), lambda where: stock.adjust(*where, 0, reason="x"),
    lambda where: stock.reserve(*where, 1.5),
])
def test_bad_quantities_are_refused(tea, call):
    with pytest.raises(stock.StockError):
        call(tea)
    db.session.rollback()
    assert stock.level(*tea) is None or state(*tea) == (0, 0)


def test_the_database_itself_refuses_negative_stock(tea):
    stock.receive(*tea, 1)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE stock_levels SET on_hand = -1"))
        db.session.flush()
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE stock_levels SET reserved = 2"))
        db.session.flush()
    db.session.rollback()


def test_concurrent_buyers_never_oversell(app, tea):
    location_id, product_id = tea
    stock.receive(location_id, product_id, 10)
    db.session.commit()
    buyers = 50 if db.engine.dialect.name == "postgresql" else 20
    outcomes, start = [], threading.Barrier(buyers)

    def buy(n):
        with app.app_context():
            start.wait()
            try:
                stock.reserve(location_id, product_id, 1, reference=f"DH-{n}")
                db.session.commit()
                outcomes.append("ok")
            except stock.OutOfStock:
                db.session.rollback()
                outcomes.append("out")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=buy, args=(n,)) for n in range(buyers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("ok") == 10 and outcomes.count("out") == buyers - 10
    for _ in range(10):
        stock.commit_reserved(location_id, product_id, 1)
    db.session.commit()
    assert state(location_id, product_id) == (0, 0)
