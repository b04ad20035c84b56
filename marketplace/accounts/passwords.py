"""What a password must not be: short, one of the most used, built from the person's own name or email,
or easy to guess (repeats, sequences, keyboard rows, dates). zxcvbn estimates the guesses an attacker
needs; the reason is ours, in the visitor's language."""
from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

MIN_LENGTH = 10
STRONG_ENOUGH = 3  # zxcvbn's score: about 10^8 guesses or more
# Words Vietnamese passwords are made of that zxcvbn's English lists do not know.
LOCAL_WORDS = ("matkhau", "mat khau", "anhyeuem", "emyeuanh", "yeuem", "vietnam", "saigon", "hanoi", "ocop",
               "chocop", "xinchao", "123456a", "abc123")

MESSAGES = {
    "common": _l("This password is one of the most used ones: choose another."),
    "personal": _l("The password must not contain your name or email."),
    "guessable": _l("This password is too easy to guess (repeats, sequences, keyboard rows or dates). "
                    "A few unrelated words make a strong one."),
}


def _letters(text: str) -> str:
    """Lower case, without accents, spaces or punctuation: "Trần Văn Minh" -> "tranvanminh"."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return re.sub(r"[\W_]+", "", "".join(c for c in plain if not unicodedata.combining(c))).lower()


def _made_of_personal(password: str, personal: tuple[str, ...]) -> bool:
    """True when what is left of the password, once every part of the person's name, email, business name or
    tax code is taken out (written with or without accents, spaces or capitals), is weak on its own:
    "TranVanMinh1990" and "minhtran1990" for Trần Văn Minh, the legal name followed by the tax code."""
    parts = {_letters(part) for text in personal if text for part in re.split(r"[\s@._+-]+", text)}
    parts |= {_letters(text.split("@")[0]) for text in personal if text}
    parts = sorted((part for part in parts if len(part) >= 3), key=len, reverse=True)
    rest = whole = _letters(password)
    for part in parts:
        rest = rest.replace(part, "")
    return rest != whole and (len(rest) < MIN_LENGTH or _estimate(rest)["score"] < STRONG_ENOUGH)


def _estimate(password: str, user_inputs: list[str] | None = None) -> dict:
    from zxcvbn import zxcvbn  # here, not at the top: its word lists are 12 MB a worker making pages never needs
    return zxcvbn(password[:72], user_inputs=user_inputs or [])  # zxcvbn refuses more than 72 characters


def problem(password: str, *personal: str) -> str | None:
    """Why `password` is refused (a key of MESSAGES), or None. `personal`: the name, email and the like."""
    if _made_of_personal(password, personal):
        return "personal"
    mine = [part for text in personal if text for part in (text, *text.replace("@", " ").replace(".", " ").split())]
    result = _estimate(password, [*mine, *LOCAL_WORDS])
    if result["score"] >= STRONG_ENOUGH:
        return None
    words = {match.get("matched_word") for match in result["sequence"] if match.get("dictionary_name") == "user_inputs"}
    if words & {part.lower() for part in mine}:
        return "personal"
    dictionaries = {match.get("dictionary_name") for match in result["sequence"]}
    return "common" if dictionaries & {"passwords", "user_inputs"} else "guessable"  # user_inputs: LOCAL_WORDS


class StrongPassword:
    """A WTForms validator: the password field, checked against the form's own name and email fields."""

    def __init__(self, *personal_fields: str):
        self.personal_fields = personal_fields

    def __call__(self, form, field):
        personal = [getattr(form, name).data or "" for name in self.personal_fields if hasattr(form, name)]
        found = problem(field.data or "", *personal)
        if found:
            raise ValidationError(MESSAGES[found])
