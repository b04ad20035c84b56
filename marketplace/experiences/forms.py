"""The host's form for a session (or a weekly series) of one of its experiences."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .. import ocop
from ..forms import DayField, DongField, Form
from ..products.models import MAX_PRICE
from .models import LANGUAGES, MAX_CAPACITY, MAX_DURATION_MINUTES
from .services import MAX_WEEKS, SessionPlan


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SessionForm(Form):
    product = SelectField(_l("Experience"), coerce=int, validators=[DataRequired()])
    day = DayField(_l("Day"), validators=[InputRequired()])
    time = TimeField(_l("Starts at (Vietnam time)"), validators=[InputRequired()])
    duration_minutes = IntegerField(_l("Duration (minutes; a two-night homestay is 2880)"),
                                    validators=[InputRequired(), NumberRange(min=15, max=MAX_DURATION_MINUTES)])
    capacity = IntegerField(_l("Places"), validators=[InputRequired(), NumberRange(min=1, max=MAX_CAPACITY)])
    price_vnd = DongField(_l("Price per person (₫)"), validators=[InputRequired(), NumberRange(min=1, max=MAX_PRICE)])
    child_price_vnd = DongField(_l("Price per child (₫; empty: the same)"),
                                validators=[Optional(), NumberRange(min=0, max=MAX_PRICE)])
    languages = CheckboxesField(_l("Languages the host speaks"), default=["vi"],
                                choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()])
    meeting_point_vi = StringField(_l("Meeting point"), validators=[DataRequired(), Length(max=300)])
    meeting_point_en = StringField(_l("Meeting point in English"), validators=[Optional(), Length(max=300)])
    map_url = StringField(_l("Map link (e.g. from Google Maps or OpenStreetMap)"),
                          validators=[Optional(), URL(require_tld=True), Length(max=500)])
    min_party = IntegerField(_l("Smallest party"), default=1, validators=[InputRequired(), NumberRange(min=1, max=MAX_CAPACITY)])
    max_party = IntegerField(_l("Largest party (empty: all the places)"),
                             validators=[Optional(), NumberRange(min=1, max=MAX_CAPACITY)])
    what_to_bring = TextAreaField(_l("What to bring"), validators=[Optional(), Length(max=1000)])
    what_to_bring_en = TextAreaField(_l("What to bring, in English"), validators=[Optional(), Length(max=1000)])
    weeks = IntegerField(_l("Repeat every week for (weeks; 1: this day only)"), default=1,
                         validators=[InputRequired(), NumberRange(min=1, max=MAX_WEEKS)])

    def plan(self) -> SessionPlan:
        def text(field) -> str | None:
            return (field.data or "").strip() or None

        return SessionPlan(
            starts_at=dt.datetime.combine(self.day.data, self.time.data, ocop.VN_TZ),
            duration_minutes=self.duration_minutes.data, capacity=self.capacity.data, price_vnd=self.price_vnd.data,
            child_price_vnd=self.child_price_vnd.data, languages=list(self.languages.data or []),
            meeting_point_vi=self.meeting_point_vi.data.strip(), meeting_point_en=text(self.meeting_point_en),
            map_url=text(self.map_url), min_party=self.min_party.data, max_party=self.max_party.data,
            what_to_bring=text(self.what_to_bring), what_to_bring_en=text(self.what_to_bring_en))
