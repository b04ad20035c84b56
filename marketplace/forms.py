"""The base of every form: Flask-WTF (CSRF) with WTForms' own messages in the visitor's language.
WTForms ships no Vietnamese catalogue, so ours is in translations/vi/LC_MESSAGES/wtforms.po."""
from __future__ import annotations

import functools
import hashlib
import re
import secrets
import unicodedata
from decimal import Decimal

from babel.support import NullTranslations, Translations
from flask import current_app, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import TextInput

from . import ocop
from .i18n import current_language
from .security import MAX_ID, NUL_MESSAGE


@functools.lru_cache(maxsize=8)
def _wtforms_translations(directory: str, language: str):
    translations = Translations.load(directory, [language], domain="wtforms")
    return translations if isinstance(translations, Translations) else NullTranslations()


def finite_number(form, field):
    """For a DecimalField: "NaN", "sNaN" and "Infinity" are not scores (and would fail every comparison)."""
    if isinstance(field.data, Decimal) and not field.data.is_finite():
        raise StopValidation(field.gettext("Not a valid decimal value."))


ONE_LINE_FIELDS = {"StringField", "EmailField", "SearchField", "TelField"}
ONE_LINE_MESSAGE = _l("This field is one line: it cannot hold a line break or another control character.")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def optional_int(value):
    """A select's coerce: a whole number, or None for its empty choice ("" or the "None" it renders)."""
    return int(value) if value not in (None, "", "None") else None


class DayField(DateField):
    """A day typed as Vietnamese write it, dd/mm/yyyy, whatever the language of the browser (a native date
    input shows mm/dd/yyyy in an American one, on a Vietnamese page); yyyy-mm-dd is read too."""
    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"])
        render_kw = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off",
                     "maxlength": 10} | kwargs.pop("render_kw", {})
        super().__init__(label, validators, render_kw=render_kw, **kwargs)


class DongField(IntegerField):
    """An amount in whole đồng as people type it: 1.300.000, 1 300 000, 1,300,000 or 1300000 ₫ (thousands
    separators in groups of three, and the currency sign, are dropped; 1,5 or ５０ is not a number)."""
    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "numeric", "autocomplete": "off"} | kwargs.pop("render_kw", {})
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    GROUPED = re.compile(r"\d{1,3}(?:([.,\s])\d{3})?(?:\1\d{3})*")  # 1.300.000: one separator, groups of three

    def process_formdata(self, valuelist):
        if valuelist:
            text = re.sub(r"\s*(?:₫|đ|Đ|VND|vnd)$", "", (valuelist[0] or "").strip())
            if text.isascii() and self.GROUPED.fullmatch(text):
                text = re.sub(r"[.,\s]", "", text)
            valuelist = [text if text.isascii() and (text.isdigit() or not text) else "-"]  # "-": not a number
        super().process_formdata(valuelist)


def stripped(value):
    """A field filter: the spaces a phone's keyboard or a paste adds around a typed value go."""
    return value.strip() if isinstance(value, str) else value


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _wtforms_translations(current_app.config["BABEL_TRANSLATION_DIRECTORIES"], current_language())

    def validate(self, extra_validators=None) -> bool:
        """Texts in NFC; WTForms' checks; no NUL character in any text (a form fed from an API body; a
        browser's form with one is refused before the view, see `security`), and no line break or other
        control character in a one-line field (a name, a street, a code: it would break an email's subject
        or a CSV row)."""
        for field in self:  # one spelling of each letter: "ẫ" typed on some keyboards arrives as a + ̂ + ̃
            if isinstance(field.data, str) and not unicodedata.is_normalized("NFC", field.data):
                field.data = unicodedata.normalize("NFC", field.data)
        valid = super().validate(extra_validators)
        for field in self:
            texts = [value for value in (field.raw_data or ()) if isinstance(value, str)]
            if any("\x00" in text for text in texts):
                field.errors = [*field.errors, NUL_MESSAGE]
                valid = False
            elif field.type in ONE_LINE_FIELDS and any(_CONTROL.search(text) for text in texts):
                field.errors = [*field.errors, ONE_LINE_MESSAGE]
                valid = False
        return valid


def wards_url_template() -> str:
    """The API's list of wards as a URI template (RFC 6570 level 1): static/js/wards.js fills in {province}."""
    return url_for("api.wards", code=0).replace("/0/", "/{province}/")


class AddressChecks:
    """Checks shared by forms with a Vietnamese phone and a province + ward address (fields named
    phone, province, ward): normalises the phone and finds the ward's official code."""
    ward_code: int | None = None

    def setup_address(self) -> None:
        """The province choices, and the ward picker's address (static/js/wards.js)."""
        self.province.choices = [SelectChoice(int(p.code), p.name) for p in ocop.PROVINCES]
        self.ward.render_kw = (self.ward.render_kw or {}) | {"data-wards-of": "province", "autocomplete": "off",
                                                             "data-wards-url": wards_url_template()}

    def validate_phone(self, field):
        try:
            field.data = ocop.normalize_phone(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def validate_ward(self, field):
        if self.province.data:
            try:
                self.ward_code = int(ocop.find_ward(self.province.data, field.data).code)
            except ValueError as error:
                raise ValidationError(str(error)) from error


def whole_number(raw, most: int = MAX_ID) -> int | None:
    """A whole number typed into a form or a query (an id, a quantity), or None. Only ASCII digits ("²" and
    other Unicode digits pass str.isdigit but not int) and never beyond `most` (PostgreSQL's integer by
    default: a larger number names no row and would fail on the database)."""
    text = (raw or "").strip() if isinstance(raw, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(most)):
        return None
    value = int(text)
    return value if value <= most else None


def once_key() -> str:
    """A fresh key for a page whose form makes a document, sent back as `client_key` (a template global):
    submitting that page twice makes one document (see `unit_of_work.run_once`)."""
    return secrets.token_hex(16)


def submitted_key(value: str | None = None) -> str | None:
    """The key the submitted page carried (`client_key`, or `value`), as stored on the document it makes,
    bound to who sends it (the signed-in person, or a guest's session): someone else's key finds nothing.
    None when the page carries none or not one of ours."""
    value = request.form.get("client_key") if value is None else value
    value = value or ""
    if not (value.isalnum() and value.isascii() and 16 <= len(value) <= 40):
        return None
    sender = f"user:{current_user.get_id()}" if current_user.is_authenticated else f"guest:{session.get('csrf_token')}"
    return "web:" + hashlib.sha256(f"{sender}\n{value}".encode()).hexdigest()[:56]
