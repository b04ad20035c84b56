"""The gift page's filters (read from the query string; the page and the API share them)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SearchField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional

from .. import ocop
from ..forms import Form
from ..products.models import MAX_PRICE
from .models import OCCASIONS
from .services import ComboFilters

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
                            occasion=self.occasion.data or None, price_max=self.price_max.data)
