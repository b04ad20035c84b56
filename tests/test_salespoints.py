"""Sales points: the office sets them up with their staff; staff receive deliveries, sell at the counter
(by barcode or name), take returns and void sales; every change is a ledger movement; staff reach only
their own point; visitors see what is on the shelf."""
import datetime as dt
import re
import threading

import pytest
from sqlalchemy import func, select

from marketplace import ocop
from marketplace.accounts.models import User
from marketplace.accounts.services import create_user
from marketplace.extensions import db
from marketplace.inventory import services as stock
from marketplace.inventory.check import problems
from marketplace.inventory.models import SalesPoint, StockLevel, StockMovement
from marketplace.orders import checkout
from marketplace.salespoints import counts, services, transfers
from marketplace.salespoints.counts import COUNT
from marketplace.salespoints.models import (
    CounterReturn,
    CounterSale,
    CounterSaleLine,
    GoodsReceipt,
    StockCount,
    StockCountLine,
    StockTransfer,
    StockTransferLine,
)
from marketplace.salespoints.transfers import TRANSFER
from marketplace.transitions import StatusChange, log_of
from marketplace.unit_of_work import run

from .factories import gtin
from .helpers import PASSWORD, at_once, check_out, clients, new_point, officer, outcome, sign_in, staff, twin

POINT = {"code": "TN-01", "name": "Điểm OCOP Ga Thái Nguyên", "kind": "station_airport", "province": "19",
         "ward": "Phường Phan Đình Phùng", "street": "1 Đường Ga", "opening_hours": "7:00–21:00 hằng ngày",
         "phone": "0208 3855 123", "active": "y"}


def level_at(point, product):
    current = stock.level(point.location_id, product.id)
    on_hand, reserved = (current.on_hand, current.reserved) if current else (0, 0)
    assert (on_hand, reserved) == stock.ledger_totals(point.location_id, product.id)  # the ledger agrees
    return on_hand


@pytest.fixture
def office():
    return officer()


@pytest.fixture
def point(office):
    return new_point(office)


@pytest.fixture
def goods(make, point, office):
    """A cooperative's two products on the point's shelf: tea (with a barcode) and honey."""
    seller = make.seller(legal_name="HTX Chè Tân Cương", province_code=19)
    tea = make.listed(seller=seller, name="Trà Tân Cương đặc biệt", price_vnd=120000, gtin=gtin(1))
    honey = make.listed(seller=seller, name="Mật ong bạc hà", price_vnd=250000)
    clerk = staff(point, "kho@ocop.vn")
    run(services.receive_goods, point, clerk, seller.id,
        [services.ReceiptLine(tea.id, 5), services.ReceiptLine(honey.id, 2)])
    return seller, tea, honey


# --- The office -------------------------------------------------------------------------------------

def test_the_office_opens_a_point_and_gives_it_staff(client, office):
    sign_in(client, office.email)
    response = client.post("/office/points", data=POINT)
    assert response.status_code == 303
    point = db.session.scalar(select(SalesPoint))
    assert (point.code, point.kind, point.ward_code, point.location.kind) == ("TN-01", "station_airport", 5443,
                                                                              "sales_point")
    added = client.post(f"/office/points/{point.id}/staff", data={
        "staff-name": "Lê Thị Hoa", "staff-email": "hoa@ocop.vn", "staff-password": PASSWORD, "staff-role": "manager"})
    assert added.status_code == 303
    client.post("/account/sign-out")
    signed_in = client.post("/account/sign-in", data={"email": "hoa@ocop.vn", "password": PASSWORD})
    assert signed_in.headers["Location"] == "/counter/"  # staff start at their counter, not the shop's home page
    assert client.get("/counter/").headers["Location"].endswith(f"/counter/{point.id}/")
    assert "Điểm OCOP Ga Thái Nguyên" in client.get(f"/counter/{point.id}/").get_data(as_text=True)


def test_bad_point_details_and_other_provinces_are_refused(client, office):
    sign_in(client, office.email)
    for change in ({"code": "tn 01"}, {"ward": "Phường Hoàn Kiếm"}, {"phone": "123"}, {"kind": "castle"},
                   {"province": "14"}):
        assert client.post("/office/points", data=POINT | change).status_code == 422
    assert db.session.scalar(select(func.count(SalesPoint.id))) == 0
    client.post("/office/points", data=POINT)
    again = client.post("/office/points", data=POINT | {"name": "Khác"})
    assert again.status_code == 422 and "đã có mã này" in again.get_data(as_text=True)

    elsewhere = new_point(officer(14, "office14@ocop.vn"), code="SL-01", province_code=14)
    assert client.get(f"/office/points/{elsewhere.id}").status_code == 404
    assert client.post(f"/office/points/{elsewhere.id}/staff", data={}).status_code == 404


# --- Receiving ------------------------------------------------------------------------------------------

def test_staff_receive_a_delivery_line_by_line(client, make, point):
    seller = make.seller(legal_name="HTX Chè Tân Cương", province_code=19)
    tea = make.listed(seller=seller, name="Trà Tân Cương", price_vnd=120000)
    staff(point, "kho@ocop.vn")
    sign_in(client, "kho@ocop.vn")
    found = client.get(f"/counter/{point.id}/receive?seller={seller.registration_no}").get_data(as_text=True)
    assert "HTX Chè Tân Cương" in found
    best = (ocop.today() + dt.timedelta(days=200)).isoformat()
    response = client.post(f"/counter/{point.id}/receive?seller_id={seller.id}",
                           data={f"qty-{tea.id}": "12", f"batch-{tea.id}": "L2611", f"best-{tea.id}": best})
    assert response.status_code == 303
    receipt = db.session.scalar(select(GoodsReceipt))
    line = receipt.lines[0]
    assert (line.quantity, line.batch, line.best_before.isoformat()) == (12, "L2611", best)
    assert level_at(point, tea) == 12
    movement = stock.history(point.location_id, tea.id)[0]
    assert (movement.kind, movement.reference, movement.actor_id) == ("receive", receipt.number, receipt.received_by_id)


def test_a_bad_delivery_changes_nothing(client, make, point):
    seller = make.seller(legal_name="HTX Chè Tân Cương", province_code=19)
    tea = make.listed(seller=seller, name="Trà Tân Cương")
    hidden = make.product(seller=seller, name="Trà chưa công nhận")
    lapsed = make.product(seller=seller, name="Trà hết hạn")
    make.record(lapsed, decision_date=ocop.today() - dt.timedelta(days=1200))
    db.session.commit()
    staff(point, "kho@ocop.vn")
    sign_in(client, "kho@ocop.vn")
    page = client.get(f"/counter/{point.id}/receive?seller_id={seller.id}").get_data(as_text=True)
    assert "Trà Tân Cương" in page and "Trà chưa công nhận" not in page and "Trà hết hạn" not in page
    past = (ocop.today() - dt.timedelta(days=1)).isoformat()
    for data in ({f"qty-{tea.id}": "-3"}, {f"qty-{tea.id}": "ba"}, {f"qty-{tea.id}": "2", f"best-{tea.id}": past},
                 {f"qty-{tea.id}": "2", f"best-{tea.id}": "31/02/2027"}, {}):
        assert client.post(f"/counter/{point.id}/receive?seller_id={seller.id}", data=data).status_code == 422
    with pytest.raises(services.PointError):  # a product that is not listable, straight to the service
        run(services.receive_goods, point, point.staff[0].user, seller.id,
            [services.ReceiptLine(tea.id, 1), services.ReceiptLine(hidden.id, 1)])
    with pytest.raises(services.PointError, match="past_best_before"):  # the date rule holds off the page too
        run(services.receive_goods, point, point.staff[0].user, seller.id,
            [services.ReceiptLine(tea.id, 1, None, ocop.today() - dt.timedelta(days=1))])
    assert db.session.scalar(select(func.count(GoodsReceipt.id))) == 0
    assert db.session.scalar(select(func.count(StockMovement.id))) == 0


