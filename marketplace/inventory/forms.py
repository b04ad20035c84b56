from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import Form


class ReceiveForm(Form):
    quantity = IntegerField(_l("Quantity received"), validators=[DataRequired(), NumberRange(min=1, max=1_000_000)])
    reference = StringField(_l("Delivery note or batch (optional)"), validators=[Optional(), Length(max=60)])


class AdjustForm(Form):
    change = IntegerField(_l("Change (+ found, − broken or missing)"),
                          validators=[DataRequired(), NumberRange(min=-1_000_000, max=1_000_000)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=300)])


class ReorderForm(Form):
    reorder_level = IntegerField(_l("Reorder level"), validators=[Optional(), NumberRange(min=0, max=1_000_000)])
