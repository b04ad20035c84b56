from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form, stripped
from .models import MAX_TEXT


class ReviewForm(Form):
    """A buyer's stars and words on one delivered product (the order's link proves the buyer)."""
    token = HiddenField()
    product_id = HiddenField(validators=[DataRequired()])
    stars = RadioField(_l("Your rating"), coerce=int, validators=[DataRequired()],
                       choices=[SelectChoice(n, "★" * n) for n in range(5, 0, -1)])
    text = TextAreaField(_l("What you thought of it (optional)"), filters=[stripped],
                         validators=[Optional(), Length(max=MAX_TEXT)])


class ReplyForm(Form):
    text = TextAreaField(_l("Your answer (shown under the review, once)"), filters=[stripped],
                         validators=[DataRequired(), Length(max=MAX_TEXT)])


class HideForm(Form):
    reason = TextAreaField(_l("Why it is hidden (kept in the office's log)"), filters=[stripped],
                           validators=[DataRequired(), Length(max=MAX_TEXT)])
