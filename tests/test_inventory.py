"""THE stock ledger: levels move only through the services, never below zero, and the ledger
always sums to the level, also when many buyers want the last boxes at once."""
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.inventory import services as stock
from marketplace.inventory.models import StockMovement
from marketplace.products.models import Product


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


def _buyers_at_once(app, buyers: int, reserve) -> list[str]:
    """`reserve(n)` by `buyers` threads released together, each its own unit of work: "ok" or "out" each."""
    outcomes, start = [], threading.Barrier(buyers)

    def buy(n):
        with app.app_context():
            start.wait()
            try:
                reserve(n)
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
    return outcomes


def test_concurrent_buyers_never_oversell(app, tea):
    location_id, product_id = tea
    stock.receive(location_id, product_id, 10)
    db.session.commit()
    buyers = 50 if db.engine.dialect.name == "postgresql" else 20
    outcomes = _buyers_at_once(app, buyers, lambda n: stock.reserve(location_id, product_id, 1, reference=f"DH-{n}"))
    assert outcomes.count("ok") == 10 and outcomes.count("out") == buyers - 10
    for _ in range(10):
        stock.commit_reserved(location_id, product_id, 1)
    db.session.commit()
    assert state(location_id, product_id) == (0, 0)


def test_many_are_taken_at_once_or_none(make, tea):
    """reserve_all and sell_all: one guarded update for every (location, product); one short, nothing moves,
    and the refusal names every short pair with what was available of each asked."""
    honey, rice = make.listed(name="Mật ong"), make.listed(name="Gạo")
    here = {product.id: stock.warehouse_of(product.seller).id for product in (honey, rice)}
    location_id, tea_id = tea
    stock.receive(location_id, tea_id, 5)
    stock.receive(here[honey.id], honey.id, 1)
    db.session.commit()  # the rice has no level at all
    movements = db.session.scalar(select(func.count(StockMovement.id)))
    wanted = {(location_id, tea_id): 4, (here[honey.id], honey.id): 2, (here[rice.id], rice.id): 1}
    for take in (stock.reserve_all, stock.sell_all):
        with pytest.raises(stock.OutOfStock) as refused:
            take(wanted, reference="DH-1")
        assert sorted(refused.value.short) == sorted([(here[honey.id], honey.id), (here[rice.id], rice.id)])
        assert refused.value.available_before == {(location_id, tea_id): 5, (here[honey.id], honey.id): 1,
                                                  (here[rice.id], rice.id): 0}
        db.session.rollback()
        assert state(location_id, tea_id) == (5, 0) and state(here[honey.id], honey.id) == (1, 0)
        assert db.session.scalar(select(func.count(StockMovement.id))) == movements
    stock.reserve_all({(location_id, tea_id): 3, (here[honey.id], honey.id): 1}, reference="DH-2")
    stock.sell_all({(location_id, tea_id): 2}, reference="quầy-1")
    db.session.commit()
    assert state(location_id, tea_id) == (3, 3) and state(here[honey.id], honey.id) == (1, 1)
    assert [m.kind for m in reversed(stock.history(location_id, tea_id))] == ["receive", "reserve", "sale"]


def test_crossed_reservations_of_many_products_all_go_through(app, make, tea):
    """Buyers reserving the same three products at once, listed in any order: none is refused while there is
    stock (a row changed while a buyer waited for it is re-read, not dropped), none deadlocks, none oversells."""
    location_id, tea_id = tea
    others = [make.listed(seller=db.session.get(Product, tea_id).seller, name=name) for name in ("Mật ong", "Gạo")]
    pairs = [(location_id, tea_id)] + [(location_id, product.id) for product in others]
    for pair in pairs:
        stock.receive(*pair, 100)
    db.session.commit()
    buyers = 24 if db.engine.dialect.name == "postgresql" else 12
    outcomes = _buyers_at_once(app, buyers, lambda n: stock.reserve_all(
        {pair: 1 + n % 2 for pair in (pairs if n % 2 else pairs[::-1])}, reference=f"DH-{n}"))
    assert outcomes == ["ok"] * buyers
    held = sum(1 + n % 2 for n in range(buyers))
    assert [state(*pair) for pair in pairs] == [(100, held)] * 3