# --- The counter ------------------------------------------------------------------------------------------

def test_a_counter_sale_by_barcode_with_cash(client, point, goods):
    _seller, tea, honey = goods
    staff(point, "ban@ocop.vn")
    sign_in(client, "ban@ocop.vn")
    client.post(f"/counter/{point.id}/sell", data={"code": tea.gtin})  # the scanner types digits and Enter
    client.post(f"/counter/{point.id}/sell", data={"code": tea.gtin})
    client.post(f"/counter/{point.id}/sell", data={"code": "mat ong"})  # by name, without diacritics
    till = client.get(f"/counter/{point.id}/sell").get_data(as_text=True)
    assert "490.000" in till  # 2 × 120.000 + 250.000
    short = client.post(f"/counter/{point.id}/sell/pay", data={"payment": "cash", "cash_given": "400000"})
    assert short.status_code == 303 and db.session.scalar(select(func.count(CounterSale.id))) == 0
    assert "ít hơn tổng" in client.get(f"/counter/{point.id}/sell").get_data(as_text=True)
    paid = client.post(f"/counter/{point.id}/sell/pay", data={"payment": "cash", "cash_given": "500000"})
    sale = db.session.scalar(select(CounterSale))
    assert paid.headers["Location"].endswith(f"/counter/{point.id}/sales/{sale.id}")
    assert (sale.total_vnd, sale.change_vnd, [line.quantity for line in sale.lines]) == (490000, 10000, [2, 1])
    assert level_at(point, tea) == 3 and level_at(point, honey) == 1
    receipt = client.get(f"/counter/{point.id}/sales/{sale.id}/print").get_data(as_text=True)
    assert "css/receipt.css" in receipt and sale.number in receipt and "10.000" in receipt  # the 80 mm page
    assert "Quét mã vạch" in client.get(f"/counter/{point.id}/sell").get_data(as_text=True)  # the till is empty
    home = client.get(f"/counter/{point.id}/").get_data(as_text=True)
    assert "1 lượt bán" in home and "490.000" in home  # today at this point


def test_a_sale_cannot_take_the_shelf_below_zero(client, point, goods):
    _seller, tea, _honey = goods
    staff(point, "ban@ocop.vn")
    sign_in(client, "ban@ocop.vn")
    client.post(f"/counter/{point.id}/sell", data={"code": tea.gtin, "quantity": "6"})
    assert "Chỉ còn 5" in client.get(f"/counter/{point.id}/sell").get_data(as_text=True)
    client.post(f"/counter/{point.id}/sell/pay", data={"payment": "card"})
    assert db.session.scalar(select(func.count(CounterSale.id))) == 0 and level_at(point, tea) == 5
    assert "Không đủ hàng" in client.get(f"/counter/{point.id}/sell").get_data(as_text=True)
    client.post(f"/counter/{point.id}/sell/line", data={"product_id": tea.id, "quantity": "1"})
    client.post(f"/counter/{point.id}/sell/pay", data={"payment": "vietqr"})  # this shop has no VietQR account
    client.post(f"/counter/{point.id}/sell/pay", data={"payment": "bitcoin"})
    assert db.session.scalar(select(func.count(CounterSale.id))) == 0 and level_at(point, tea) == 5


def test_two_tills_sell_the_last_box_and_one_wins(app, point, goods):
    _seller, tea, _honey = goods
    clerks = [staff(point, f"quay{n}@ocop.vn").id for n in range(2)]
    point_id, tea_id = point.id, tea.id
    stock.sell(point.location_id, tea.id, 4)  # one box left
    db.session.commit()
    outcomes, start = [], threading.Barrier(2)

    def till(clerk_id):
        with app.app_context():
            here = db.session.get(SalesPoint, point_id)
            clerk = db.session.get(User, clerk_id)
            start.wait()
            try:
                run(services.complete_sale, here, clerk, {tea_id: 1}, "card")
                outcomes.append("sold")
            except services.PointError as error:
                outcomes.append(error.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=till, args=(clerk,)) for clerk in clerks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["out_of_stock", "sold"]
    assert level_at(point, tea) == 0


def test_returns_and_voids_reverse_a_sale_with_a_reason(client, point, goods):
    _seller, tea, honey = goods
    clerk = staff(point, "ban@ocop.vn")
    staff(point, "quanly@ocop.vn", role="manager")
    sale = run(services.complete_sale, point, clerk, {tea.id: 2, honey.id: 1}, "card")
    tea_line, _honey_line = sale.lines
    sign_in(client, "ban@ocop.vn")
    url = f"/counter/{point.id}/sales/{sale.id}"
    for bad in ({f"qty-{tea_line.id}": "1"}, {f"qty-{tea_line.id}": "3", "reason": "vỡ"},
                {f"qty-{tea_line.id}": "x", "reason": "vỡ"}, {"reason": "không có gì"}):
        client.post(url + "/return", data=bad)
    assert level_at(point, tea) == 3 and not sale.returns
    client.post(url + "/return", data={f"qty-{tea_line.id}": "1", "reason": "Hộp bị móp"})
    db.session.refresh(sale)
    assert sale.refunded_vnd == 120000 and tea_line.returned_quantity == 1 and level_at(point, tea) == 4
    assert stock.history(point.location_id, tea.id)[0].reason == "Hộp bị móp"

    assert client.post(url + "/void", data={"reason": "nhầm"}).status_code == 403  # staff cannot void
    other = run(services.complete_sale, point, clerk, {honey.id: 1}, "cash", cash_given_vnd=300000)
    sign_in(client, "quanly@ocop.vn")
    client.post(url + "/void", data={"reason": "nhầm"})  # something came back already: not voidable
    db.session.refresh(sale)
    assert sale.status == "completed"
    client.post(f"/counter/{point.id}/sales/{other.id}/void", data={"reason": "Bấm nhầm hai lần"})
    db.session.refresh(other)
    assert other.status == "voided" and other.void_reason == "Bấm nhầm hai lần" and level_at(point, honey) == 1
    assert db.session.get(CounterSale, other.id) is not None  # kept, never deleted


# --- Access ------------------------------------------------------------------------------------------------

STAFF_GETS = ["/counter/{p}/", "/counter/{p}/sell", "/counter/{p}/sales", "/counter/{p}/sales/{s}",
              "/counter/{p}/sales/{s}/print", "/counter/{p}/receive", "/counter/{p}/stock", "/counter/{p}/transfers",
              "/counter/{p}/transfers/{t}", "/counter/{p}/counts", "/counter/{p}/counts/{c}"]
STAFF_POSTS = ["/counter/{p}/sell", "/counter/{p}/sell/pick", "/counter/{p}/sell/line", "/counter/{p}/sell/clear",
               "/counter/{p}/sell/pay", "/counter/{p}/sales/{s}/return", "/counter/{p}/sales/{s}/void",
               "/counter/{p}/receive", "/counter/{p}/transfers", "/counter/{p}/transfers/{t}", "/counter/{p}/counts",
               "/counter/{p}/counts/{c}"]


