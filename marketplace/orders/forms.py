import datetime as dt
import functools
import hashlib
import re

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError

from .. import ocop
from ..forms import AddressChecks, Form, once_key, optional_int, stripped, submitted_key, whole_number
from ..i18n import localized
from .checkout import Contact, Extras, available_methods
from .models import CARRIERS

PAYMENT_LABELS = {
    "cod": _l("Cash on delivery"),
    "at_point": _l("Pay at the sales point when you collect (cash, card or VietQR)"),
    "vietqr": _l("Bank transfer by VietQR (scan with your banking app)"),
    "card": _l("Card (Visa, Mastercard, JCB) through Stripe"),
}


class ShipForm(Form):
    """Handing a parcel to a carrier: which one, and the number the buyer follows it by."""
    carrier = SelectField(_l("Carrier"), choices=[SelectChoice("", "—")] + [
        SelectChoice(code, label) for code, (label, _page) in CARRIERS.items()], validators=[DataRequired()])
    tracking_no = StringField(_l("Tracking number"), filters=[stripped], validators=[
        DataRequired(), Length(max=40), Regexp(r"^[A-Za-z0-9][A-Za-z0-9 ._/-]*$",
                                              message=_l("Letters, digits, spaces and . _ / - only."))])


class SellerCancelForm(Form):
    reason = StringField(_l("Why (the buyer reads it)"), filters=[stripped], validators=[DataRequired(), Length(max=300)])


class CartLineForm(Form):
    """A cart line: a product (`product_id`) or a gift combo (`combo_id`), and how many."""
    product_id = HiddenField()
    combo_id = HiddenField()
    quantity = IntegerField(_l("Quantity"), default=1, validators=[DataRequired(), NumberRange(min=1, max=99)])

    @property
    def line(self) -> tuple[str, int] | None:
        """("product", id) or ("combo", id); None when the form names neither (an edited page)."""
        if (combo_id := whole_number(self.combo_id.data)) is not None:
            return "combo", combo_id
        if (product_id := whole_number(self.product_id.data)) is not None:
            return "product", product_id
        return None


# Babel's territories that are not a foreigner's nationality: Vietnam itself, pseudo-locales, groupings,
# Antarctica and the unknown region.
NOT_NATIONALITIES = {"VN", "ZZ", "XA", "XB", "EU", "EZ", "UN", "QO", "AQ"}

WTFORMS_REQUIRED = "This field is required."  # WTForms' own message, translated by its catalogue


@functools.lru_cache(maxsize=8)
def _nationalities(locale) -> tuple[SelectChoice, ...]:
    """The countries in the visitor's language, sorted once per language (every checkout form offers them)."""
    countries = [SelectChoice(code, name) for code, name in locale.territories.items()
                 if len(code) == 2 and code.isalpha() and code not in NOT_NATIONALITIES]
    return (SelectChoice("", "—"), *sorted(countries, key=lambda choice: choice.label))


