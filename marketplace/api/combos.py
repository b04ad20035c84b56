"""Gift combos in the API: the combos on sale (by province, occasion, budget, words) and one combo. The
combos' listing rule decides what exists here exactly as on the gift page; ordering one is POST /orders."""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from .. import ocop
from ..combos import services as combos
from ..combos.forms import GiftFilterForm
from ..combos.search import search_combos
from ..errors import json_error
from ..i18n import localized
from ..urls import public_url
from .blueprint import bp

FILTERS = ("province", "region", "occasion", "price_max", "q")


def combo_summary(offer: combos.ComboOffer) -> dict:
    combo = offer.combo
    return {
        "id": combo.id,
        "code": combo.code,
        "name": localized(combo.name, combo.name_en),
        "name_vi": combo.name,
        "name_en": combo.name_en,
        "occasion": combo.occasion,
        "province": {"code": combo.province_code, "name": ocop.province_name(combo.province_code)},
        "price_vnd": combo.price_vnd,
        "available": offer.available,
        "point": {"id": offer.point.id, "code": offer.point.code, "name": offer.point.name}
        if offer.point is not None else None,
        "parcels": offer.parcels,
        "carry_on": not offer.checked_baggage,
        "url": public_url("combos.combo", combo_id=combo.id),
        "items": [{"product_id": item.item.product_id,
                   "name": localized(item.item.product.name, item.item.product.name_en),
                   "quantity": item.quantity} for item in offer.items],
    }


def combo_detail(offer: combos.ComboOffer) -> dict:
    combo = offer.combo
    return combo_summary(offer) | {"story": localized(combo.story, combo.story_en), "story_vi": combo.story,
                                   "story_en": combo.story_en, "list_price_vnd": offer.list_price_vnd}


@bp.get("/combos")
def list_combos():
    odd = sorted({name for name, values in request.args.lists()
                  if name in FILTERS and (len(values) > 1 or (name != "q" and not values[0].strip()))})
    if odd:
        return json_error(422, "invalid_parameters", _("Some query parameters are invalid."),
                          fields={name: [_("Give it once, with a value (or leave it out).")] for name in odd})
    form = GiftFilterForm(request.args)
    if not form.validate():
        return json_error(422, "invalid_parameters", _("Some query parameters are invalid."),
                          fields={name: [str(e) for e in errors] for name, errors in form.errors.items()})
    found = search_combos(form.q.data, form.to_filters(), limit=100)
    offers = combos.offers(found)
    return jsonify(items=[combo_summary(offers[combo.id]) for combo in found], total=len(found))


@bp.get("/combos/<int:combo_id>")
def get_combo(combo_id: int):
    offer = combos.get_offer(combo_id)
    if offer is None:
        return json_error(404, "not_found", _("No gift combo on sale has this id."))
    return jsonify(combo_detail(offer))