def test_staff_act_only_at_their_own_point(client, office, point, goods):
    _seller, tea, _honey = goods
    there = new_point(office, code="TN-02")
    their_clerk = staff(there, "quanly2@ocop.vn", role="manager")
    run(services.receive_goods, there, their_clerk, goods[0].id, [services.ReceiptLine(tea.id, 3)])
    their_sale = run(services.complete_sale, there, their_clerk, {tea.id: 1}, "card")
    their_transfer = run(transfers.send, there.location_id, new_point(office, code="TN-03"), their_clerk, {tea.id: 1})
    their_count = run(counts.start, there, their_clerk)
    mine = run(services.complete_sale, point, staff(point, "quanly@ocop.vn", role="manager"), {tea.id: 1}, "card")
    ids = {"s": their_sale.id, "t": their_transfer.id, "c": their_count.id}
    sign_in(client, "quanly@ocop.vn")
    before = (db.session.scalar(select(func.count(StockMovement.id))), level_at(there, tea), level_at(point, tea))
    for path in STAFF_GETS:
        assert client.get(path.format(p=there.id, **ids)).status_code == 404, path
        if "{s}" in path or "{t}" in path or "{c}" in path:  # their document through my point's address
            assert client.get(path.format(p=point.id, **ids)).status_code == 404, path
    for path in STAFF_POSTS:
        data = {"code": tea.gtin, "product_id": tea.id, "quantity": "1", "payment": "card", "reason": "thử",
                f"qty-{their_sale.lines[0].id}": "1", f"qty-{tea.id}": "1", "to": point.id, "action": "approve",
                f"got-{their_transfer.lines[0].id}": "1", f"seen-{their_count.lines[0].id}": "9"}
        assert client.post(path.format(p=there.id, **ids), data=data).status_code == 404, path
        if "{s}" in path or "{t}" in path or "{c}" in path:
            assert client.post(path.format(p=point.id, **ids), data=data).status_code == 404, path
    assert (db.session.scalar(select(func.count(StockMovement.id))), level_at(there, tea), level_at(point, tea)) == before
    for document in (their_sale, their_transfer, their_count):
        db.session.refresh(document)
    assert their_sale.status == "completed" and mine.status == "completed"
    assert their_transfer.status == "sent" and their_count.status == "counting" and their_count.lines[0].counted is None

    for who, refused in (("office19@ocop.vn", 403), (None, 302)):  # the office and visitors do not sell here
        client.post("/account/sign-out")
        if who:
            sign_in(client, who)
        assert client.get(f"/counter/{point.id}/sell").status_code == refused  # forbidden, or to sign in


def test_switched_off_staff_cannot_sign_in(client, office, point):
    member_user = staff(point, "nghi@ocop.vn")
    run(services.set_staff_active, office, point.staff[0], False)
    client.post("/account/sign-in", data={"email": member_user.email, "password": PASSWORD})
    assert client.get(f"/counter/{point.id}/sell").status_code == 302  # not signed in: to sign in


# --- Visitors -----------------------------------------------------------------------------------------------

def test_visitors_see_the_point_and_what_is_on_its_shelf(client, make, point, goods):
    _seller, _tea, honey = goods
    page = client.get(f"/points/{point.id}").get_data(as_text=True)
    assert point.name in page and "7:00–21:00" in page and "openstreetmap.org" in page
    assert "Trà Tân Cương đặc biệt" in page and "Mật ong bạc hà" in page
    stock.sell(point.location_id, honey.id, 2)
    db.session.commit()
    assert "Mật ong bạc hà" not in client.get(f"/points/{point.id}").get_data(as_text=True)  # sold out
    assert point.name in client.get("/points").get_data(as_text=True)
    closed = new_point(officer(None, "all@ocop.vn"), code="TN-09", active=False)
    assert client.get(f"/points/{closed.id}").status_code == 404


# --- Transfers and counts -------------------------------------------------------------------------------------

def test_a_transfer_received_with_a_shortfall(client, office, point, goods):
    _seller, tea, honey = goods
    there = new_point(office, code="TN-02")
    staff(point, "gui@ocop.vn")
    staff(there, "nhan@ocop.vn")
    sign_in(client, "gui@ocop.vn")
    response = client.post(f"/counter/{point.id}/transfers", data={"to": there.id, f"qty-{tea.id}": "4",
                                                                    f"qty-{honey.id}": ""})
    assert response.status_code == 303
    assert level_at(point, tea) == 1 and level_at(there, tea) == 0  # left, not arrived: in transit
    assert transfers.in_transit(there.location_id) == {tea.id: 4}
    transfer = transfers.transfers_touching(there.location_id)[0]
    assert client.post(f"/counter/{point.id}/transfers/{transfer.id}",
                       data={f"got-{transfer.lines[0].id}": "4"}).status_code == 404  # only the destination

    sign_in(client, "nhan@ocop.vn")
    assert "4 đơn vị đang trên đường đến" in client.get(f"/counter/{there.id}/transfers").get_data(as_text=True)
    client.post(f"/counter/{there.id}/transfers/{transfer.id}", data={f"got-{transfer.lines[0].id}": "3"})
    client.post(f"/counter/{there.id}/transfers/{transfer.id}", data={f"got-{transfer.lines[0].id}": "4"})  # twice
    db.session.refresh(transfer)
    assert transfer.status == "received" and transfer.lines[0].shortfall == 1
    assert level_at(there, tea) == 3 and transfers.in_transit(there.location_id) == {}
    kinds = [m.kind for m in stock.history(there.location_id, tea.id)]
    assert kinds == ["transfer_in"] and stock.history(point.location_id, tea.id)[0].kind == "transfer_out"


def test_a_transfer_never_sends_more_than_the_shelf_holds(client, office, point, goods):
    _seller, tea, _honey = goods
    there = new_point(office, code="TN-02")
    staff(point, "gui@ocop.vn")
    sign_in(client, "gui@ocop.vn")
    for data in ({"to": there.id, f"qty-{tea.id}": "6"}, {"to": point.id, f"qty-{tea.id}": "1"},
                 {"to": there.id, f"qty-{tea.id}": "-1"}, {"to": "99", f"qty-{tea.id}": "1"}, {"to": there.id}):
        client.post(f"/counter/{point.id}/transfers", data=data)
    assert level_at(point, tea) == 5 and level_at(there, tea) == 0


def test_a_blind_count_with_variances_approved_by_the_manager(client, point, goods):
    _seller, tea, honey = goods
    staff(point, "dem@ocop.vn")
    staff(point, "quanly@ocop.vn", role="manager")
    sign_in(client, "dem@ocop.vn")
    client.post(f"/counter/{point.id}/counts")
    count = db.session.scalar(select(StockCount))
    page = client.get(f"/counter/{point.id}/counts/{count.id}").get_data(as_text=True)
    assert "Dự kiến" not in page  # blind: the expected numbers are not shown while counting
    tea_line, honey_line = sorted(count.lines, key=lambda line: line.product_id)
    client.post(f"/counter/{point.id}/counts/{count.id}", data={f"seen-{tea_line.id}": "4", "action": "submit"})
    db.session.refresh(count)
    assert count.status == "counting"  # honey not counted yet
    stock.sell(point.location_id, tea.id, 1)  # a sale while the count is under way: not part of its variance
    db.session.commit()
    client.post(f"/counter/{point.id}/counts/{count.id}", data={f"seen-{tea_line.id}": "3",
                                                                 f"seen-{honey_line.id}": "3", "action": "submit"})
    db.session.refresh(count)
    assert count.status == "submitted" and (tea_line.variance, honey_line.variance) == (-1, 1)
    assert client.post(f"/counter/{point.id}/counts/{count.id}", data={"action": "approve"}).status_code == 403
    sign_in(client, "quanly@ocop.vn")
    report = client.get(f"/counter/{point.id}/counts/{count.id}").get_data(as_text=True)
    assert "+1" in report and "-1" in report
    client.post(f"/counter/{point.id}/counts/{count.id}", data={"action": "approve"})
    db.session.refresh(count)
    assert count.status == "approved" and level_at(point, tea) == 3 and level_at(point, honey) == 3
    movement = stock.history(point.location_id, honey.id)[0]
    assert (movement.kind, movement.on_hand_change, movement.reason) == ("count", 1, f"count {count.number}")


# --- Reports ---------------------------------------------------------------------------------------------

