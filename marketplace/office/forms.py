from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DecimalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from .. import ocop
from ..forms import DayField, Form, finite_number


class DecisionForm(Form):
    action = HiddenField(validators=[AnyOf(["approve", "reject", "suspend", "reinstate"])])
    reason = TextAreaField(_l("Reason (the seller will read it)"), validators=[Length(max=2000)])


class EvaluationForm(Form):
    """A council result, as the provincial office records it."""
    stars = SelectField(_l("Stars"), coerce=int, choices=[SelectChoice(n, f"{n}★") for n in range(1, 6)], default=3,
                        validators=[DataRequired()])
    score = DecimalField(_l("Total score (out of 100)"), places=2,
                         validators=[Optional(), finite_number, NumberRange(0, 100)])
    score_a = DecimalField(_l("Part A score"), places=2, validators=[Optional(), finite_number, NumberRange(0, 40)])
    score_b = DecimalField(_l("Part B score"), places=2, validators=[Optional(), finite_number, NumberRange(0, 25)])
    score_c = DecimalField(_l("Part C score"), places=2, validators=[Optional(), finite_number, NumberRange(0, 40)])
    decision_no = StringField(_l("Decision number, e.g. 1358/QĐ-UBND"), validators=[DataRequired(), Length(max=60)])
    decision_date = DayField(_l("Decision date"), validators=[InputRequired()])
    issuer = StringField(_l("Issued by"), validators=[DataRequired(), Length(max=200)])
    level = SelectField(_l("Level"), choices=[SelectChoice(code, label) for code, label in ocop.LEVELS.items()],
                        default="provincial")
    valid_until = DayField(_l("Valid until (empty: 36 months after the decision)"), validators=[Optional()])
    story = TextAreaField(_l("The product story as evaluated"), validators=[Optional(), Length(max=10000)])

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in (
            "stars", "score", "score_a", "score_b", "score_c", "decision_no", "decision_date", "issuer", "level",
            "valid_until", "story")}


class RevokeForm(Form):
    reason = TextAreaField(_l("Reason (the seller will read it)"), validators=[DataRequired(), Length(max=2000)])


class ChangeDecisionForm(Form):
    """Approve or refuse a seller's request to change a certified product's identity."""
    action = HiddenField(validators=[AnyOf(["approve", "refuse"])])
    note = TextAreaField(_l("Note (the seller will read it; required to refuse)"), validators=[Length(max=2000)])


class ImportForm(Form):
    file = FileField(_l("Catalogue file (CSV in UTF-8 or XLSX)"), validators=[FileRequired()])
