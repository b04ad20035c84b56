"""Tables as downloads: CSV (UTF-8 with a BOM so Excel reads the diacritics) or XLSX (openpyxl).

Text typed by people (a product's name, a reason) can start like a formula (`=HYPERLINK(…)`): a spreadsheet
would run it when the officer opens the file. In CSV such a cell gets a leading apostrophe (the usual
neutraliser; Excel hides it); in XLSX every text is written as a text cell, never a formula."""
from __future__ import annotations

import csv
import io

from flask import Response

FORMATS = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_response(rows: list[list], name: str, fmt: str = "csv") -> Response:
    """`rows` (the first is the header) as `name`.csv or `name`.xlsx."""
    if fmt == "xlsx":
        from openpyxl import Workbook  # here, not at the top: a worker making pages never needs it
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        book = Workbook(write_only=True)  # streams rows: a few thousand lines in a fraction of the time
        sheet = book.create_sheet()
        sheet.freeze_panes = "A2"
        header = []
        for value in rows[0]:
            cell = WriteOnlyCell(sheet, value=value)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in rows[1:]:
            sheet.append([_text_cell(sheet, value) if isinstance(value, str) else value for value in row])
        out = io.BytesIO()
        book.save(out)
        return Response(out.getvalue(), mimetype=XLSX,
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    out = io.StringIO()
    csv.writer(out).writerows([[_inert(value) for value in row] for row in rows])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def _inert(value):
    """A CSV cell a spreadsheet shows as typed, never evaluates."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def _text_cell(sheet, value: str):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl makes a formula of any text that starts with "="
    return cell
