"""The search form: the storefront's filters plus the words and the relevance sort."""
from __future__ import annotations

from dataclasses import asdict

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from .. import text
from ..catalog.forms import SORT_CHOICES, FilterForm
from .base import SearchQuery

MAX_QUERY = 200  # characters: longer is not a search (and, percent-encoded, would not fit in a request line)
SEARCH_SORTS = [SelectChoice("relevance", _l("Best match"))] + [c for c in SORT_CHOICES if c.value != "name"]


class SearchForm(FilterForm):
    q = StringField(_l("Search OCOP products"), validators=[Optional(), Length(max=MAX_QUERY)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sort.choices = SEARCH_SORTS
        if not self.sort.raw_data:
            self.sort.data = "relevance"

    def to_query(self, default_per_page: int) -> SearchQuery:
        filters = asdict(self.to_filters(default_per_page)) | {"sort": self.sort.data or "relevance"}
        return SearchQuery(words=text.query_words(self.q.data), **filters)