def test_the_manager_reads_sales_and_stock_and_downloads_them(client, point, goods):
    _seller, tea, honey = goods
    clerk = staff(point, "ban@ocop.vn")
    staff(point, "quanly@ocop.vn", role="manager")
    stock.set_reorder_level(point.location_id, honey.id, 2)
    db.session.commit()
    run(services.complete_sale, point, clerk, {tea.id: 2, honey.id: 1}, "cash", cash_given_vnd=500000)
    returned = run(services.complete_sale, point, clerk, {tea.id: 1}, "card")
    run(services.return_goods, returned, clerk, {returned.lines[0].id: 1}, "đổi ý")  # nets to nothing
    voided = run(services.complete_sale, point, clerk, {tea.id: 1}, "vietqr")
    run(services.void_sale, voided, db.session.scalar(select(User).filter_by(email="quanly@ocop.vn")), "nhầm")

    sign_in(client, "ban@ocop.vn")
    assert client.get(f"/counter/{point.id}/reports").status_code == 403  # staff: no reports
    sign_in(client, "quanly@ocop.vn")
    page = client.get(f"/counter/{point.id}/reports?days=7").get_data(as_text=True)
    assert "490.000" in page  # 2 × 120.000 + 250.000; the returned and the voided sale count nothing
    assert "cần nhập" in page  # honey at its reorder level (1 left, level 2)
    report = client.get(f"/counter/{point.id}/reports/sales.csv?days=7").get_data(as_text=True)
    assert report.startswith("\ufeffview,key,sales,units,amount_vnd")
    assert f"day,{ocop.today().isoformat()},1,3,490000" in report and "payment,cash,1,3,490000" in report
    assert "product,Trà Tân Cương đặc biệt,1,2,240000" in report and "seller,HTX Chè Tân Cương,1,3,490000" in report

    from io import BytesIO

    from openpyxl import load_workbook
    book = load_workbook(BytesIO(client.get(f"/counter/{point.id}/reports/stock.xlsx").data))
    rows = list(book.active.values)
    assert rows[0][:5] == ("product_id", "product", "seller", "gtin", "on_hand")
    assert {row[1]: (row[4], row[9]) for row in rows[1:]} == {"Trà Tân Cương đặc biệt": (3, 360000),
                                                             "Mật ong bạc hà": (1, 250000)}
    assert client.get(f"/counter/{point.id}/reports/secrets.csv").status_code == 404


def test_a_seller_sees_its_goods_at_every_point_and_sends_more(client, make, office, point, goods):
    seller, tea, honey = goods
    run(services.complete_sale, point, staff(point, "ban@ocop.vn"), {tea.id: 1}, "card")
    create_user("htx@tancuong.vn", "HTX", PASSWORD, role="seller", seller_id=seller.id)
    stock.receive(stock.warehouse_of(seller).id, honey.id, 10)
    db.session.commit()
    there = new_point(office, code="TN-02")
    sign_in(client, "htx@tancuong.vn")
    page = client.get("/seller/points").get_data(as_text=True)
    assert point.name in page and "120.000" in page  # sold there, and what is on that shelf
    client.post("/seller/points", data={"to": there.id, f"qty-{honey.id}": "4"})
    assert stock.level(stock.warehouse_of(seller).id, honey.id).on_hand == 6
    assert there.name in client.get("/seller/points").get_data(as_text=True)  # in transit to the new point
    client.post("/seller/points", data={"to": there.id, f"qty-{honey.id}": "7"})  # more than the warehouse holds
    assert stock.level(stock.warehouse_of(seller).id, honey.id).on_hand == 6


def test_the_product_page_lists_the_points_that_have_it(client, point, goods):
    _seller, tea, _honey = goods
    page = client.get(f"/products/{tea.id}").get_data(as_text=True)
    assert "Mua trực tiếp" in page and point.name in page
    stock.sell(point.location_id, tea.id, 5)
    db.session.commit()
    assert point.name not in client.get(f"/products/{tea.id}").get_data(as_text=True)


# --- Pickup of online orders -------------------------------------------------------------------------------

CHECKOUT = {"name": "Nguyễn Văn An", "phone": "0912 345 678", "email": "an@example.vn"}


def test_an_online_order_collected_at_a_point(client, point, goods):
    _seller, tea, _honey = goods  # nothing in the producer's warehouse: only the point has it
    client.post("/cart/add", data={"product_id": tea.id, "quantity": 2})  # refused: no online stock
    from marketplace.orders.models import Order
    with client.session_transaction() as session:
        session["cart"] = {str(tea.id): 2}
    page = client.get("/checkout").get_data(as_text=True)
    assert point.name in page and "Thanh toán tại điểm bán" in page
    by_post = check_out(client, CHECKOUT | {"delivery": "post", "payment": "cod"})
    assert by_post.status_code == 422  # no address, and nothing to send from the producer
    wrong = client.post("/checkout", data=CHECKOUT | {"delivery": f"point-{point.id}", "payment": "cod"})
    assert wrong.status_code == 422 and "giao hàng qua bưu điện" in wrong.get_data(as_text=True)
    placed = check_out(client, CHECKOUT | {"delivery": f"point-{point.id}", "payment": "at_point"})
    assert placed.status_code == 303
    order = db.session.scalar(select(Order))
    assert order.pickup_location_id == point.location_id and order.delivery_vnd == 0 and order.total_vnd == 240000
    assert stock.level(point.location_id, tea.id).reserved == 2 and level_at(point, tea) == 5  # held at the point
    assert point.name in client.get(placed.headers["Location"]).get_data(as_text=True)

    staff(point, "quay@ocop.vn")
    sign_in(client, "quay@ocop.vn")
    part = order.parts[0]
    assert order.number in client.get(f"/counter/{point.id}/pickups").get_data(as_text=True)
    client.post(f"/counter/{point.id}/sell", data={"code": tea.gtin, "quantity": "4"})
    client.post(f"/counter/{point.id}/sell/pay", data={"payment": "card"})  # the counter cannot sell what is held
    assert level_at(point, tea) == 5
    for action in ("confirm", "pack", "hand_over"):
        client.post(f"/counter/{point.id}/pickups/{part.id}", data={"action": action})
    db.session.refresh(order)
    assert part.state == "delivered" and order.payment_status == "paid" and level_at(point, tea) == 3
    assert stock.level(point.location_id, tea.id).reserved == 0
    staff(point, "quanly@ocop.vn", role="manager")
    sign_in(client, "quanly@ocop.vn")  # the day's money at the counter includes what the pickup paid
    report = client.get(f"/counter/{point.id}/reports?days=7").get_data(as_text=True)
    assert "1 đơn trực tuyến đã giao tại đây" in report and "đã thu tại quầy: 240.000" in report


def test_the_report_counts_only_the_parts_handed_over(client, make, point, goods):
    """A pickup from two producers, one part collected and paid at the counter, the other still waiting:
    the day's report has one order and that part's money, which is what the drawer holds."""
    from marketplace.orders import services as orders
    _seller, tea, _honey = goods
    other = make.seller(legal_name="HTX Gạo Nếp", province_code=19)
    rice = make.listed(seller=other, name="Gạo nếp cái hoa vàng", price_vnd=90000)
    run(services.receive_goods, point, point.staff[0].user, other.id, [services.ReceiptLine(rice.id, 3)])
    order = run(checkout.place_order, {tea.id: 2, rice.id: 1},
                checkout.Contact("An", "0912345678", "an@example.vn", 19, 5443, "Điểm"), "at_point",
                pickup_location_id=point.location_id)
    tea_part = next(part for part in order.parts if part.lines[0].product_id == tea.id)
    clerk = staff(point, "quanly@ocop.vn", role="manager")
    for action in ("confirm", "pack", "hand_over"):
        run(orders.move, tea_part, action, actor_id=clerk.id, by="point")
    sign_in(client, "quanly@ocop.vn")
    report = client.get(f"/counter/{point.id}/reports?days=7").get_data(as_text=True)
    assert "1 đơn trực tuyến đã giao tại đây: 240.000" in report and "đã thu tại quầy: 240.000" in report


