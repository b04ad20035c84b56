"""The gift page's filters (read from the query string; the page and the API share them)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, IntegerField, SearchField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from .. import ocop
from ..forms import Form
from ..products.models import MAX_PRICE
from .importer import parse_items
from .models import MAX_ITEMS, OCCASIONS
from .services import ComboFields, ComboFilters

MAX_QUERY = 200


def _optional_int(value):
    return int(value) if value not in (None, "") else None


class GiftFilterForm(Form):
    class Meta:
        csrf = False  # a GET form: bookmarkable, shareable, nothing to protect

    q = SearchField(_l("Words"), validators=[Optional(), Length(max=MAX_QUERY)])
    region = SelectField(_l("Region"), validators=[Optional()])
    province = SelectField(_l("Province"), coerce=_optional_int, validators=[Optional()])
    occasion = SelectField(_l("Occasion"), validators=[Optional()])
    price_max = IntegerField(_l("Budget up to (₫)"), validators=[Optional(), NumberRange(min=0, max=MAX_PRICE)])
    carry_on = BooleanField(_l("Carry-on friendly (no liquid over 100 ml)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = [SelectChoice("", _l("All regions"))] + [
            SelectChoice(code, label) for code, label in ocop.REGIONS.items()]
        self.province.choices = [SelectChoice("", _l("All provinces"))] + [
            SelectChoice(int(p.code), p.name) for p in ocop.PROVINCES]
        self.occasion.choices = [SelectChoice("", _l("Any occasion"))] + [
            SelectChoice(code, label) for code, label in OCCASIONS.items()]

    def to_filters(self) -> ComboFilters:
        return ComboFilters(province=self.province.data, region=self.region.data or None,
                            occasion=self.occasion.data or None, price_max=self.price_max.data,
                            carry_on=bool(self.carry_on.data))


class ComboForm(Form):
    """A combo as its curator writes it: the office (any point of its province, or the producers') or a
    point's manager (the point is theirs: `points` holds only it)."""
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)],
                       description=_l("Capital letters, digits and dashes, e.g. HUE-GIFT-01"))
    name = StringField(_l("Name in Vietnamese"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=200)])
    story = TextAreaField(_l("Story in Vietnamese"), validators=[Optional(), Length(max=10_000)])
    story_en = TextAreaField(_l("Story in English"), validators=[Optional(), Length(max=10_000)])
    occasion = SelectField(_l("Occasion"), validators=[DataRequired()])
    province = SelectField(_l("The province it tells of"), coerce=_optional_int, validators=[DataRequired()])
    price_vnd = IntegerField(_l("Price of a box (₫)"), validators=[DataRequired(), NumberRange(min=1, max=MAX_PRICE)])
    point = SelectField(_l("Fulfilled by"), validators=[Optional()])
    items = TextAreaField(_l("Items"), validators=[DataRequired(), Length(max=2_000)],
                          description=_l("One product per line as GTIN:quantity (or #number:quantity for a product "
                                         "without a barcode), at most %(n)d products.", n=MAX_ITEMS))
    photo = FileField(_l("Photo of the box (JPEG, PNG or WebP, 8 MB at most)"))

    def __init__(self, *args, points=(), fixed_point=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.points = {str(point.id): point for point in points}
        self.occasion.choices = [SelectChoice(code, label) for code, label in OCCASIONS.items()]
        self.province.choices = [SelectChoice(int(p.code), p.name) for p in ocop.PROVINCES]
        self.point.choices = ([] if fixed_point else [SelectChoice("", _l("Each producer, from its warehouse"))]) + [
            SelectChoice(code, point.name) for code, point in self.points.items()]
        self._products: list = []

    def validate_items(self, field):
        reasons: list[str] = []
        self._products = parse_items(field.data or "", reasons)
        if reasons:
            raise ValidationError("; ".join(reasons))

    def validate_point(self, field):
        if field.data and field.data not in self.points:
            raise ValidationError(_l("Choose one of the points offered."))

    def fields(self) -> ComboFields:
        return ComboFields(code=self.code.data.strip().upper(), name=self.name.data.strip(),
                           name_en=(self.name_en.data or "").strip() or None, story=self.story.data or None,
                           story_en=self.story_en.data or None, occasion=self.occasion.data,
                           province_code=self.province.data, price_vnd=self.price_vnd.data,
                           point=self.points.get(self.point.data or ""), items=self._products)

    def fill(self, combo) -> None:
        """Show a saved combo (a GET of its page)."""
        for name in ("code", "name", "name_en", "story", "story_en", "occasion", "price_vnd"):
            getattr(self, name).data = getattr(combo, name)
        self.province.data = combo.province_code
        self.point.data = str(combo.sales_point_id or "")
        self.items.data = "\n".join(f"{item.product.gtin or '#' + str(item.product_id)}:{item.quantity}"
                                    for item in combo.items)
