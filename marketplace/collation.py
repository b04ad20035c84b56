"""Names in Vietnamese alphabetical order, as a reader of a Vietnamese dictionary expects: "Bạch trà" before
"Bình hút lộc", "Dê" before "Đá", "Ô long" after "Nước mắm" — not by code point, where every accented letter
comes after "z".

The alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (ă, â, đ, ê, ô, ơ, ư are letters
of their own); tones come second (none, huyền, hỏi, ngã, sắc, nặng: a à ả ã á ạ) and case last — the order
of ICU's Vietnamese collation. On PostgreSQL, SQL sorts with that collation (`vi-x-icu`); SQLite gets a
collation of the same name backed by `vi_sort_key`, so one `by_name(column)` works on both; Python lists
sort with `vi_sort_key`. SQLite's lower() is also made to lower Vietnamese capitals (Đ, Ấ), as PostgreSQL's
does."""
from __future__ import annotations

import sqlite3
import unicodedata

from sqlalchemy import String, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

VI_COLLATION = "vi-x-icu"
_LETTERS = {letter: rank for rank, letter in enumerate("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve (ă), circumflex (â ê ô), horn (ơ ư)
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng


def vi_sort_key(text: str | None) -> tuple:
    """A key that sorts strings as ICU's Vietnamese collation does: letters, then tones, then case.
    Spaces and punctuation sort before digits, digits before letters, other scripts after."""
    primary: list[tuple[int, int]] = []
    tones: list[int] = []
    cases: list[int] = []
    base = ""
    for char in unicodedata.normalize("NFD", text or ""):
        if unicodedata.combining(char):
            if char in _TONES and tones:
                tones[-1] = _TONES[char]
            elif char in _LETTER_MARKS and base:
                letter = unicodedata.normalize("NFC", base + char).lower()
                if letter in _LETTERS:
                    primary[-1] = (3, _LETTERS[letter])
            continue
        base, lower = char, char.lower()
        if lower in _LETTERS:
            primary.append((3, _LETTERS[lower]))
        elif char.isdigit():
            primary.append((2, ord(char)))
        elif char.isspace():
            primary.append((0, 0))
        elif char.isalpha():
            primary.append((4, ord(lower)))
        else:
            primary.append((1, ord(char)))
        tones.append(0)
        cases.append(0 if char == lower else 1)
    return tuple(primary), tuple(tones), tuple(cases)


def by_name(column):
    """`column` in Vietnamese alphabetical order, for ORDER BY."""
    return column.collate(VI_COLLATION)


def _compare(a: str, b: str) -> int:
    key_a, key_b = vi_sort_key(a), vi_sort_key(b)
    return (key_a > key_b) - (key_a < key_b)


# Every Vietnamese letter with a mark, lower and upper case, and what it folds to (đ → d).
_MARKED = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
_PLAIN = "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"
_MARKED_ALL, _PLAIN_ALL = _MARKED + _MARKED.upper(), _PLAIN + _PLAIN.upper()
_FOLD_TABLE = str.maketrans(_MARKED_ALL, _PLAIN_ALL)


def fold_text(text: str | None) -> str | None:
    """Lower case without Vietnamese marks: 'Thịt trâu gác bếp' → 'thit trau gac bep' (as SQL's `folded`)."""
    return unicodedata.normalize("NFC", text).translate(_FOLD_TABLE).lower() if isinstance(text, str) else text


class folded(FunctionElement):
    """SQL: a text column lower-cased without Vietnamese marks, so "thit trau" finds "Thịt trâu" —
    PostgreSQL's translate() with the letters above, SQLite's function of the same fold."""
    type = String()
    inherit_cache = True


@compiles(folded, "postgresql")
def _folded_postgresql(element, compiler, **kw):
    return (f"lower(translate({compiler.process(element.clauses, **kw)}, "
            f"'{_MARKED_ALL}', '{_PLAIN_ALL}'))")


@compiles(folded)
def _folded_sqlite(element, compiler, **kw):
    return f"vi_fold({compiler.process(element.clauses, **kw)})"


def _lower(text):
    return text.lower() if isinstance(text, str) else text


@event.listens_for(Engine, "connect")
def _sqlite_collation(dbapi_connection, _record) -> None:
    """SQLite learns the Vietnamese order, and a lower() that lowers every letter (its own lowers only A–Z,
    so "QĐ" would never match "qđ"); no index is built on lower(), so none is changed by it."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_collation(VI_COLLATION, _compare)
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
        dbapi_connection.create_function("vi_fold", 1, fold_text, deterministic=True)