def test_pickup_parts_belong_to_the_point_not_the_seller(client, office, point, goods):
    seller, tea, _honey = goods
    order = run(checkout.place_order, {tea.id: 1}, checkout.Contact("An", "0912345678", "an@example.vn", 19, 5443, "Điểm"),
                               "at_point", pickup_location_id=point.location_id)
    part = order.parts[0]
    create_user("htx@tancuong.vn", "HTX", PASSWORD, role="seller", seller_id=seller.id)
    db.session.commit()
    sign_in(client, "htx@tancuong.vn")
    client.post(f"/seller/orders/{part.id}", data={"action": "confirm"})
    db.session.refresh(part)
    assert part.state == "placed"
    there = new_point(office, code="TN-02")
    staff(there, "khac@ocop.vn")
    sign_in(client, "khac@ocop.vn")
    assert order.number not in client.get(f"/counter/{there.id}/pickups").get_data(as_text=True)
    assert client.post(f"/counter/{there.id}/pickups/{part.id}", data={"action": "confirm"}).status_code == 404


def test_an_uncollected_pickup_goes_back_on_sale(app, point, goods):
    _seller, tea, _honey = goods
    from marketplace.models_base import utcnow
    from marketplace.orders.payments import expire_overdue
    order = run(checkout.place_order, {tea.id: 2}, checkout.Contact("An", "0912345678", "an@example.vn", 19, 5443, "Điểm"),
                               "at_point", pickup_location_id=point.location_id)
    assert expire_overdue(now=utcnow() + dt.timedelta(days=2)) == 0
    assert expire_overdue(now=utcnow() + dt.timedelta(days=3, minutes=1)) == 1
    db.session.refresh(order)
    assert order.payment_status == "expired" and stock.level(point.location_id, tea.id).reserved == 0


def test_every_staff_movement_says_who_and_when(client, point, goods):
    """Receiving, selling, returning, voiding, transferring, counting and handing over a pickup."""
    _seller, tea, honey = goods
    from marketplace.orders import services as orders
    manager = staff(point, "quanly@ocop.vn", role="manager")
    sale = run(services.complete_sale, point, manager, {tea.id: 1, honey.id: 1}, "card")
    run(services.return_goods, sale, manager, {sale.lines[0].id: 1}, "đổi ý")
    run(services.void_sale, run(services.complete_sale, point, manager, {tea.id: 1}, "card"), manager, "nhầm")
    run(transfers.send, point.location_id, new_point(officer(None, "all@ocop.vn"), code="TN-05"), manager, {tea.id: 1})
    order = run(checkout.place_order, {tea.id: 1}, checkout.Contact("An", "0912345678", "an@example.vn", 19, 5443, "Điểm"),
                               "at_point", pickup_location_id=point.location_id)
    for action in ("confirm", "pack", "hand_over"):
        run(orders.move, order.parts[0], action, actor_id=manager.id, by="point")
    count = run(counts.start, point, manager)
    run(counts.record, count, {line.id: 0 for line in count.lines}, manager)
    run(counts.submit, count, manager)
    run(counts.approve, count, manager)
    movements = db.session.scalars(select(StockMovement).where(StockMovement.location_id == point.location_id,
                                                              StockMovement.kind != "reserve")).all()
    assert {m.kind for m in movements} >= {"receive", "sale", "return", "transfer_out", "online_order", "count"}
    assert all(m.actor_id is not None and m.at is not None for m in movements), [
        (m.kind, m.actor_id) for m in movements if m.actor_id is None]


def test_the_manager_sets_reorder_levels_and_the_alert_shows(client, point, goods):
    _seller, tea, honey = goods
    staff(point, "quanly@ocop.vn", role="manager")
    staff(point, "ban@ocop.vn")
    sign_in(client, "ban@ocop.vn")
    assert client.post(f"/counter/{point.id}/stock", data={f"reorder-{tea.id}": "9"}).status_code == 403
    sign_in(client, "quanly@ocop.vn")
    client.post(f"/counter/{point.id}/stock", data={f"reorder-{tea.id}": "x"})
    client.post(f"/counter/{point.id}/stock", data={f"reorder-{tea.id}": "5", f"reorder-{honey.id}": ""})
    assert stock.level(point.location_id, tea.id).reorder_level == 5
    home = client.get(f"/counter/{point.id}/").get_data(as_text=True)
    assert "Trà Tân Cương đặc biệt" in home and "cần nhập khi còn 5" in home and "Mật ong" not in home


# --- Double taps and races: every state-changing form, twice at once and one after the other ---------------


def log(machine, document) -> list[str]:
    return [change.action for change in log_of(machine.name, [document.id])]


def test_a_sale_voided_twice_goes_back_on_the_shelf_once(app, point, goods):
    _seller, tea, honey = goods
    manager = staff(point, "quanly@ocop.vn", role="manager")
    sale = run(services.complete_sale, point, manager, {tea.id: 2, honey.id: 1}, "card")
    url = f"/counter/{point.id}/sales/{sale.id}/void"
    taps = clients(app, "quanly@ocop.vn", "quanly@ocop.vn")  # one manager, a double tap on two tills
    assert sorted(at_once([(client, url, {"reason": "Bấm nhầm"}) for client in taps])) == ["done", "refused"]
    assert level_at(point, tea) == 5 and level_at(point, honey) == 2
    taps[0].post(url, data={"reason": "Lần nữa"})  # and once more, later
    assert outcome(taps[0]) == "refused"
    db.session.expire_all()
    assert (sale.status, sale.void_reason, log(services.SALE, sale)) == ("voided", "Bấm nhầm", ["void"])
    assert level_at(point, tea) == 5 and level_at(point, honey) == 2
    assert problems() == []


def test_the_same_line_returned_twice_comes_back_once(app, point, goods):
    _seller, tea, _honey = goods
    clerk = staff(point, "ban@ocop.vn")
    staff(point, "ban2@ocop.vn")
    sale = run(services.complete_sale, point, clerk, {tea.id: 3}, "card")
    line, url = sale.lines[0], f"/counter/{point.id}/sales/{sale.id}/return"
    two = {f"qty-{line.id}": "2", "reason": "Hộp bị móp"}
    tills = clients(app, "ban@ocop.vn", "ban2@ocop.vn")
    assert sorted(at_once([(client, url, two) for client in tills])) == ["done", "refused"]
    assert level_at(point, tea) == 4  # 2 of 3 came back, once
    tills[0].post(url, data=two)  # only 1 is left to bring back
    assert outcome(tills[0]) == "refused" and level_at(point, tea) == 4
    tills[1].post(url, data={f"qty-{line.id}": "1", "reason": "Đổi ý"})
    assert outcome(tills[1]) == "done"
    db.session.expire_all()
    assert (line.returned_quantity, sale.refunded_vnd, len(sale.returns)) == (3, 360000, 2)
    assert log(services.SALE, sale) == ["return", "return"] and level_at(point, tea) == 5
    assert problems() == []


def test_a_return_and_a_void_of_one_sale_at_once_one_wins(app, point, goods):
    _seller, tea, honey = goods
    clerk = staff(point, "ban@ocop.vn")
    staff(point, "quanly@ocop.vn", role="manager")
    sale = run(services.complete_sale, point, clerk, {tea.id: 2, honey.id: 1}, "card")
    url = f"/counter/{point.id}/sales/{sale.id}"
    till, office = clients(app, "ban@ocop.vn", "quanly@ocop.vn")
    returned, voided = at_once([(till, url + "/return", {f"qty-{sale.lines[0].id}": "1", "reason": "Vỡ"}),
                                (office, url + "/void", {"reason": "Nhầm"})])
    assert sorted([returned, voided]) == ["done", "refused"]
    db.session.expire_all()
    if voided == "done":
        assert (sale.status, sale.returns, log(services.SALE, sale)) == ("voided", [], ["void"])
        assert level_at(point, tea) == 5 and level_at(point, honey) == 2
    else:
        assert (sale.status, len(sale.returns), log(services.SALE, sale)) == ("completed", 1, ["return"])
        assert level_at(point, tea) == 4 and level_at(point, honey) == 1
    assert problems() == []


