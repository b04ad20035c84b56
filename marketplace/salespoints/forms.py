from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from .. import ocop
from ..accounts.passwords import StrongPassword
from ..forms import AddressChecks, Form, once_key
from ..security import MAX_ID
from .models import COUNTER_PAYMENTS, STAFF_ROLES


class PointForm(AddressChecks, Form):
    code = StringField(_l("Code printed on receipts (e.g. TN-01)"),
                       validators=[DataRequired(), Length(max=12), Regexp(r"^[A-Z0-9-]+$", message=_l(
                           "Capital letters, digits and dashes only."))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English (for visitors)"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind of place"), validators=[DataRequired()],
                       choices=[SelectChoice(code, label) for code, label in ocop.SALES_POINT_KINDS.items()])
    province = SelectField(_l("Province or city"), coerce=int, validators=[DataRequired()])
    ward = StringField(_l("Ward or commune"), validators=[DataRequired(), Length(max=100)])
    street = StringField(_l("Street address"), validators=[DataRequired(), Length(max=300)])
    street_en = StringField(_l("Street address in English (e.g. Terminal 2, Noi Bai Airport)"),
                            validators=[Optional(), Length(max=300)])
    opening_hours = StringField(_l("Opening hours (e.g. 7:00–21:00 every day)"),
                                validators=[DataRequired(), Length(max=200)])
    opening_hours_en = StringField(_l("Opening hours in English (e.g. 7:00–21:00 daily)"),
                                   validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=20)])
    gift_wrap_vnd = IntegerField(_l("Gift wrapping fee (₫; empty: the point does not wrap)"),
                                 validators=[Optional(), NumberRange(min=0, max=1_000_000)])
    margin_percent = DecimalField(_l("Margin the point keeps on producers' goods sold at its counter (%)"),
                                  places=2, default=0, validators=[Optional(), NumberRange(min=0, max=50)])
    active = BooleanField(_l("Open (staff can sell; shown to visitors)"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_address()

    def values(self) -> dict:
        def english(field) -> str | None:
            return (field.data or "").strip() or None

        return {"code": self.code.data, "name": self.name.data.strip(), "name_en": english(self.name_en),
                "kind": self.kind.data, "province_code": self.province.data, "ward_code": self.ward_code,
                "street": self.street.data.strip(), "street_en": english(self.street_en),
                "opening_hours": self.opening_hours.data.strip(), "opening_hours_en": english(self.opening_hours_en),
                "phone": self.phone.data, "gift_wrap_vnd": self.gift_wrap_vnd.data, "active": self.active.data,
                "margin_bp": int((Decimal(self.margin_percent.data or 0) * 100).to_integral_value(ROUND_HALF_UP))}


class StaffForm(Form):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("First password (at least 10 characters; tell it to them in person)"),
                             validators=[DataRequired(), Length(10, 200), StrongPassword("name", "email")],
                             render_kw={"autocomplete": "new-password"})
    role = SelectField(_l("Role"), choices=[SelectChoice(code, label) for code, label in STAFF_ROLES.items()],
                       validators=[DataRequired()])


class ScanForm(Form):
    """What a barcode scanner types (digits, then Enter), or words of a product's name."""
    code = StringField(_l("Scan a barcode or type a name"), validators=[DataRequired(), Length(max=100)])
    quantity = IntegerField(_l("Quantity"), default=1, validators=[Optional(), NumberRange(min=1, max=999)])


class TillLineForm(Form):
    """A till line's new quantity: a product's, or (combo=1) boxes of a gift combo's."""
    product_id = IntegerField(validators=[DataRequired(), NumberRange(min=1, max=MAX_ID)])
    combo = HiddenField()
    quantity = IntegerField(_l("Quantity"), validators=[NumberRange(min=0, max=999)])


class PayForm(Form):
    payment = RadioField(_l("Payment"), default="cash", validators=[DataRequired()],
                         choices=[SelectChoice(code, label) for code, label in COUNTER_PAYMENTS.items()])
    cash_given = IntegerField(_l("Cash received (đồng)"), validators=[Optional(), NumberRange(min=0, max=2_000_000_000)])
    client_key = HiddenField(default=once_key)  # one sale however often Pay is tapped
    seen_total = HiddenField()  # the total the till showed: the sale is recorded at that total or not at all

    def seen(self) -> int | None:
        value = self.seen_total.data or ""
        return int(value) if value.isascii() and value.isdigit() and len(value) <= 12 else None


class ReasonForm(Form):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class SellerLookupForm(Form):
    seller = StringField(_l("Seller's tax code or name (from the delivery note)"),
                         validators=[DataRequired(), Length(max=200)])
