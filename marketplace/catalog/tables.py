"""An uploaded table, CSV (UTF-8, with or without BOM) or XLSX (its first sheet), read into numbered rows of
text: the header row names the columns, empty rows are skipped, dates (with their time of day, when a cell
has one) and whole numbers read as people typed them. A file that cannot be read at all is an ImportFileError,
said in the user's language. An XLSX is read only as far as the columns and rows asked for, whatever size its
sheet declares."""
from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import unicodedata
from collections.abc import Callable
from pathlib import Path

from flask_babel import gettext as _


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, encoding, headers)."""


def read_table(path: str | Path, required: tuple[str, ...], max_columns: int, max_rows: int, exact: bool = False
               ) -> list[tuple[int, dict]]:
    """(line number, {column: text}) for each non-empty row of a CSV (UTF-8) or XLSX (first sheet) whose
    header row names every `required` column (in any case, in any order); `exact`: those columns only, each
    once (a misspelt or extra column is refused, not ignored)."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        table = _read_xlsx(path, max_columns, max_rows)
    elif path.suffix.lower() == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError(_("the CSV file is not UTF-8 text")) from error
        reader = csv.reader(io.StringIO(text))
        try:
            table = list(itertools.islice(reader, max_rows + 2))  # the header, the rows, and one too many
        except csv.Error as error:  # a field beyond the csv module's limit (131,072 characters), a stray quote
            raise ImportFileError(_("line %(line)d cannot be read: %(why)s", line=reader.line_num,
                                    why=str(error))) from error
    else:
        raise ImportFileError(_("only .csv and .xlsx files can be imported"))
    if not table:
        raise ImportFileError(_("the file is empty"))
    if len(table) > max_rows + 1:
        raise ImportFileError(_("at most %(n)d rows per file", n=max_rows))
    headers = [str(h or "").strip().lower() for h in table[0]]
    missing = [c for c in required if c not in headers]
    if missing:
        raise ImportFileError(_("missing columns: %(columns)s", columns=", ".join(missing)))
    if exact:
        unknown = [h for h in headers if h and h not in required]
        if unknown:
            raise ImportFileError(_("unknown columns: %(columns)s (the columns are %(expected)s)",
                                    columns=", ".join(unknown), expected=",".join(required)))
        twice = [c for c in required if headers.count(c) > 1]
        if twice:
            raise ImportFileError(_("columns named twice: %(columns)s", columns=", ".join(twice)))
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        values = {h: _cell_text(v) for h, v in zip(headers, cells) if h}
        if any(values.values()):
            rows.append((line, values))
    return rows


def nul_reasons(values: dict) -> list[str]:
    """One reason per cell of a row holding a NUL character (refused: it breaks emails, CSVs and PostgreSQL)."""
    return [_("%(column)s contains a character that is not allowed (NUL)", column=column)
            for column, text in values.items() if "\x00" in text]


def cell_reader(values: dict, required, reasons: list[str]) -> Callable:
    """`read(column, convert=None)` for one row's `values`: its text stripped, or `convert(text)`; None when
    empty (a `required` column then adds "… is missing" to `reasons`) or when `convert` raises ValueError
    (its message added to `reasons`)."""
    def read(column: str, convert: Callable | None = None):
        text = values.get(column, "").strip()
        if not text:
            if column in required:
                reasons.append(_("%(column)s is missing", column=column))
            return None
        if convert is None:
            return text
        try:
            return convert(text)
        except ValueError as error:
            reasons.append(str(error))
            return None
    return read


def _read_xlsx(path: Path, max_columns: int, max_rows: int) -> list[list]:
    from openpyxl import load_workbook  # here, not at the top: a worker making pages never needs it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(_("the XLSX file cannot be opened")) from error
    try:  # a sheet may declare any size (A1:XFD1048576 in a 2 KB file): read only the columns and rows we take
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True, max_col=max_columns, max_row=max_rows + 2)]
    finally:
        workbook.close()
    return rows


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):  # a date cell is a datetime at midnight; a typed time is kept
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M" if not value.second else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()  # a file saved on a Mac may hold "ẫ" as a + ̂ + ̃