def _submitted_count(point, manager, seen):
    """A count of the point, counted as `seen` ({product id: units}) and submitted."""
    count = run(counts.start, point, manager)
    run(counts.record, count, {line.id: seen[line.product_id] for line in count.lines}, manager)
    run(counts.submit, count, manager)
    return count


def test_a_count_approved_twice_is_applied_once(app, point, goods):
    _seller, tea, honey = goods
    manager = staff(point, "quanly@ocop.vn", role="manager")
    count = _submitted_count(point, manager, {tea.id: 3, honey.id: 2})
    url = f"/counter/{point.id}/counts/{count.id}"
    taps = clients(app, "quanly@ocop.vn", "quanly@ocop.vn")
    assert sorted(at_once([(client, url, {"action": "approve"}) for client in taps])) == ["done", "refused"]
    taps[1].post(url, data={"action": "approve"})
    assert outcome(taps[1]) == "refused"
    db.session.expire_all()
    assert count.status == "approved" and log(COUNT, count) == ["record", "submit", "approve"]
    assert level_at(point, tea) == 3 and level_at(point, honey) == 2  # the variance (-2), once
    assert [m.kind for m in stock.history(point.location_id, tea.id)].count("count") == 1
    assert problems() == []


def test_a_count_cancelled_and_approved_at_once_is_one_or_the_other(app, point, goods):
    _seller, tea, honey = goods
    staff(point, "quanly@ocop.vn", role="manager")
    staff(point, "quanly2@ocop.vn", role="manager")
    count = _submitted_count(point, point.staff[-1].user, {tea.id: 3, honey.id: 2})
    url = f"/counter/{point.id}/counts/{count.id}"
    one, other = clients(app, "quanly@ocop.vn", "quanly2@ocop.vn")
    approved, cancelled = at_once([(one, url, {"action": "approve"}), (other, url, {"action": "cancel"})])
    assert sorted([approved, cancelled]) == ["done", "refused"]
    db.session.expire_all()
    decided = "approve" if approved == "done" else "cancel"
    assert count.status == {"approve": "approved", "cancel": "cancelled"}[decided]
    assert log(COUNT, count) == ["record", "submit", decided]
    assert level_at(point, tea) == (3 if decided == "approve" else 5) and level_at(point, honey) == 2
    assert problems() == []


def test_a_count_submitted_twice_at_once_is_submitted_once(app, point, goods):
    _seller, _tea, _honey = goods
    staff(point, "dem@ocop.vn")
    staff(point, "dem2@ocop.vn")
    first, second = clients(app, "dem@ocop.vn", "dem2@ocop.vn")
    first.post(f"/counter/{point.id}/counts")
    count = db.session.scalar(select(StockCount))
    seen = {f"seen-{line.id}": "4" for line in count.lines} | {"action": "submit"}
    url = f"/counter/{point.id}/counts/{count.id}"
    assert sorted(at_once([(first, url, seen), (second, url, seen)])) == ["done", "refused"]
    second.post(url, data=seen)
    assert outcome(second) == "refused"
    db.session.expire_all()
    assert count.status == "submitted" and log(COUNT, count).count("submit") == 1
    assert [line.expected for line in count.lines] == [5, 2]
    assert problems() == []


def test_two_counts_started_at_once_make_one(app, point, goods):
    staff(point, "dem@ocop.vn")
    staff(point, "dem2@ocop.vn")
    url = f"/counter/{point.id}/counts"
    assert sorted(at_once([(client, url, {}) for client in clients(app, "dem@ocop.vn", "dem2@ocop.vn")])) == [
        "done", "refused"]
    assert db.session.scalar(select(func.count(StockCount.id))) == 1
    assert problems() == []


def test_a_transfer_received_twice_arrives_once(app, office, point, goods):
    _seller, tea, _honey = goods
    there = new_point(office, code="TN-02")
    sender = staff(point, "gui@ocop.vn")
    staff(there, "nhan@ocop.vn")
    staff(there, "nhan2@ocop.vn")
    transfer = run(transfers.send, point.location_id, there, sender, {tea.id: 4})
    line, url = transfer.lines[0], f"/counter/{there.id}/transfers/{transfer.id}"
    tills = clients(app, "nhan@ocop.vn", "nhan2@ocop.vn")
    results = at_once([(tills[0], url, {f"got-{line.id}": "4"}), (tills[1], url, {f"got-{line.id}": "3"})])
    assert sorted(results) == ["done", "refused"]
    tills[0].post(url, data={f"got-{line.id}": "4"})
    assert outcome(tills[0]) == "refused"
    db.session.expire_all()
    arrived = 4 if results[0] == "done" else 3
    assert (transfer.status, line.quantity_received, log(TRANSFER, transfer)) == ("received", arrived, ["receive"])
    assert level_at(there, tea) == arrived and level_at(point, tea) == 1
    assert [m.kind for m in stock.history(there.location_id, tea.id)] == ["transfer_in"]
    assert problems() == []


