"""A sales receipt per producer's part as a PDF, in the reader's language, for the buyer (the order's link)
and the seller (its own parts); a company's VAT invoice request checked at checkout; VAT rates as stated."""
import io

from pypdf import PdfReader
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.orders.models import Order

from .helpers import CONTACT, check_out, review, seller_signs_in, stocked

COMPANY = {"company_invoice": "y", "invoice_company": "Công ty TNHH Quà Việt", "invoice_tax_code": "0101245486",
           "invoice_address": "12 Tràng Tiền, Hoàn Kiếm, Hà Nội"}


def _text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.data)).pages)


def _place(client, product, data=CONTACT):
    client.post("/cart/add", data={"product_id": product.id, "quantity": 2})
    assert check_out(client, data).status_code == 303
    return db.session.scalar(select(Order).order_by(Order.id.desc()))


def test_the_buyer_and_the_seller_get_the_receipt_with_the_company_invoice_request(client, make):
    seller = make.seller(legal_name="HTX Chè Tân Cương Hoàng Bình")
    tea = stocked(make, seller, "Trà Tân Cương đặc biệt", 120000, 10, vat_rate=5)
    order = _place(client, tea, CONTACT | COMPANY)
    part = order.parts[0]
    assert (order.invoice_tax_code, part.lines[0].vat_rate) == ("0101245486", 5)
    text = _text(client.get(f"/orders/{order.number}/parts/{part.id}/receipt.pdf?token={order.access_token}"))
    for expected in ("PHIẾU BÁN HÀNG", "HTX Chè Tân Cương Hoàng Bình", seller.registration_no, "Trà Tân Cương đặc biệt",
                     "5%", "Công ty TNHH Quà Việt", "0101245486", "Nguyễn Văn An", "không phải hóa đơn GTGT"):
        assert expected in text, expected
    english = _text(client.get(f"/orders/{order.number}/parts/{part.id}/receipt.pdf?token={order.access_token}&lang=en"))
    assert "SALES RECEIPT" in english and "not a VAT invoice" in english
    assert client.get(f"/orders/{order.number}/parts/{part.id}/receipt.pdf?token=wrong").status_code == 404
    assert client.get(f"/orders/{order.number}/parts/{part.id + 999}/receipt.pdf?token={order.access_token}").status_code == 404

    seller_signs_in(client, seller)
    page = client.get("/seller/orders").get_data(as_text=True)
    assert "Công ty TNHH Quà Việt" in page and "0101245486" in page
    assert "Trà Tân Cương đặc biệt" in _text(client.get(f"/seller/orders/{part.id}/receipt.pdf"))
    seller_signs_in(client, make.seller(legal_name="HTX Khác"))
    assert client.get(f"/seller/orders/{part.id}/receipt.pdf").status_code == 404


def test_a_wrong_company_tax_code_places_nothing(client, make):
    tea = stocked(make, make.seller(), "Trà", 120000, 10)
    client.post("/cart/add", data={"product_id": tea.id, "quantity": 1})
    for bad in ({"invoice_tax_code": "0101245487"}, {"invoice_tax_code": "12345"}, {"invoice_company": ""},
                {"invoice_address": ""}):
        answer, _seen = review(client, CONTACT | COMPANY | bad)
        assert answer.status_code == 422, bad
    assert db.session.scalar(select(func.count(Order.id))) == 0


def test_a_seller_states_a_zero_vat_rate_as_zero(client, make):
    from marketplace.products.models import Product
    seller = make.seller()
    tea = make.listed(seller=seller, name="Gạo")
    seller_signs_in(client, seller)
    form = {"name": tea.name, "group_code": tea.group_code, "price_vnd": "40000", "unit": tea.unit, "status": "active",
            "gtin": tea.gtin or "", "vat_rate": "0"}
    assert client.post(f"/seller/products/{tea.id}", data=form).status_code == 303
    db.session.expire_all()
    assert db.session.get(Product, tea.id).vat_rate == 0
    client.post(f"/seller/products/{tea.id}", data=form | {"vat_rate": ""})
    db.session.expire_all()
    assert db.session.get(Product, tea.id).vat_rate is None
    client.post(f"/seller/products/{tea.id}", data=form | {"vat_rate": "7"})  # not a Vietnamese rate
    db.session.expire_all()
    assert db.session.get(Product, tea.id).vat_rate is None


def test_a_cancelled_part_has_no_receipt(client, make):
    from marketplace.orders import services as orders
    from marketplace.unit_of_work import run
    seller = make.seller()
    tea = stocked(make, seller, "Trà", 120000, 10)
    order = _place(client, tea)
    run(orders.cancel_by_buyer, order)
    part = order.parts[0]
    assert client.get(f"/orders/{order.number}/parts/{part.id}/receipt.pdf?token={order.access_token}").status_code == 404
    assert "receipt.pdf" not in client.get(f"/orders/{order.number}?token={order.access_token}").get_data(as_text=True)
    seller_signs_in(client, seller)
    assert client.get(f"/seller/orders/{part.id}/receipt.pdf").status_code == 404


def test_a_tax_code_in_fullwidth_digits_is_the_same_code():
    import pytest as _pytest

    from marketplace import ocop
    assert ocop.normalize_registration_no("enterprise", "０１０１２４５４８６") == "0101245486"
    with _pytest.raises(ValueError):
        ocop.normalize_registration_no("enterprise", "٠١٠١٢٤٥٤٨٦")  # other scripts' digits: refused
