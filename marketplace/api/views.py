"""Read API over the catalogue. Every answer comes from the catalogue services, so the listing
rule decides what exists here exactly as it does on the pages."""
from __future__ import annotations

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _

from .. import ocop
from ..catalog import services
from ..catalog.forms import FilterForm
from ..errors import json_error
from ..reviews import services as reviews
from ..search import services as search_services
from ..search.forms import MAX_QUERY, SearchForm
from ..urls import public_url
from .blueprint import bp
from .openapi import openapi_document


def _decimal(value):
    return float(value) if value is not None else None


def product_summary(listing: services.Listing) -> dict:
    product, seller = listing.product, listing.seller
    return {
        "id": product.id,
        "name": product.name,
        "name_en": product.name_en,
        "stars": listing.record.stars,
        "group_code": product.group_code,
        "province": {"code": seller.province_code, "name": seller.province_name},
        "price_vnd": product.price_vnd,
        "unit": product.unit,
        "seller": {"id": seller.id, "name": seller.legal_name},
        "url": public_url("catalog.product", product_id=product.id),
        "image": public_url("catalog.media", filename=product.images[0].filename)
        if product.images else None,
        "rating": {"average": round(product.rating, 2) if product.rating is not None else None,
                   "count": product.rating_count or 0},
    }


def product_detail(listing: services.Listing) -> dict:
    product, record, seller = listing.product, listing.record, listing.seller
    return product_summary(listing) | {
        "description": product.description,
        "description_en": product.description_en,
        "story": record.story,
        "story_en": record.story_en,
        "badges": [badge.code for badge in listing.badges],
        "recognition": {
            "stars": record.stars,
            "score": _decimal(record.score),
            "scores": {"a": _decimal(record.score_a), "b": _decimal(record.score_b), "c": _decimal(record.score_c)},
            "decision_no": record.decision_no,
            "decision_date": record.decision_date.isoformat(),
            "issuer": record.issuer,
            "level": record.level,
            "valid_until": record.valid_until.isoformat(),
            "legal_basis": record.legal_basis,
        },
        "traceability": {
            "geographical_indication": product.geographical_indication,
            "planting_area_code": product.planting_area_code,
            "gtin": product.gtin,
            "trace_url": public_url("catalog.trace", product_id=product.id),
        },
        "seller": {
            "id": seller.id,
            "name": seller.legal_name,
            "entity_type": seller.entity_type,
            "province": {"code": seller.province_code, "name": seller.province_name},
        },
    }


def _invalid(form):
    return json_error(422, "invalid_parameters", _("Some query parameters are invalid."),
                 fields={name: [str(e) for e in errors] for name, errors in form.errors.items()})


@bp.get("/products")
def list_products():
    odd = sorted({name for name, values in request.args.lists()
                  if len(values) > 1 or (name != "q" and not values[0].strip())})
    if odd:  # the page's form sends "" for "any"; the API's document has one value per parameter, never blank
        return json_error(422, "invalid_parameters", _("Some query parameters are invalid."),
                     fields={name: [_("Give it once, with a value (or leave it out).")] for name in odd})
    if "q" in request.args:
        return _search_products()
    args = request.args.copy()
    if args.get("sort") == "relevance":  # best match without words to match: the newest first, as documented
        args["sort"] = "newest"
    form = FilterForm(args)
    if not form.validate():
        return _invalid(form)
    page = services.find_listings(form.to_filters(current_app.config["PER_PAGE"]))
    return jsonify(items=[product_summary(item) for item in page.items],
                   total=page.total, page=page.page, per_page=page.per_page)


def _search_products():
    form = SearchForm(request.args)
    if not form.validate():
        return _invalid(form)
    query = form.to_query(current_app.config["PER_PAGE"])
    page = search_services.search(query)
    if not page.available:
        return json_error(503, "search_unavailable", _("Search is switched off on this shop."))
    return jsonify(
        items=[product_summary(hit.listing) | {"highlight": {"name": str(hit.name)}} for hit in page.hits],
        total=page.total, page=query.page, per_page=query.per_page,
        facets={"group": page.facets["group"],
                "province": {str(code): n for code, n in page.facets["province"].items()},
                "stars": {str(stars): n for stars, n in page.facets["stars"].items()}},
        suggestion=page.suggestion,
    )


@bp.get("/suggest")
def suggest():
    q = request.args.get("q")
    if q is None or len(q) > MAX_QUERY:
        return json_error(422, "invalid_parameters", _("Some query parameters are invalid."),
                     fields={"q": [_("Type a few letters (at most %(n)d).", n=MAX_QUERY)]})
    return jsonify(items=[{"id": product_id, "name": name, "name_en": name_en,
                           "url": url_for("catalog.product", product_id=product_id)}
                          for product_id, name, name_en in search_services.suggest(q, limit=8)])


@bp.get("/products/<int:product_id>")
def get_product(product_id: int):
    listing = services.get_listing(product_id)
    if listing is None:
        return json_error(404, "not_found", _("No listed product has this id."))
    return jsonify(product_detail(listing))


@bp.get("/products/<int:product_id>/reviews")
def get_product_reviews(product_id: int):
    listing = services.get_listing(product_id)
    if listing is None:
        return json_error(404, "not_found", _("No listed product has this id."))
    return jsonify(rating=product_summary(listing)["rating"], items=[
        {"stars": review.stars, "author": review.author, "text": review.text, "language": review.language,
         "created_at": review.created_at.isoformat(), "reply": review.reply}
        for review in reviews.visible(product_id, limit=50)])


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document(public_url("api.openapi").removesuffix("/openapi.json")))


@bp.get("/provinces/<int:code>/wards")
def wards(code: int):
    """The wards and communes of a province (since July 2025), for address pickers."""
    if ocop.province(code) is None:
        return json_error(404, "not_found", _("No province has this code."))
    return jsonify(items=[{"code": int(w.code), "name": w.name} for w in ocop.wards_of(code)])
