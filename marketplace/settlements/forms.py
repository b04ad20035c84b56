from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..forms import Form
from . import bank


class BankAccountForm(Form):
    """Where the producer's payouts go; the office checks it before any payout is made there."""
    bank_bin = SelectField(_l("Bank"), validators=[DataRequired()])
    account_no = StringField(_l("Account number"), validators=[DataRequired(), Length(max=30)],
                             render_kw={"inputmode": "numeric", "autocomplete": "off"})
    holder_name = StringField(_l("Account holder, as the bank prints it (e.g. HTX CHE TAN CUONG)"),
                              validators=[DataRequired(), Length(max=100)], render_kw={"autocomplete": "off"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bank_bin.choices = [SelectChoice("", _l("Choose the bank"))] + [
            SelectChoice(found.bin, f"{found.short_name} — {found.name}") for found in bank.banks().values()]
