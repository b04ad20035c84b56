"""The seller sign-up form."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from .. import ocop
from ..accounts.passwords import StrongPassword
from ..accounts.services import find_user
from ..forms import AddressChecks, Form
from .documents import DocumentError, check_document
from .services import registration_taken


class SellerSignUpForm(AddressChecks, Form):
    # The account
    name = StringField(_l("Your full name"), validators=[DataRequired(), Length(max=200)],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Password (at least 10 characters, not easy to guess)"),
                             validators=[DataRequired(), Length(10, 200),
                                         StrongPassword("name", "email", "legal_name", "registration_no")],
                             render_kw={"autocomplete": "new-password"})
    password_again = PasswordField(_l("Password again"),
                                   validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))],
                                   render_kw={"autocomplete": "new-password"})
    # The entity
    entity_type = SelectField(_l("Type of entity"), validators=[DataRequired()])
    legal_name = StringField(_l("Legal name (as on the registration certificate)"),
                             validators=[DataRequired(), Length(max=300)])
    registration_no = StringField(_l("Tax code, branch code, or the representative's 12-digit personal ID"),
                                  validators=[DataRequired(), Length(max=20)])
    representative = StringField(_l("Legal representative"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=20)])
    province = SelectField(_l("Province or city"), coerce=int, validators=[DataRequired()])
    ward = StringField(_l("Ward or commune"), validators=[DataRequired(), Length(max=100)])
    street_address = StringField(_l("Street address"), validators=[DataRequired(), Length(max=300)])
    women_led = BooleanField(_l("Led by a woman"))
    ethnic_minority_led = BooleanField(_l("Led by a person of an ethnic minority"))
    document = FileField(_l("Business registration certificate (PDF, JPEG or PNG, at most 10 MB)"),
                         validators=[FileRequired(_l("Attach the registration certificate."))],
                         render_kw={"accept": "application/pdf,image/jpeg,image/png"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.entity_type.choices = [SelectChoice(code, label) for code, label in ocop.ENTITY_TYPES.items()]
        self.setup_address()
        self.checked_document = None

    def validate_email(self, field):
        if find_user(field.data):
            raise ValidationError(_l("An account with this email exists: sign in instead."))

    def validate_registration_no(self, field):
        try:
            field.data = ocop.normalize_registration_no(self.entity_type.data, field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from error
        if registration_taken(field.data):
            raise ValidationError(_l("This registration number is already registered."))



    def validate_document(self, field):
        upload = field.data
        if upload is None or not hasattr(upload, "stream"):
            return
        try:
            self.checked_document = check_document(upload.stream, upload.filename,
                                                   current_app.config["MAX_DOCUMENT_BYTES"])
        except DocumentError as error:
            raise ValidationError(str(error)) from error

    def account(self) -> dict:
        return {"email": self.email.data, "name": self.name.data, "password": self.password.data}

    def seller(self) -> dict:
        return {
            "entity_type": self.entity_type.data, "legal_name": self.legal_name.data.strip(),
            "registration_no": self.registration_no.data, "representative": self.representative.data.strip(),
            "phone": self.phone.data, "email": self.email.data.strip().lower(), "province_code": self.province.data,
            "ward_code": self.ward_code, "street_address": self.street_address.data.strip(),
            "women_led": self.women_led.data, "ethnic_minority_led": self.ethnic_minority_led.data,
        }
