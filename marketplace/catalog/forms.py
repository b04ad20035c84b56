"""The storefront's filter form: read from the query string, shared by pages and the API."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, ValidationError

from .. import ocop
from ..certification.services import IDENTITY_FIELDS
from ..forms import Form, optional_int, stripped
from ..products.models import MAX_PRICE, VAT_RATES
from .services import Filters

SORT_CHOICES = [
    SelectChoice("newest", _l("Newly recognised")),
    SelectChoice("stars", _l("Most stars")),
    SelectChoice("price_asc", _l("Price: low to high")),
    SelectChoice("price_desc", _l("Price: high to low")),
    SelectChoice("name", _l("Name A–Z")),
]
STAR_CHOICES = [
    SelectChoice("", _l("Any")),
    SelectChoice(3, _l("3★ and up")),
    SelectChoice(4, _l("4★ and up")),
    SelectChoice(5, _l("5★")),
]


def _optional_int(value):
    return int(value) if value not in (None, "") else None


class FilterForm(Form):
    class Meta:
        csrf = False  # a GET form: bookmarkable, shareable, nothing to protect

    group = StringField(_l("Group"), validators=[Optional()])
    stars_min = SelectField(_l("Stars"), coerce=_optional_int, validators=[Optional()],
                            choices=STAR_CHOICES)
    province = SelectField(_l("Province"), coerce=_optional_int, validators=[Optional()])
    price_min = IntegerField(_l("Price from (₫)"), validators=[Optional(), NumberRange(min=0, max=MAX_PRICE)])
    price_max = IntegerField(_l("Price to (₫)"), validators=[Optional(), NumberRange(min=0, max=MAX_PRICE)])
    sort = SelectField(_l("Sort by"), choices=SORT_CHOICES, default="newest", validators=[Optional()])
    page = IntegerField(_l("Page"), default=1, validators=[Optional(), NumberRange(min=1, max=100000)])
    per_page = IntegerField(_l("Per page"), validators=[Optional(), NumberRange(min=1, max=100)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.province.choices = [SelectChoice("", _l("All provinces"))] + [
            SelectChoice(int(p.code), p.name) for p in ocop.PROVINCES]

    def validate_group(self, field):
        if field.data:
            try:
                field.data = _normalize_group_prefix(field.data)
            except ValueError as error:
                raise ValidationError(str(error)) from error

    def validate_price_max(self, field):
        if field.data is not None and self.price_min.data is not None and field.data < self.price_min.data:
            raise ValidationError(_l("must not be below the lowest price"))

    def to_filters(self, default_per_page: int, group: str | None = None) -> Filters:
        return Filters(
            group=group or self.group.data or None,
            province=self.province.data,
            stars_min=self.stars_min.data,
            price_min=self.price_min.data,
            price_max=self.price_max.data,
            sort=self.sort.data or "newest",
            page=self.page.data or 1,
            per_page=self.per_page.data or default_per_page,
        )


def _normalize_group_prefix(value: str) -> str:
    value = value.strip()
    if value in ocop.GROUPS:
        return value
    return ocop.normalize_group_code(value)


def _group_choices():
    choices = []
    for group in ocop.TOP_GROUPS:
        subs = ocop.subgroups(group.code) or [group]
        choices += [SelectChoice(sub.code, f"{sub.code} · {sub.label}") for sub in subs]
    return choices


class ProductForm(Form):
    """A listing in the seller console. A draft may exist before its recognition does."""
    name = StringField(_l("Name in Vietnamese"), validators=[DataRequired(), Length(max=300)])
    name_en = StringField(_l("Name in English (for visitors)"), validators=[Optional(), Length(max=300)])
    group_code = SelectField(_l("Product group (Decision 148)"), validators=[DataRequired()])
    price_vnd = IntegerField(_l("Price (đồng)"), validators=[DataRequired(), NumberRange(min=1000, max=MAX_PRICE)])
    unit = StringField(_l("Unit, e.g. hộp 500 g"), validators=[DataRequired(), Length(max=60)])
    unit_en = StringField(_l("Unit in English"), validators=[Optional(), Length(max=60)])
    weight_grams = IntegerField(_l("Shipping weight of one unit (grams)"),
                                validators=[Optional(), NumberRange(min=1, max=100_000)])
    liquid_ml = IntegerField(_l("Liquid volume of one unit (ml), for a liquid, gel or paste"),
                             validators=[Optional(), NumberRange(min=1, max=100_000)],
                             description=_l("Visitors are told that over 100 ml flies in checked baggage."))
    vat_rate = SelectField(_l("VAT included in the price"), coerce=optional_int, validators=[Optional()],
                           choices=[SelectChoice("", _l("None or not stated (a household on flat tax)")),
                                    *(SelectChoice(rate, f"{rate}%") for rate in VAT_RATES)])
    description = TextAreaField(_l("Description in Vietnamese"), validators=[Optional(), Length(max=5000)])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional(), Length(max=5000)])
    gtin = StringField(_l("GTIN / EAN-13 barcode"), validators=[Optional(), Length(max=20)])
    geographical_indication = StringField(_l("Geographical indication"), validators=[Optional(), Length(max=200)])
    planting_area_code = StringField(_l("Planting-area code"), validators=[Optional(), Length(max=40)])
    status = SelectField(_l("Status"), choices=[SelectChoice("draft", _l("Draft: not shown")),
                                                SelectChoice("active", _l("Active: shown once recognised")),
                                                SelectChoice("archived", _l("Archived"))])
    photos = MultipleFileField(_l("Photos (JPEG, PNG or WebP; up to 8 at once, 8 MB each, 32 MB in all)"),
                               render_kw={"accept": "image/jpeg,image/png,image/webp"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_code.choices = _group_choices()

    def validate_gtin(self, field):
        if field.data:
            try:
                field.data = ocop.normalize_gtin(field.data)
            except ValueError as error:
                raise ValidationError(str(error)) from error

    def lock(self, product, fields) -> None:
        """Show `fields` read-only. A disabled input is not posted, so a field left out of the POST keeps
        the stored value; one that is posted is checked by the service (a changed value is refused)."""
        for name in fields:
            field = getattr(self, name)
            field.render_kw = (field.render_kw or {}) | {"disabled": True}
            if not field.raw_data:
                field.data = getattr(product, name)

    def restore(self, product, fields) -> None:
        """Show the stored values again after a refused change."""
        for name in fields:
            getattr(self, name).data = getattr(product, name)

    def uploads(self):
        return [f for f in (self.photos.data or []) if getattr(f, "filename", "")]

    def values(self) -> dict:
        return {name: getattr(self, name).data or None
                for name in ("name", "name_en", "group_code", "price_vnd", "unit", "unit_en", "weight_grams", "liquid_ml",
                             "description", "description_en", "gtin", "geographical_indication",
                             "planting_area_code", "status")} | {"vat_rate": self.vat_rate.data}  # 0 % is a rate


class ChangeRequestForm(Form):
    """The seller asks the office to change what the council evaluated (identity fields only)."""
    name = StringField(_l("Name in Vietnamese"), validators=[DataRequired(), Length(max=300)])
    group_code = SelectField(_l("Product group (Decision 148)"), validators=[DataRequired()])
    unit = StringField(_l("Unit, e.g. hộp 500 g"), validators=[DataRequired(), Length(max=60)])
    gtin = StringField(_l("GTIN / EAN-13 barcode"), validators=[Optional(), Length(max=20)])
    reason = TextAreaField(_l("Why the change is needed (the office will read it)"),
                           validators=[DataRequired(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "change")
        super().__init__(*args, **kwargs)
        self.group_code.choices = _group_choices()

    validate_gtin = ProductForm.validate_gtin

    def values(self) -> dict:
        return {name: getattr(self, name).data or None for name in IDENTITY_FIELDS}


class StockAlertForm(Form):
    """'Email me when it is back' on a product with nothing to ship."""
    email = EmailField(_l("Your email"), validators=[DataRequired(), Email(), Length(max=254)],
                       filters=[stripped], render_kw={"autocomplete": "email"})
