"""The shop's gift pages: /gifts (combos first, then gift-suitable products, by region, province,
occasion and budget) and a combo's own page. The combos' listing rule decides what is shown."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from .. import ocop
from ..catalog import services as catalog
from . import services
from .forms import GiftFilterForm
from .search import search_combos

bp = Blueprint("combos", __name__)


@bp.app_template_global()
def featured_combos(limit: int = 4) -> tuple[list, dict]:
    """Combos on sale for another package's page (the home page shows a few): (combos, their offers)."""
    combos = services.find_combos(limit=limit)
    return combos, services.offers(combos)


@bp.get("/gifts")
def gifts():
    form = GiftFilterForm(request.args)
    if not form.validate():  # a hand-edited link: show gifts without the filters that are wrong
        for name in form.errors:
            getattr(form, name).data = None
    filters = form.to_filters()
    combos = search_combos(form.q.data, filters)
    provinces = ocop.provinces_of_region(filters.region) if filters.region else None
    products = [] if form.q.data else catalog.find_listings(catalog.Filters(
        province=filters.province, provinces=provinces, price_max=filters.price_max, gifts=True, sort="stars",
        per_page=12), count=False).items
    return render_template("combos/gifts.html", form=form, combos=combos, offers=services.offers(combos),
                           products=products)


@bp.get("/combos/<int:combo_id>")
def combo(combo_id: int):
    offer = services.get_offer(combo_id)
    if offer is None:
        abort(404)
    return render_template("combos/combo.html", offer=offer, combo=offer.combo)
