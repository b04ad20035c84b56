from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import AnyOf, Length


class DecisionForm(FlaskForm):
    action = HiddenField(validators=[AnyOf(["approve", "reject", "suspend", "reinstate"])])
    reason = TextAreaField(_l("Reason (the seller will read it)"), validators=[Length(max=2000)])
