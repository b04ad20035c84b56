"""The search form: the storefront's filters plus the words and the relevance sort."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from ..catalog.forms import SORT_CHOICES, FilterForm
from . import text
from .base import SearchQuery

SEARCH_SORTS = [SelectChoice("relevance", _l("Best match"))] + [c for c in SORT_CHOICES if c.value != "name"]


class SearchForm(FilterForm):
    q = StringField(_l("Search OCOP products"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sort.choices = SEARCH_SORTS
        if not self.sort.raw_data:
            self.sort.data = "relevance"

    def to_query(self, default_per_page: int) -> SearchQuery:
        return SearchQuery(
            words=text.query_words(self.q.data),
            group=self.group.data or None,
            province=self.province.data,
            stars_min=self.stars_min.data,
            price_min=self.price_min.data,
            price_max=self.price_max.data,
            sort=self.sort.data or "relevance",
            page=self.page.data or 1,
            per_page=self.per_page.data or default_per_page,
        )
