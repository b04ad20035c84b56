"""The search results page, and what search engines read: the sitemap of what is on sale and robots.txt."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from sqlalchemy import select

from .. import ocop
from ..certification.services import listable_select
from ..combos.models import Combo
from ..combos.search import search_combos
from ..combos.services import listable_combo_condition, offers
from ..extensions import db
from ..inventory.queries import open_points
from ..products.models import Product
from ..sellers.models import Seller
from ..urls import public_url_of
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


@bp.get("/sitemap.xml")
def sitemap():
    """Every public page worth indexing, each with its other languages (hreflang): the groups, the
    listable products and their sellers today (a recognition that ends drops its product with no one
    acting), the gift combos on sale and the open sales points. (Past 50,000 addresses it will need an
    index of sitemaps.)"""
    def path(endpoint, **values):  # the Vietnamese address, whatever ?lang= this request came with
        return url_for(endpoint, lang=None, **values)

    rows = db.session.execute(listable_select(Product.id, Seller.id).order_by(Product.id)).all()
    paths = [path("catalog.home"), path("catalog.browse"), path("combos.gifts"), path("salespoints.public_points")]
    paths += [path("catalog.group", code=group.code) for group in ocop.TOP_GROUPS]
    paths += [path("catalog.product", product_id=product_id) for product_id, _seller in rows]
    paths += [path("catalog.seller", seller_id=seller_id) for seller_id in sorted({s for _p, s in rows})]
    paths += [path("combos.combo", combo_id=combo_id) for combo_id in
              db.session.scalars(select(Combo.id).where(listable_combo_condition()).order_by(Combo.id))]
    paths += [path("salespoints.public_point", point_id=point.id) for point in open_points()]
    languages = [(code, "zh-Hans" if code == "zh" else code) for code in current_app.config["LANGUAGES"]]
    xml = render_template("search/sitemap.xml", urls=[public_url_of(path) for path in paths], languages=languages)
    return current_app.response_class(xml, mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    """Accounts, carts, orders and the staff's pages are not for indexing; the sitemap says what is."""
    text = render_template("search/robots.txt", sitemap=public_url_of(url_for("search.sitemap", lang=None)))
    return current_app.response_class(text, mimetype="text/plain")
