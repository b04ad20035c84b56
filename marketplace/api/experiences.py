"""Community-tourism experiences in the API: the experiences a visitor can book now with their next sessions,
and one experience's sessions. Only sessions the booking rule offers exist here (`experiences.bookable`)."""
from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from .. import ocop
from ..catalog.services import listings_by_ids
from ..errors import json_error
from ..experiences import services as experiences
from ..experiences.models import ExperienceSession
from ..i18n import localized
from ..urls import public_url
from .blueprint import bp


def session_of(session: ExperienceSession) -> dict:
    return {
        "id": session.id,
        "starts_at": session.starts_at.astimezone(ocop.VN_TZ).isoformat(),
        "duration_minutes": session.duration_minutes,
        "seats_left": session.seats_left,
        "price_vnd": session.price_vnd,
        "child_price_vnd": session.child_price_vnd,
        "languages": session.language_codes,
        "min_party": session.min_party,
        "max_party": session.max_party,
        "meeting_point": localized(session.meeting_point_vi, session.meeting_point_en),
    }


@bp.get("/experiences")
def list_experiences():
    offered = experiences.offered()
    items = [{
        "product_id": listing.product.id,
        "name": localized(listing.product.name, listing.product.name_en),
        "stars": listing.record.stars,
        "province": {"code": listing.seller.province_code, "name": ocop.province_name(listing.seller.province_code)},
        "seller": listing.seller.legal_name,
        "url": public_url("catalog.product", product_id=listing.product.id),
        "next_sessions": [session_of(session) for session in sessions],
    } for listing, sessions in offered]
    return jsonify({"items": items, "total": len(items)})


@bp.get("/experiences/<int:product_id>/sessions")
def list_sessions(product_id: int):
    listing = next(iter(listings_by_ids([product_id], photos=False)), None)
    if listing is None or not experiences.is_experience(listing.product):
        return json_error(404, "not_found", _("No experience on sale has this id."))
    return jsonify({"items": [session_of(session) for session in experiences.upcoming(product_id)]})
