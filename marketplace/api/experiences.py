"""Community-tourism experiences in the API: the experiences a visitor can book now with their next sessions,
and one experience's sessions. Only sessions the booking rule offers exist here (`experiences.bookable`)."""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from .. import ocop
from ..catalog.services import listings_by_ids
from ..errors import json_error
from ..experiences import services as experiences
from ..experiences.forms import BookingForm
from ..experiences.models import MAX_CAPACITY, Booking, ExperienceSession
from ..extensions import db, limiter
from ..i18n import current_language, localized, vnd
from ..orders import checkout, payments
from ..orders.models import Order
from ..unit_of_work import kept_after_commit, run_once
from ..urls import public_url
from .blueprint import bp
from .orders import _an_id, _client_key, _object, _order_limit, _payment_json, _texts, _whole


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


BOOKING_FIELDS = {"name": "contact.name", "phone": "contact.phone", "email": "contact.email", "adults": "people"}


def _invalid(problems: dict):
    return json_error(422, "invalid_booking", _("Some fields are invalid."), fields=problems)


@bp.post("/bookings")
@limiter.limit(_order_limit)
def create_booking():
    """Book places in a session: 201 with the booking's number, token and voucher; 409 sold_out (with the
    seats left) or closed; 422 with every bad field. The same form and rules as the booking page."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _invalid({"body": [_("The body must be a JSON object.")]})
    problems: dict[str, list[str]] = {}
    session_id, people, children = body.get("session_id"), body.get("people"), body.get("children", 0)
    session = db.session.get(ExperienceSession, session_id) if _an_id(session_id) else None
    if session is None:
        problems["session_id"] = [_("No session has this id.")]
    if not _whole(people) or not 1 <= people <= MAX_CAPACITY:
        problems["people"] = [_("Must be a whole number from 1 to %(n)d.", n=MAX_CAPACITY)]
    if not _whole(children) or not 0 <= children < (people if _whole(people) else MAX_CAPACITY):
        problems["children"] = [_("Must be a whole number of children, fewer than the people (an adult comes).")]
    contact = _object(body, "contact", problems)
    _texts(contact, ("name", "phone", "email"), "contact", problems)
    if session is None:
        return _invalid(problems)
    language = body.get("language", current_language() if current_language() in session.language_codes
                        else session.language_codes[0])
    values = {"adults": people - children if _whole(people) and _whole(children) else people, "children": children,
              "language": language, "name": contact.get("name"), "phone": contact.get("phone"),
              "email": contact.get("email"), "payment": body.get("payment")}
    form = BookingForm(formdata=MultiDict({k: str(v) for k, v in values.items() if v is not None}),
                       meta={"csrf": False}, session=session)
    if not form.validate():
        for name, messages in form.errors.items():
            problems.setdefault(BOOKING_FIELDS.get(name, name), []).extend(str(m) for m in messages)
    if problems:
        return _invalid(problems)
    party = form.party()
    key = _client_key(checkout.Contact(party.name, party.phone, party.email, 0, 0, ""))
    try:
        with kept_after_commit():
            order, fresh = run_once(Order, key, experiences.book_order, session.id, party, form.payment.data,
                                    locale=current_language())
            booking = experiences.booking_of_order(order.id)
            answer = booking_json(booking)
    except experiences.SoldOut as sold_out:
        return json_error(409, "sold_out", _("Not enough places left in this session."),
                          seats_left=sold_out.seats_left)
    except experiences.ExperienceError as refused:
        if refused.code == "closed":
            return json_error(409, "closed", _("This session can no longer be booked."))
        return _invalid({"people" if refused.code == "party" else refused.code: [_("Not accepted.")]})
    except checkout.CheckoutError as refused:
        if refused.code == "total_too_large":
            return _invalid({"people": [_("A booking may come to at most %(most)s.",
                                          most=vnd(refused.items[0]["limit"]))]})
        if refused.code == "too_many_open_orders":
            return _invalid({"contact.phone": [_("This phone number already has %(n)d bookings to come or waiting "
                                                 "for payment.", n=refused.items[0]["limit"])]})
        return json_error(409, "closed", _("This session can no longer be booked."))
    if not fresh:
        return jsonify(answer), 200
    if answer["payment"]["method"] == "card":
        answer["payment"]["checkout_url"] = payments.card_checkout(booking.order)
    return jsonify(answer), 201


def booking_json(booking: Booking) -> dict:
    order = booking.order
    return {
        "number": order.number,
        "token": order.access_token,
        "code": booking.code_display,
        "voucher_url": experiences.voucher_url(booking),
        "state": booking.state,
        "product_id": booking.session.product_id,
        "session": session_of(booking.session),
        "people": booking.people,
        "children": booking.children,
        "language": booking.language,
        "total_vnd": order.total_vnd,
        "payment": _payment_json(order),
    }
