"""The search results page."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from ..combos.search import search_combos
from ..combos.services import offers
from . import services
from .forms import SearchForm

bp = Blueprint("search", __name__)


@bp.get("/search")
def results():
    form = SearchForm(request.args)
    valid = form.validate()
    if not valid:  # a hand-edited link: search without the filters that are wrong
        for name in form.errors:
            getattr(form, name).data = None
    query = form.to_query(current_app.config["PER_PAGE"])
    query.per_page = current_app.config["PER_PAGE"]
    page = services.search(query)
    combos = search_combos(form.q.data, limit=4, gifts_asked=True) if form.q.data and query.page == 1 else []
    return render_template("search/results.html", form=form, page=page, q=form.q.data or "", combos=combos,
                           combo_offers=offers(combos))