def page_key(client, path) -> str:
    """The key the page at `path` gives its form (what a second tap of that form sends again)."""
    return re.search(r'name="client_key"[^>]*value="([0-9a-f]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_pay_tapped_twice_sells_once(app, point, goods):
    _seller, tea, honey = goods
    staff(point, "ban@ocop.vn")
    client, = clients(app, "ban@ocop.vn")
    client.post(f"/counter/{point.id}/sell", data={"code": tea.gtin, "quantity": "2"})
    pay = {"payment": "card", "client_key": page_key(client, f"/counter/{point.id}/sell")}
    first, again = (client.post(f"/counter/{point.id}/sell/pay", data=pay) for _tap in range(2))
    sale = db.session.scalar(select(CounterSale))
    assert first.headers["Location"] == again.headers["Location"] == f"/counter/{point.id}/sales/{sale.id}"
    assert outcome(client) == "done" and level_at(point, tea) == 3

    for _round in range(2):  # the next customer: a double tap arriving at the same moment
        client.post(f"/counter/{point.id}/sell", data={"code": "mat ong"})
        pay = {"payment": "card", "client_key": page_key(client, f"/counter/{point.id}/sell")}
        path = f"/counter/{point.id}/sell/pay"
        assert at_once([(client, path, pay), (twin(app, client), path, pay)]) == ["done", "done"]
    assert db.session.scalar(select(func.count(CounterSale.id))) == 3
    assert level_at(point, honey) == 0 and problems() == []


def test_a_return_sent_twice_comes_back_once(app, point, goods):
    _seller, tea, _honey = goods
    clerk = staff(point, "ban@ocop.vn")
    sale = run(services.complete_sale, point, clerk, {tea.id: 3}, "card")
    client, = clients(app, "ban@ocop.vn")
    path = f"/counter/{point.id}/sales/{sale.id}"
    one = {f"qty-{sale.lines[0].id}": "1", "reason": "Hộp bị móp", "client_key": page_key(client, path)}
    for _tap in range(2):
        client.post(path + "/return", data=one)
    assert level_at(point, tea) == 3  # 1 of 3 came back, once
    one["client_key"] = page_key(client, path)
    assert at_once([(client, path + "/return", one), (twin(app, client), path + "/return", one)]) == ["done", "done"]
    db.session.expire_all()
    assert (sale.lines[0].returned_quantity, sale.refunded_vnd, len(sale.returns)) == (2, 240000, 2)
    assert level_at(point, tea) == 4 and problems() == []


def test_a_key_sent_from_another_point_finds_nothing_there(app, office, point, goods):
    """A till page's key is its sender's: replayed by someone else (a shared link, a leaked page), it makes
    their own document instead of answering another point's."""
    seller, tea, _honey = goods
    there = new_point(office, code="TN-02")
    staff(point, "ban@ocop.vn")
    staff(there, "ban2@ocop.vn")
    here_till, there_till = clients(app, "ban@ocop.vn", "ban2@ocop.vn")
    run(services.receive_goods, there, there.staff[0].user, seller.id, [services.ReceiptLine(tea.id, 5)])
    here_till.post(f"/counter/{point.id}/sell", data={"code": tea.gtin})
    pay = {"payment": "card", "client_key": page_key(here_till, f"/counter/{point.id}/sell")}
    here_till.post(f"/counter/{point.id}/sell/pay", data=pay)
    there_till.post(f"/counter/{there.id}/sell", data={"code": tea.gtin})
    answer = there_till.post(f"/counter/{there.id}/sell/pay", data=pay)  # the same key, at the other point
    sold_there = db.session.scalar(select(CounterSale).where(CounterSale.sales_point_id == there.id))
    assert answer.headers["Location"] == f"/counter/{there.id}/sales/{sold_there.id}"
    assert level_at(point, tea) == 4 and level_at(there, tea) == 4

    path = f"/counter/{point.id}/receive?seller_id={seller.id}"
    delivery = {f"qty-{tea.id}": "7", "client_key": page_key(here_till, path)}
    here_till.post(path, data=delivery)
    there_till.post(f"/counter/{there.id}/receive?seller_id={seller.id}", data=delivery)
    assert level_at(point, tea) == 11 and level_at(there, tea) == 11 and problems() == []


def test_a_till_page_shown_before_a_price_change_sells_nothing(app, point, goods):
    """The customer was told the total on the screen: the sale is that total or nothing."""
    _seller, tea, _honey = goods
    staff(point, "ban@ocop.vn")
    till, = clients(app, "ban@ocop.vn")
    till.post(f"/counter/{point.id}/sell", data={"code": tea.gtin, "quantity": "2"})
    shown = till.get(f"/counter/{point.id}/sell").get_data(as_text=True)
    assert "240.000" in shown
    pay = {"payment": "card", "client_key": re.search(r'name="client_key"[^>]*value="([0-9a-f]+)"', shown).group(1),
           "seen_total": re.search(r'name="seen_total"[^>]*value="(\d+)"', shown).group(1)}
    tea.price_vnd = 180000  # the producer raised the price meanwhile
    db.session.commit()
    till.post(f"/counter/{point.id}/sell/pay", data=pay)
    assert outcome(till) == "refused" and db.session.scalar(select(func.count(CounterSale.id))) == 0
    assert level_at(point, tea) == 5
    shown = till.get(f"/counter/{point.id}/sell").get_data(as_text=True)
    assert "360.000" in shown  # the till shows the new total; recorded once the customer agrees
    pay["seen_total"] = re.search(r'name="seen_total"[^>]*value="(\d+)"', shown).group(1)
    till.post(f"/counter/{point.id}/sell/pay", data=pay)
    assert db.session.scalar(select(CounterSale.total_vnd)) == 360000 and level_at(point, tea) == 3


def test_a_sale_between_counting_and_approving_stays_sold(point, goods):
    """The point sells while it counts: what was sold after the shelf was counted is not put back."""
    _seller, tea, honey = goods
    manager = staff(point, "quanly@ocop.vn", role="manager")
    count = run(counts.start, point, manager)
    lines = {line.product_id: line.id for line in count.lines}
    run(counts.record, count, {lines[tea.id]: 5, lines[honey.id]: 1}, manager)  # one honey jar is missing
    run(services.complete_sale, point, manager, {tea.id: 2}, "card")  # then two boxes of tea are sold
    run(counts.submit, count, manager)
    run(counts.approve, count, manager)
    assert level_at(point, tea) == 3 and level_at(point, honey) == 1 and problems() == []


def test_receive_tapped_twice_receives_once(app, point, goods):
    seller, tea, _honey = goods
    staff(point, "kho2@ocop.vn")
    client, = clients(app, "kho2@ocop.vn")
    path = f"/counter/{point.id}/receive?seller_id={seller.id}"
    delivery = {f"qty-{tea.id}": "10", "client_key": page_key(client, path)}
    assert [client.post(path, data=delivery).status_code for _tap in range(2)] == [303, 303]
    assert level_at(point, tea) == 15
    delivery["client_key"] = page_key(client, path)
    assert at_once([(client, path, delivery), (twin(app, client), path, delivery)]) == ["done", "done"]
    assert level_at(point, tea) == 25
    assert db.session.scalar(select(func.count(GoodsReceipt.id))) == 3  # the fixture's, and one per page
    assert problems() == []


def test_send_tapped_twice_sends_once(app, office, point, goods):
    seller, tea, honey = goods
    there = new_point(office, code="TN-02")
    staff(point, "gui@ocop.vn")
    client, = clients(app, "gui@ocop.vn")
    path = f"/counter/{point.id}/transfers"
    parcel = {"to": there.id, f"qty-{tea.id}": "2", "client_key": page_key(client, path)}
    first, again = (client.post(path, data=parcel) for _tap in range(2))
    assert first.headers["Location"] == again.headers["Location"] and level_at(point, tea) == 3
    parcel["client_key"] = page_key(client, path)
    assert at_once([(client, path, parcel), (twin(app, client), path, parcel)]) == ["done", "done"]
    assert level_at(point, tea) == 1 and transfers.in_transit(there.location_id) == {tea.id: 4}

    create_user("htx@tancuong.vn", "HTX", PASSWORD, role="seller", seller_id=seller.id)  # from the warehouse
    stock.receive(stock.warehouse_of(seller).id, honey.id, 10)
    db.session.commit()
    sign_in(client, "htx@tancuong.vn")
    parcel = {"to": there.id, f"qty-{honey.id}": "4", "client_key": page_key(client, "/seller/points")}
    for _tap in range(2):
        client.post("/seller/points", data=parcel)
    assert stock.level(stock.warehouse_of(seller).id, honey.id).on_hand == 6
    assert transfers.in_transit(there.location_id) == {tea.id: 4, honey.id: 4}
    assert db.session.scalar(select(func.count(StockTransfer.id))) == 3 and problems() == []


def world() -> dict:
    """Everything a refused action must leave as it was: stock, ledger, status log and the documents
    (read from the database, leaving the session's objects as they were read)."""

    def rows(*columns):
        return [tuple(row) for row in db.session.execute(select(*columns).order_by(*columns[:2]))]

    return {"levels": rows(StockLevel.location_id, StockLevel.product_id, StockLevel.on_hand, StockLevel.reserved),
            "ledger": db.session.scalar(select(func.count(StockMovement.id))),
            "log": db.session.scalar(select(func.count(StatusChange.id))),
            "sales": rows(CounterSale.id, CounterSale.status, CounterSale.voided_by_id, CounterSale.void_reason),
            "sold": rows(CounterSaleLine.id, CounterSaleLine.returned_quantity),
            "returns": db.session.scalar(select(func.count(CounterReturn.id))),
            "counts": rows(StockCount.id, StockCount.status, StockCount.submitted_by_id, StockCount.decided_by_id),
            "counted": rows(StockCountLine.id, StockCountLine.counted, StockCountLine.expected),
            "transfers": rows(StockTransfer.id, StockTransfer.status, StockTransfer.received_by_id),
            "arrived": rows(StockTransferLine.id, StockTransferLine.quantity_received)}


def test_a_decision_is_never_taken_from_a_stale_read(app, office, point, goods):
    """The page was read, someone else acted, then the form arrives: refused, and nothing changes."""
    _seller, tea, honey = goods
    manager = staff(point, "quanly@ocop.vn", role="manager")
    there = new_point(office, code="TN-02")
    stock.receive(point.location_id, tea.id, 20)
    db.session.commit()

    def sale():
        return run(services.complete_sale, point, manager, {tea.id: 1, honey.id: 1}, "card")

    def count():  # one box of tea short: a variance of -1
        seen = {pid: level.on_hand - (pid == tea.id) for pid, level in stock.levels_of(point.location_id).items()}
        return _submitted_count(point, manager, seen)

    def transfer():
        return run(transfers.send, point.location_id, there, manager, {tea.id: 1})

    def void(document, actor):
        services.void_sale(document, actor, "Nhầm")

    def give_back(document, actor):
        services.return_goods(document, actor, {document.lines[0].id: 1}, "Đổi ý")

    scenarios = [(sale, void, void), (sale, give_back, void), (sale, void, give_back),
                 (count, lambda document, actor: counts.cancel(document, actor), counts.approve),
                 (count, counts.approve, counts.approve),
                 (transfer, lambda document, actor: transfers.receive(document, actor, {}),
                  lambda document, actor: transfers.receive(document, actor, {}))]
    for make, elsewhere, then in scenarios:
        document = make()
        read = (document.status, list(document.lines), list(getattr(document, "returns", [])))  # the page
        with app.app_context():  # another request, with its own session, acts first
            run(elsewhere, db.session.get(type(document), document.id), db.session.get(User, manager.id))
        assert document.status == read[0]  # still as read here
        before = world()
        with pytest.raises(services.PointError):
            run(then, document, manager)
        assert world() == before, (make.__name__, then)
    assert problems() == []


# Each machine's whole table: what it allows, and every other (state, action) refused through its service.

TABLES = [
    (services.SALE, {"void": (["completed"], "voided"), "return": (["completed"], "completed")}),
    (COUNT, {"record": (["counting"], "counting"), "submit": (["counting"], "submitted"),
             "approve": (["submitted"], "approved"), "cancel": (["counting", "submitted"], "cancelled")}),
    (TRANSFER, {"receive": (["sent"], "received")}),
]


def test_each_machine_refuses_every_pair_its_table_does_not_allow(office, point, goods):
    _seller, tea, _honey = goods
    manager = staff(point, "quanly@ocop.vn", role="manager")
    there = new_point(office, code="TN-02")
    stock.receive(point.location_id, tea.id, 20)
    db.session.commit()
    for machine, table in TABLES:
        assert {action: (sorted(states), to) for action, (states, to) in machine.actions.items()} == table
        assert set(machine.states) == {state for states, to in table.values() for state in [*states, to]}

    def sale_in(state):
        sale = run(services.complete_sale, point, manager, {tea.id: 1}, "card")
        if state == "voided":
            run(services.void_sale, sale, manager, "Nhầm")
        return sale

    def count_in(state):
        count = run(counts.start, point, manager)
        if state == "cancelled":
            run(counts.cancel, count, manager)
        elif state != "counting":
            on_hand = {pid: level.on_hand for pid, level in stock.levels_of(point.location_id).items()}
            run(counts.record, count, {line.id: on_hand[line.product_id] for line in count.lines}, manager)
            run(counts.submit, count, manager)
            if state == "approved":
                run(counts.approve, count, manager)
        return count

    def transfer_in(state):
        transfer = run(transfers.send, point.location_id, there, manager, {tea.id: 1})
        if state == "received":
            run(transfers.receive, transfer, manager, {})
        return transfer

    made = {"counter_sale": sale_in, "stock_count": count_in, "stock_transfer": transfer_in}
    attempts = {
        "void": lambda sale: services.void_sale(sale, manager, "Lần nữa"),
        "return": lambda sale: services.return_goods(sale, manager, {sale.lines[0].id: 1}, "Đổi ý"),
        "record": lambda count: counts.record(count, {line.id: 9 for line in count.lines}, manager),
        "submit": lambda count: counts.submit(count, manager),
        "approve": lambda count: counts.approve(count, manager),
        "cancel": lambda count: counts.cancel(count, manager),
        "receive": lambda transfer: transfers.receive(transfer, manager, {}),
    }
    tried = []
    for machine, _table in TABLES:
        for state, action in machine.refused_pairs():
            document = made[machine.name](state)
            assert machine.state_of(document) == state
            before = world()
            with pytest.raises(services.PointError):
                run(attempts[action], document)
            assert world() == before, (machine.name, state, action)
            if machine is COUNT and state in counts.OPEN:
                run(counts.cancel, document, manager)  # one open count per point: close it for the next
            tried.append((machine.name, state, action))
    assert len(tried) == 14 and problems() == []


def test_a_till_holds_only_real_lines_whatever_is_sent_or_kept(client, point, goods):
    """An id no row can have, a negative or odd quantity, sent by the line form or found in an edited session:
    the till still opens, keeps only real lines, and a sale never sells less than one unit."""
    _seller, tea, _honey = goods
    staff(point, "ban@ocop.vn")
    sign_in(client, "ban@ocop.vn")
    till = f"/counter/{point.id}/sell"
    for odd in ("100000000000000000000", "-1", "0"):
        client.post(f"{till}/line", data={"product_id": odd, "quantity": "2"})
        assert client.get(till).status_code == 200
    with client.session_transaction() as session:
        session[f"till-{point.id}"] = {str(tea.id): 2, "x": 1, "99999999999": 1, str(tea.id + 1): "3",
                                      str(tea.id + 2): -2, str(tea.id + 3): 10 ** 30}
    page = client.get(till)
    assert page.status_code == 200 and tea.name in page.get_data(as_text=True)
    client.post(f"{till}/pay", data={"payment": "card"})
    sale = db.session.scalar(select(CounterSale))
    assert [(line.product_id, line.quantity) for line in sale.lines] == [(tea.id, 2)]
    with pytest.raises(services.PointError):  # straight to the service: a line of -1 is no sale
        run(services.complete_sale, point, point.staff[0].user, {tea.id: -1}, "card")


def test_the_receipt_prints_composed_letters_whatever_the_names_were_saved_as(client, make, point):
    """A thermal printer's font sets a combining mark beside its letter: "mẫu" printed "mâũ". A name saved in
    decomposed form (a file made on a Mac) still prints composed."""
    import unicodedata
    decomposed = unicodedata.normalize("NFD", "Trà Shan Tuyết mẫu")
    seller = make.seller(legal_name=unicodedata.normalize("NFD", "HTX Chè Suối Giàng"))
    tea = make.listed(seller=seller, name=decomposed, price_vnd=120000)
    clerk = staff(point, "quay@ocop.vn")
    run(services.receive_goods, point, clerk, seller.id, [services.ReceiptLine(tea.id, 2)])
    sale = run(services.complete_sale, point, clerk, {tea.id: 1}, "cash", cash_given_vnd=120000)
    sign_in(client, "quay@ocop.vn")
    receipt = client.get(f"/counter/{point.id}/sales/{sale.id}/print").get_data(as_text=True)
    assert unicodedata.is_normalized("NFC", receipt) and "Trà Shan Tuyết mẫu" in receipt


def test_a_name_typed_in_decomposed_letters_is_saved_composed(client, make):
    import unicodedata

    from marketplace.accounts.services import find_user
    name = unicodedata.normalize("NFD", "Nguyễn Thị Mẫu")
    client.post("/account/sign-up", data={"name": name, "email": "mau@example.vn", "password": "ba con meo tren mai nha",
                                          "password_again": "ba con meo tren mai nha"})
    assert find_user("mau@example.vn").name == "Nguyễn Thị Mẫu"