class CheckoutForm(AddressChecks, Form):
    """Contact, then delivery by post (with an address) or pickup at a sales point, then payment."""
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("Phone (from abroad: + and the country code)"), validators=[DataRequired(), Length(max=30)])
    email = EmailField(_l("Email (for the order's updates)"), validators=[DataRequired(), Email(), Length(max=254)])
    delivery = RadioField(_l("How to receive it"), default="post", validators=[DataRequired()])
    province = SelectField(_l("Province or city"), coerce=optional_int, validators=[Optional()])
    ward = StringField(_l("Ward or commune"), validators=[Optional(), Length(max=100)])
    street = StringField(_l("Street address"), validators=[Optional(), Length(max=300)])
    payment = RadioField(_l("Payment"), default="cod", validators=[DataRequired()])
    # A gift: a card, wrapping by the point that fulfils it, no prices on the packing slip.
    is_gift = BooleanField(_l("This is a gift: no prices on the packing slip"))
    gift_message = TextAreaField(_l("Message for the card (optional)"), validators=[Optional(), Length(max=300)])
    gift_wrap = BooleanField(_l("Gift wrapping by the sales point (its fee is added)"))
    # A hotel delivery (the address above is the hotel's).
    hotel_name = StringField(_l("Hotel"), validators=[Optional(), Length(max=200)])
    guest_name = StringField(_l("Guest's name at the reception"), validators=[Optional(), Length(max=200)])
    deliver_by = DateField(_l("Deliver by"), validators=[Optional()])
    # A foreign visitor's VAT refund at departure.
    vat_refund = BooleanField(_l("I am a foreign visitor and will claim the VAT refund when I leave"))
    passport_no = StringField(_l("Passport number"), validators=[Optional(), Length(max=20)])
    nationality = SelectField(_l("Nationality"), validators=[Optional()])
    departure_date = DateField(_l("Departure date"), validators=[Optional()])
    departure_airport = SelectField(_l("Departure airport"), validators=[Optional()],
                                    choices=[SelectChoice("", "—")] + [SelectChoice(code, f"{name} ({code})")
                                                                     for code, name in ocop.DEPARTURE_AIRPORTS.items()])
    # A company's VAT invoice: each producer issues it in the company's name.
    company_invoice = BooleanField(_l("A company buys: I need a VAT invoice in its name"))
    invoice_company = StringField(_l("Company name"), validators=[Optional(), Length(max=300)])
    invoice_tax_code = StringField(_l("Company tax code (MST)"), validators=[Optional(), Length(max=20)])
    invoice_address = StringField(_l("Company address"), validators=[Optional(), Length(max=300)])
    # What the review step showed: the total and each unit price ("product:price,…"). The order is placed
    # only while they still hold; they are never used as prices.
    seen_total = HiddenField()
    seen_prices = HiddenField()
    seen_for = HiddenField()  # where the reviewed total was for: another destination needs another review
    client_key = HiddenField()  # made at the review step: submitting the page twice places one order

    def __init__(self, *args, pickup_points=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_address()
        self.province.choices = [SelectChoice("", "—"), *self.province.choices]
        self.pickup_points = {f"point-{point.id}": point for point in pickup_points}
        self.hotel_points = {f"hotel-{point.id}": point for point in pickup_points}
        self.delivery.choices = [SelectChoice("post", _l("By post"))] + [
            SelectChoice(code, localized(point.name, point.name_en)) for code, point in self.pickup_points.items()] + [
            SelectChoice(code, _l("To your hotel in %(province)s, from %(point)s",
                                  province=ocop.province_name(point.province_code),
                                  point=localized(point.name, point.name_en)))
            for code, point in self.hotel_points.items()]
        hotel = self.hotel_points.get(self.delivery.data)
        if hotel is not None and not self.province.data:  # a hotel delivery is within the point's province
            self.province.data = hotel.province_code
        self.nationality.choices = list(_nationalities(get_locale()))
        offered = dict.fromkeys(available_methods() + (available_methods(pickup=True) if pickup_points else ()))
        self.payment.choices = [SelectChoice(method, PAYMENT_LABELS[method]) for method in offered]

    @property
    def pickup_point(self):
        return self.pickup_points.get(self.delivery.data)

    @property
    def hotel_point(self):
        """The point that sends the order to the buyer's hotel (None: not a hotel delivery)."""
        return self.hotel_points.get(self.delivery.data)

    def extras(self) -> Extras:
        hotel, vat, company = self.hotel_point is not None, bool(self.vat_refund.data), bool(self.company_invoice.data)

        def text(field, when=True):
            return ((field.data or "").strip() or None) if when else None

        return Extras(is_gift=bool(self.is_gift.data), gift_message=text(self.gift_message),
                      wrap=bool(self.gift_wrap.data), hotel_name=text(self.hotel_name, hotel),
                      guest_name=text(self.guest_name, hotel), deliver_by=self.deliver_by.data if hotel else None,
                      vat_refund=vat, passport_no=text(self.passport_no, vat), nationality=text(self.nationality, vat),
                      departure_date=self.departure_date.data if vat else None,
                      departure_airport=text(self.departure_airport, vat),
                      invoice_company=text(self.invoice_company, company), invoice_tax_code=text(self.invoice_tax_code,
                                                                                                  company),
                      invoice_address=text(self.invoice_address, company))

    def contact(self):
        """The validated contact and destination (the sales point's address for a pickup)."""
        name, email = self.name.data.strip(), self.email.data.strip().lower()
        if self.pickup_point is not None:
            return Contact.at_point(name, self.phone.data, email, self.pickup_point)
        return Contact(name, self.phone.data, email, self.province.data, self.ward_code, self.street.data.strip())

    def _destination(self) -> str:
        where = f"{self.delivery.data}|{self.province.data}|{self.ward.data}|{self.street.data}|{self.gift_wrap.data}"
        return hashlib.sha256(where.encode()).hexdigest()[:16]

    def seen(self) -> tuple[dict[int, int] | None, int | None]:
        """The unit prices and total the buyer was shown, or (None, None) before the review step, and when
        the delivery or the address changed since (the buyer reviews the new total and destination)."""
        if whole_number(self.seen_total.data, most=10 ** 12) is None or self.seen_for.data != self._destination():
            return None, None
        prices = {}
        for pair in (self.seen_prices.data or "").split(","):
            product_id, _sep, price = pair.partition(":")
            if (pid := whole_number(product_id)) is not None and (vnd := whole_number(price, most=10 ** 12)) is not None:
                prices[pid] = vnd
        return prices, whole_number(self.seen_total.data, most=10 ** 12)

    def show(self, quote) -> None:
        """Carry this quote into the next submission."""
        self.seen_total.data = str(quote.total_vnd)
        self.seen_prices.data = ",".join(f"{pid}:{price}" for pid, price in sorted(quote.unit_prices.items()))
        self.seen_for.data = self._destination()
        if not (self.client_key.data or "").isalnum():
            self.client_key.data = once_key()

    def key(self) -> str | None:
        """The page's own key for the order (None before the review step)."""
        return submitted_key(self.client_key.data or "")

    def validate_invoice_tax_code(self, field):
        """A company's tax code: 10 digits, or 13 for a branch, with its check digit (python-stdnum)."""
        if self.company_invoice.data and field.data:
            try:
                field.data = ocop.normalize_registration_no("enterprise", field.data)
            except ValueError as error:
                raise ValidationError(str(error)) from error

    def validate_phone(self, field):
        """A buyer's phone may be from any country (a tourist's): kept as E.164."""
        try:
            field.data = ocop.international_phone(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def validate_payment(self, field):
        if field.data not in available_methods(pickup=self.pickup_point is not None):
            raise ValidationError(_l("Pay at the sales point only when you collect there.")
                                  if field.data == "at_point" else _l("Cash on delivery is for delivery by post."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        needed = []
        if self.delivery.data == "post" or self.hotel_point is not None:  # an address is needed to send it
            needed += [self.province, self.ward, self.street]
        if self.hotel_point is not None:
            needed += [self.hotel_name, self.guest_name, self.deliver_by]
        if self.vat_refund.data:
            needed += [self.passport_no, self.nationality, self.departure_date, self.departure_airport]
        if self.company_invoice.data:
            needed += [self.invoice_company, self.invoice_tax_code, self.invoice_address]
        for field in needed:
            if not field.data:
                field.errors = [*field.errors, field.gettext(WTFORMS_REQUIRED)]
                valid = False
        valid &= self._check_dates()
        if self.hotel_point is not None and self.province.data and self.province.data != self.hotel_point.province_code:
            self.province.errors = [*self.province.errors, _l(
                "The point delivers to hotels in %(province)s only.",
                province=ocop.province_name(self.hotel_point.province_code))]
            valid = False
        return valid

    def _check_dates(self) -> bool:
        today, valid = ocop.today(), True
        if self.hotel_point is not None and self.deliver_by.data and not (
                today <= self.deliver_by.data <= today + dt.timedelta(days=60)):
            self.deliver_by.errors = [*self.deliver_by.errors, _l("A day from today to 60 days from now.")]
            valid = False
        if self.vat_refund.data and self.departure_date.data and self.departure_date.data < today:
            self.departure_date.errors = [*self.departure_date.errors, _l("The departure cannot be in the past.")]
            valid = False
        if self.vat_refund.data and self.passport_no.data and not re.fullmatch(r"[A-Za-z0-9]{5,20}",
                                                                                self.passport_no.data.strip()):
            self.passport_no.errors = [*self.passport_no.errors, _l("Letters and digits, as on the passport.")]
            valid = False
        return valid

