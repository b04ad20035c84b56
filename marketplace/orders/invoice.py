"""A sales receipt for one producer's part of an online order, as a PDF (fpdf2, with DejaVu Sans from
static/fonts: every Vietnamese letter, on any machine), in the reader's language.

It is what a shop hands over with the goods: the seller (legal name, tax code, address), the buyer (and the
company asking for a VAT invoice, with its tax code), each line with its VAT rate as the seller stated it,
the delivery fee and the total. It is not the legal VAT e-invoice, which the producer issues through its
e-invoice provider (Decree 123/2020/NĐ-CP); the document says so."""
from __future__ import annotations

import os

from flask import current_app
from flask_babel import gettext as _

from .. import ocop
from ..i18n import datetime, localized, vnd
from .models import Order, OrderPart

FONT = "DejaVu"


def _font_path(name: str) -> str:
    return os.path.join(current_app.static_folder, "fonts", name)


def _address(order: Order) -> str:
    ward = ocop.ward(order.ward_code)
    return ", ".join(part for part in (order.street, ward.name if ward else "", ocop.province_name(order.province_code))
                     if part)


def sales_receipt(order: Order, part: OrderPart) -> bytes:
    from fpdf import FPDF  # here, not at the top: 28 MB that a web worker making pages never needs
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.set_title(_("Sales receipt %(number)s", number=f"{order.number}-{part.id}"))
    pdf.set_author(part.seller.legal_name)
    pdf.add_font(FONT, "", _font_path("DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", _font_path("DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    seller = part.seller

    pdf.set_font(FONT, "B", 15)
    pdf.cell(0, 9, _("SALES RECEIPT"), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font(FONT, "", 9)
    pdf.cell(0, 5, _("Order %(number)s · placed %(time)s", number=order.number, time=datetime(order.created_at)),
             new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(4)

    def block(title: str, lines: list[str]) -> None:
        pdf.set_font(FONT, "B", 10)
        pdf.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 9.5)
        for line in lines:
            if line:
                pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)

    block(_("Seller"), [seller.legal_name, _("Tax code: %(code)s", code=seller.registration_no), seller.address,
                        seller.phone or ""])
    buyer = [order.contact_name, f"{order.contact_phone} · {order.contact_email}", _address(order)]
    if order.invoice_tax_code:
        buyer += [_("VAT invoice to: %(company)s, tax code %(code)s, %(address)s", company=order.invoice_company,
                    code=order.invoice_tax_code, address=order.invoice_address)]
    block(_("Buyer"), buyer)

    pdf.set_font(FONT, "", 9)
    heading = FontFace(emphasis="BOLD", fill_color=(232, 242, 232))
    with pdf.table(col_widths=(8, 62, 22, 12, 26, 14, 30), text_align=("RIGHT", "LEFT", "LEFT", "RIGHT", "RIGHT",
                                                                         "RIGHT", "RIGHT"),
                   headings_style=heading, line_height=5.5) as table:
        table.row(["#", _("Product"), _("Unit"), _("Qty"), _("Unit price"), _("VAT rate"), _("Amount")])
        for n, line in enumerate(part.lines, start=1):
            table.row([str(n), localized(line.name, line.name_en), line.unit, str(line.quantity),
                       vnd(line.unit_price_vnd), "—" if line.vat_rate is None else f"{line.vat_rate}%",
                       vnd(line.subtotal_vnd)])
    pdf.ln(2)
    pdf.set_font(FONT, "", 10)
    for label, amount in ((_("Goods"), part.goods_vnd), (_("Delivery"), part.delivery_vnd)):
        pdf.cell(150, 6, label, align="R")
        pdf.cell(0, 6, vnd(amount), new_x="LMARGIN", new_y="NEXT", align="R")
    pdf.set_font(FONT, "B", 11)
    pdf.cell(150, 7, _("Total"), align="R")
    pdf.cell(0, 7, vnd(part.goods_vnd + part.delivery_vnd), new_x="LMARGIN", new_y="NEXT", align="R")
    pdf.set_font(FONT, "", 9)
    pdf.cell(0, 5, _("Payment: %(method)s", method=order.payment_label), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "", 8)
    pdf.multi_cell(0, 4, _("Prices include VAT at the rate shown (— : the seller charges no VAT or did not state it). "
                           "This receipt is not a VAT invoice: the seller issues its e-invoice on request, in the "
                           "buyer's or the company's name."), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
