"""The office as an officer uses it every day: words instead of codes, a readable history, a product list
that can be searched and paged, dates typed as Vietnamese write them, no developer command on screen, a
dashboard whose sales-point panel counts the points, and reports without thirty rows of 0 ₫."""
import datetime as dt
import re

from marketplace import ocop
from marketplace.salespoints.reports import SalesReport, Tally

from .helpers import evaluation, new_point, office_signs_in, officer


def test_statuses_and_the_history_read_as_words(client, make):
    seller = make.seller(verification_status="pending", legal_name="HTX Mới")
    office_signs_in(client)
    queue = client.get("/office/").get_data(as_text=True)
    assert "Chờ xác minh" in queue and ">pending<" not in queue
    client.post(f"/office/sellers/{seller.id}/decision", data={"action": "approve"})
    client.post(f"/office/sellers/{seller.id}/decision", data={"action": "suspend", "reason": "Giấy phép hết hạn"})
    page = client.get(f"/office/sellers/{seller.id}").get_data(as_text=True)
    history = page[page.index('class="history"'):]
    assert "seller.approve" not in history and "pending" not in history and "verified" not in history
    assert "Đã duyệt" in history and "Chờ xác minh → Đã xác minh" in history
    assert "Đã xác minh → Tạm ngừng" in history and "lý do: Giấy phép hết hạn" in history


def test_the_product_list_is_searched_and_paged(client, make):
    tea = make.seller(legal_name="HTX Chè Tân Cương")
    for n in range(55):
        make.listed(seller=tea, name=f"Trà búp {n:02d}")
    honey = make.listed(seller=make.seller(legal_name="HTX Ong Mật Ba Vì"), name="Mật ong hoa nhãn")
    office_signs_in(client)
    first = client.get("/office/products").get_data(as_text=True)
    assert "56 sản phẩm" in first and "Trang 1 / 2" in first
    assert "Mật ong hoa nhãn" in first and first.count("Trà búp") == 49  # "Mật" sorts before "Trà"
    second = client.get("/office/products?page=2").get_data(as_text=True)
    assert second.count("Trà búp") == 6 and "Trà búp 54" in second and "Mật ong hoa nhãn" not in second
    found = client.get("/office/products?q=ong+ba+vi").get_data(as_text=True)  # a producer's words, no accents
    assert "1 sản phẩm" in found and "Mật ong hoa nhãn" in found
    by_decision = client.get(f"/office/products?q={honey.records[0].decision_no}").get_data(as_text=True)
    assert "Mật ong hoa nhãn" in by_decision and "Trà búp" not in by_decision
    assert "Mật ong hoa nhãn" in client.get("/office/products?q=MAT+ONG+HOA+NHAN").get_data(as_text=True)
    for wildcard in ("%", "_", "\\"):  # typed characters, not LIKE's wildcards
        assert "0 sản phẩm" in client.get("/office/products", query_string={"q": wildcard}).get_data(as_text=True)


def test_dates_are_typed_day_first_whatever_the_browser(client, make):
    product = make.product(name="Miến dong")
    office_signs_in(client)
    form = client.get(f"/office/products/{product.id}").get_data(as_text=True)
    field = re.search(r'<input[^>]*id="decision_date"[^>]*>', form).group(0)
    assert 'type="text"' in field and 'placeholder="dd/mm/yyyy"' in field
    day = ocop.today() - dt.timedelta(days=3)
    answer = client.post(f"/office/products/{product.id}", data=evaluation(decision_date=f"{day:%d/%m/%Y}"))
    assert answer.status_code in (200, 303) and product.records and product.records[0].decision_date == day
    refused = client.post(f"/office/products/{product.id}", data=evaluation(decision_no="2/QĐ", decision_date="12/31/2025"))
    assert refused.status_code == 422 and len(product.records) == 1  # month 31: refused, not guessed


def test_the_import_page_speaks_to_an_officer(client):
    office_signs_in(client)
    page = client.get("/office/import").get_data(as_text=True)
    assert "flask" not in page and "<code>decision_no</code>" in page


def test_the_dashboard_counts_the_points_it_shows(client):
    office = officer()
    new_point(office, code="TN-01")
    new_point(office, code="TN-02")
    office_signs_in(client)
    page = client.get("/office/dashboard").get_data(as_text=True)
    panel = page[page.index('id="points-panel"'):]
    assert "2 điểm đang mở" in panel and "module" not in page


def test_a_report_folds_the_days_without_a_sale():
    today = ocop.today()
    days = {today - dt.timedelta(days=n): Tally() for n in range(30)}
    days[today].add(1, 2, 240000)
    days[today - dt.timedelta(days=10)].add(2, 1, 90000)
    runs = SalesReport(today - dt.timedelta(days=29), today, days, {}, {}, {}, {}).day_runs
    assert [(first, last, tally is not None) for first, last, tally in runs] == [
        (today - dt.timedelta(days=29), today - dt.timedelta(days=11), False),
        (today - dt.timedelta(days=10), today - dt.timedelta(days=10), True),
        (today - dt.timedelta(days=9), today - dt.timedelta(days=1), False),
        (today, today, True)]


def test_an_impossible_date_is_called_that(client, make):
    product = make.product(name="Miến dong")
    office_signs_in(client)
    answer = client.post(f"/office/products/{product.id}", data=evaluation(decision_date="31/02/2026"))
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "Ngày không hợp lệ" in page and "Trường này là bắt buộc" not in page


def test_each_decision_says_where_it_stands(client, make, today):
    product = make.product(name="Thịt trâu gác bếp")
    make.record(product, stars=4, decision_date=today - dt.timedelta(days=4 * 365),
                valid_until=today - dt.timedelta(days=30))
    from marketplace.extensions import db
    db.session.commit()
    office_signs_in(client)
    listing = client.get("/office/products").get_data(as_text=True)
    assert "Thịt trâu gác bếp" in listing and "đã hết hiệu lực" in listing
    page = client.get(f"/office/products/{product.id}").get_data(as_text=True)
    assert "đã hết hiệu lực" in page and "Thu hồi…" not in page  # nothing left to revoke


def test_a_decision_that_ran_out_before_the_next_one_is_expired_not_replaced(make, today):
    product = make.product(name="Miến")
    old = make.record(product, stars=4, decision_date=today - dt.timedelta(days=4 * 365),
                      valid_until=today - dt.timedelta(days=200))
    make.record(product, stars=4, decision_date=today - dt.timedelta(days=100))
    from marketplace.extensions import db
    db.session.commit()  # the records' chain is set at flush
    db.session.refresh(old)
    assert old.superseded_on is not None and old.state_on(today) == "expired"
