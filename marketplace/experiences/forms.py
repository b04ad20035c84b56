"""The host's form for a session (or a weekly series) of one of its experiences."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from wtforms import (
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from .. import ocop
from ..forms import DayField, DongField, Form, submitted_key
from ..i18n import current_language
from ..orders.checkout import booking_methods
from ..products.models import MAX_PRICE
from .models import (
    LANGUAGES,
    LATE_REFUND_PERCENTS,
    MAX_CAPACITY,
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    ExperienceSession,
)
from .services import MAX_AHEAD, MAX_WEEKS, Party, SessionPlan


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SessionForm(Form):
    product = SelectField(_l("Experience"), coerce=int, validators=[DataRequired()])
    day = DayField(_l("Day"), validators=[InputRequired()])
    time = TimeField(_l("Starts at (Vietnam time)"), validators=[InputRequired()])
    duration_minutes = IntegerField(_l("Duration (minutes; a two-night homestay is 2880)"),
                                    validators=[InputRequired(),
                                                NumberRange(min=MIN_DURATION_MINUTES, max=MAX_DURATION_MINUTES)])
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
    late_refund_percent = SelectField(_l("Cancelled by the visitor less than the free cancellation time before"),
                                      coerce=int, default=0, choices=[SelectChoice(percent, label) for percent, label
                                                                      in LATE_REFUND_PERCENTS.items()])

    def validate_day(self, field):
        if field.data is not None and not ocop.today() <= field.data <= ocop.today() + MAX_AHEAD:
            raise ValidationError(_l("Choose a day from today to two years ahead."))

    def validate_child_price_vnd(self, field):
        if field.data is not None and self.price_vnd.data is not None and field.data > self.price_vnd.data:
            raise ValidationError(_l("A child pays at most the price per person."))

    def plan(self) -> SessionPlan:
        def text(field) -> str | None:
            return (field.data or "").strip() or None

        return SessionPlan(
            starts_at=dt.datetime.combine(self.day.data, self.time.data, ocop.VN_TZ),
            duration_minutes=self.duration_minutes.data, capacity=self.capacity.data, price_vnd=self.price_vnd.data,
            child_price_vnd=self.child_price_vnd.data, languages=list(self.languages.data or []),
            meeting_point_vi=self.meeting_point_vi.data.strip(), meeting_point_en=text(self.meeting_point_en),
            map_url=text(self.map_url), min_party=self.min_party.data, max_party=self.max_party.data,
            what_to_bring=text(self.what_to_bring), what_to_bring_en=text(self.what_to_bring_en),
            late_refund_percent=self.late_refund_percent.data)


PAYMENT_LABELS = {
    "on_site": _l("Pay the host on arrival (cash or transfer)"),
    "vietqr": _l("Bank transfer by VietQR now (scan with your banking app)"),
    "card": _l("Card now (Visa, Mastercard, JCB) through Stripe"),
}


class BookingForm(Form):
    """A visitor's booking of one session (the page's form, and the API's body read through it)."""
    adults = IntegerField(_l("Adults"), default=2, validators=[InputRequired(), NumberRange(min=1, max=MAX_CAPACITY)])
    children = IntegerField(_l("Children"), default=0, validators=[Optional(), NumberRange(min=0, max=MAX_CAPACITY)])
    language = RadioField(_l("Guiding language"), validators=[DataRequired()])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)], render_kw={"autocomplete": "name"})
    phone = TelField(_l("Phone (from abroad: + and the country code)"), validators=[DataRequired(), Length(max=30)],
                     render_kw={"autocomplete": "tel"})
    email = EmailField(_l("Email (for the voucher)"), validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    payment = RadioField(_l("Payment"), validators=[DataRequired()])

    def __init__(self, *args, session: ExperienceSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.language.choices = [SelectChoice(code, LANGUAGES[code]) for code in session.language_codes]
        self.payment.choices = [SelectChoice(method, PAYMENT_LABELS[method]) for method in booking_methods()]
        self.adults.render_kw = {"max": session.max_party, "min": 1, "inputmode": "numeric"}
        self.children.render_kw = {"max": session.max_party - 1, "min": 0, "inputmode": "numeric"}
        if not self.is_submitted():
            spoken = current_language() if current_language() in session.language_codes else session.language_codes[0]
            self.language.data = self.language.data or spoken
            self.payment.data = self.payment.data or "on_site"

    def validate_adults(self, field):
        people = (field.data or 0) + (self.children.data or 0)
        if field.data and not self.session.min_party <= people <= self.session.max_party:
            raise ValidationError(_l("This session takes parties of %(min)d to %(max)d people.")
                                  % {"min": self.session.min_party, "max": self.session.max_party})

    def validate_phone(self, field):
        """A visitor's phone may be from any country: kept as E.164."""
        try:
            field.data = ocop.international_phone(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def party(self) -> Party:
        return Party(self.adults.data, self.children.data or 0, self.language.data, self.name.data.strip(),
                     self.phone.data, self.email.data.strip().lower())

    @property
    def key(self) -> str | None:
        return submitted_key()



class CheckInForm(Form):
    """The host types or scans a voucher's code (the QR holds the code)."""
    code = StringField(_l("Voucher code"), validators=[DataRequired(), Length(max=200)])


class CancelSessionForm(Form):
    """The host cancels a session: why, for the visitors (a visitor's own cancel sends only the token)."""
    reason = StringField(_l("Why (the visitors read it)"), validators=[DataRequired(), Length(max=300)])
