from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange

from ..forms import AddressChecks, Form
from ..payments.providers import available_methods

PAYMENT_LABELS = {
    "cod": _l("Cash on delivery"),
    "vietqr": _l("Bank transfer by VietQR (scan with your banking app)"),
    "card": _l("Card (Visa, Mastercard, JCB) through Stripe"),
}


class CartLineForm(Form):
    product_id = HiddenField(validators=[DataRequired()])
    quantity = IntegerField(_l("Quantity"), default=1, validators=[DataRequired(), NumberRange(min=1, max=99)])


class CheckoutForm(AddressChecks, Form):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=20)])
    email = EmailField(_l("Email (for the order's updates)"), validators=[DataRequired(), Email(), Length(max=254)])
    province = SelectField(_l("Province or city"), coerce=int, validators=[DataRequired()])
    ward = StringField(_l("Ward or commune"), validators=[DataRequired(), Length(max=100)])
    street = StringField(_l("Street address"), validators=[DataRequired(), Length(max=300)])
    payment = RadioField(_l("Payment"), default="cod", validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_address()
        self.payment.choices = [SelectChoice(method, PAYMENT_LABELS[method]) for method in available_methods()]


