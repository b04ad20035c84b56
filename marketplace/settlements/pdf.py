"""A producer's statement as a PDF (fpdf2, DejaVu Sans from static/fonts, as the orders' sales receipts):
what the cooperative files with its books and what the office signs off."""
from __future__ import annotations

import os

from flask import current_app
from flask_babel import gettext as _

from ..i18n import date, datetime, vnd
from .models import ENTRY_KINDS, Statement
from .statements import Row, collected_by_producer

FONT = "DejaVu"


def statement_pdf(statement: Statement, rows: list[Row]) -> bytes:
    from fpdf import FPDF  # here, not at the top: a worker making pages never needs it
    from fpdf.fonts import FontFace

    fonts = os.path.join(current_app.static_folder, "fonts")
    pdf = FPDF(format="A4")
    pdf.set_title(_("Statement %(number)s", number=statement.number))
    pdf.set_author("OCOP")
    pdf.add_font(FONT, "", os.path.join(fonts, "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", os.path.join(fonts, "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    seller = statement.seller

    pdf.set_font(FONT, "B", 15)
    pdf.cell(0, 9, _("Statement %(number)s", number=statement.number), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font(FONT, "", 9.5)
    period = (_("%(start)s to %(end)s", start=date(statement.period_start), end=date(statement.last_day))
              if statement.period_start else _("up to %(end)s", end=date(statement.last_day)))
    for line in (seller.legal_name, _("Tax code: %(code)s", code=seller.registration_no), seller.address,
                 _("Period: %(period)s · closed %(time)s", period=period, time=datetime(statement.closed_at))):
        if line:
            pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(4)

    pdf.set_font(FONT, "", 8.5)
    heading = FontFace(emphasis="BOLD", fill_color=(232, 242, 232))
    with pdf.table(col_widths=(30, 46, 30, 28, 28, 28), text_align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
                   headings_style=heading, line_height=5) as table:
        table.row([_("Date"), _("Event"), _("Order or sale"), _("Sales"), _("Commission or margin"), _("Owed to you")])
        table.row(["", _("Carried in"), "", "", "", vnd(statement.opening_vnd)])
        for row in rows:
            table.row([datetime(row.at), str(ENTRY_KINDS[row.kind]), row.reference or "",
                       "—" if collected_by_producer(row) else vnd(row.sales_vnd),
                       vnd(row.charges_vnd) if row.charges_vnd else "", vnd(row.net_vnd)])
    pdf.ln(2)
    pdf.set_font(FONT, "", 10)
    for label, amount in ((_("Carried in"), statement.opening_vnd), (_("This period"), statement.movement_vnd)):
        pdf.cell(150, 6, label, align="R")
        pdf.cell(0, 6, vnd(amount), new_x="LMARGIN", new_y="NEXT", align="R")
    pdf.set_font(FONT, "B", 11)
    pdf.cell(150, 7, _("Carried out"), align="R")
    pdf.cell(0, 7, vnd(statement.closing_vnd), new_x="LMARGIN", new_y="NEXT", align="R")
    pdf.ln(4)
    pdf.set_font(FONT, "", 8)
    pdf.multi_cell(0, 4, _("A positive balance is what the shop owes you and pays to your verified bank account; a "
                           "negative one (commission on goods whose price your own courier collected) is carried to "
                           "the next statement."), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
