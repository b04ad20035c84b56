from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form, stripped
from .models import MAX_TEXT

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def plain(value):
    """A filter: a review's words without control characters (a line break stays)."""
    return _CONTROLS.sub("", stripped(value)) if isinstance(value, str) else value


class ReviewForm(Form):
    """A buyer's stars and words on one delivered product (the order's link proves the buyer)."""
    token = HiddenField()
    product_id = HiddenField(validators=[DataRequired()])
    stars = RadioField(_l("Your rating"), coerce=int, validators=[DataRequired()],
                       choices=[SelectChoice(n, "★" * n) for n in range(5, 0, -1)])
    text = TextAreaField(_l("What you thought of it (optional)"), filters=[plain],
                         validators=[Optional(), Length(max=MAX_TEXT)])


class ReplyForm(Form):
    text = TextAreaField(_l("Your answer (shown under the review, once)"), filters=[plain],
                         validators=[DataRequired(), Length(max=MAX_TEXT)])


class HideForm(Form):
    reason = TextAreaField(_l("Why it is hidden (kept in the office's log)"), filters=[stripped],
                           validators=[DataRequired(), Length(max=MAX_TEXT)])
