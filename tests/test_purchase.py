"""THE purchase info: whether a product can be bought, where, at what price, and why not. The cart, checkout
and the till all ask it, so one table says what each of them will show."""
import pytest

from marketplace.catalog.purchase import purchase_info
from marketplace.extensions import db
from marketplace.inventory import services as stock
from marketplace.inventory.models import StockLocation


@pytest.fixture
def shelf(make):
    """A listed tea with 5 in its seller's warehouse and 2 on a point's shelf (1 of them held)."""
    tea = make.listed(name="Trà Tân Cương", price_vnd=120000)
    warehouse = stock.warehouse_of(tea.seller)
    point = StockLocation(kind="sales_point", name="Điểm OCOP Ga Thái Nguyên")
    db.session.add(point)
    db.session.flush()
    stock.receive(warehouse.id, tea.id, 5)
    stock.receive(point.id, tea.id, 2)
    stock.reserve(point.id, tea.id, 1, reference="DH-1")
    db.session.commit()
    return tea, point


@pytest.mark.parametrize("where, quantity, available, why_not", [
    ("online", 1, 5, None),
    ("online", 5, 5, None),
    ("online", 6, 5, "short"),
    ("point", 1, 1, None),  # 2 on the shelf, 1 held for a pickup
    ("point", 2, 1, "short"),
])
def test_what_can_be_bought_where(shelf, where, quantity, available, why_not):
    tea, point = shelf
    info = purchase_info([tea.id], None if where == "online" else point.id)[tea.id]
    assert (info.available, info.why_not(quantity), info.price_vnd) == (available, why_not, 120000)


def test_nothing_there_is_out_of_stock_and_an_unlisted_product_is_not_for_sale(make, shelf):
    tea, point = shelf
    stock.sell(point.id, tea.id, 1)  # the last free unit at the point
    unlisted = make.product(name="Trà chưa công nhận")
    db.session.commit()
    at_point = purchase_info([tea.id, unlisted.id], point.id)
    assert at_point[tea.id].why_not() == "out_of_stock" and at_point[tea.id].available == 0
    assert at_point[unlisted.id].why_not() == "unlisted" and at_point[unlisted.id].price_vnd is None
