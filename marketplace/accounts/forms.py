from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from ..forms import Form, stripped
from .passwords import MESSAGES, StrongPassword, problem
from .services import find_user


class SignInForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class SignUpForm(Form):
    """A shopper's account: keeps the cart and the orders."""
    name = StringField(_l("Your full name"), validators=[DataRequired(), Length(max=200)],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Password (at least 10 characters, not easy to guess)"),
                             validators=[DataRequired(), Length(10, 200), StrongPassword("name", "email")],
                             render_kw={"autocomplete": "new-password"})
    password_again = PasswordField(_l("Password again"),
                                   validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))],
                                   render_kw={"autocomplete": "new-password"})

    def validate_email(self, field):
        if find_user(field.data):
            raise ValidationError(_l("An account with this email exists: sign in instead."))


class ResetRequestForm(Form):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)], filters=[stripped],
                       render_kw={"autocomplete": "email"})


class NewPasswordForm(Form):
    """A new password from a reset link (checked against the account's name and address)."""
    password = PasswordField(_l("New password (at least 10 characters, not easy to guess)"),
                             validators=[DataRequired(), Length(10, 200)],
                             render_kw={"autocomplete": "new-password"})
    password_again = PasswordField(_l("Password again"),
                                   validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))],
                                   render_kw={"autocomplete": "new-password"})

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_password(self, field):
        found = problem(field.data or "", self.user.name, self.user.email)
        if found:
            raise ValidationError(MESSAGES[found])
