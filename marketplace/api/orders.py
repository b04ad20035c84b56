"""The order API for mobile and partner clients: place an order, follow it with its token.
The same checks and the same pipeline as the checkout page: CheckoutForm, orders.services."""
from __future__ import annotations

import hashlib
from operator import attrgetter

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from .. import ocop
from ..errors import json_error
from ..extensions import db, limiter
from ..i18n import current_language, vnd
from ..inventory.models import SalesPoint
from ..inventory.queries import point_at
from ..orders import checkout, payments
from ..orders import services as orders
from ..orders.cart import max_units
from ..orders.forms import CheckoutForm
from ..orders.models import Order
from ..security import MAX_ID
from ..unit_of_work import kept_after_commit, run_once
from .blueprint import bp

MAX_ITEMS = 50
# CheckoutForm field → where it sits in the JSON body
FIELD_PATHS = {"name": "contact.name", "phone": "contact.phone", "email": "contact.email",
               "province": "address.province", "ward": "address.ward", "street": "address.street",
               "payment": "payment", "delivery": "pickup_point"}


def _order_limit() -> str:
    return current_app.config["ORDER_RATE_LIMIT"]


def _object(body: dict, key: str, problems: dict) -> dict:
    value = body.get(key)
    if isinstance(value, dict):
        return value
    problems[key] = [_("Must be an object.")]
    return {}


def _texts(obj: dict, keys: tuple[str, ...], prefix: str, problems: dict) -> None:
    """Each of `keys` given in `obj` must be text (a name sent as a list or a number is named, not read as
    its Python spelling)."""
    for key in keys:
        if obj.get(key) is not None and not isinstance(obj[key], str):
            problems[f"{prefix}.{key}"] = [_("Must be text.")]


def _items(value, problems: dict) -> tuple[dict[int, int], dict[int, int]]:
    """The products ({id: quantity}) and the gift combos ({id: boxes}) the body asks for."""
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_ITEMS:
        problems["items"] = [_("Must be a list of 1 to %(n)d items.", n=MAX_ITEMS)]
        return {}, {}
    wanted: dict[str, dict[int, int]] = {"product_id": {}, "combo_id": {}}
    seen: dict[str, set[int]] = {"product_id": set(), "combo_id": set()}
    for n, item in enumerate(value):
        item = item if isinstance(item, dict) else {}
        kind = "combo_id" if "combo_id" in item and "product_id" not in item else "product_id"
        ident, quantity = item.get(kind), item.get("quantity")
        if "combo_id" in item and "product_id" in item:
            problems[f"items[{n}]"] = [_("Give product_id or combo_id, not both.")]
            continue
        if not _an_id(ident):
            problems[f"items[{n}].{kind}"] = [_("Must be a gift combo id.") if kind == "combo_id"
                                              else _("Must be a product id.")]
        elif ident in seen[kind]:
            problems[f"items[{n}].{kind}"] = [_("This gift combo is listed twice.") if kind == "combo_id"
                                              else _("This product is listed twice.")]
            continue
        else:
            seen[kind].add(ident)
        if not _whole(quantity) or not 1 <= quantity <= max_units():
            problems[f"items[{n}].quantity"] = [_("Must be a whole number from 1 to %(n)d (the most of one product "
                                                  "per order).", n=max_units())]
        elif _an_id(ident):
            wanted[kind][ident] = quantity
    return wanted["product_id"], wanted["combo_id"]


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _an_id(value) -> bool:
    """A whole number that can name a row (beyond MAX_ID it names none)."""
    return _whole(value) and 1 <= value <= MAX_ID


def _province_code(value) -> str:
    """A province by official code (number or text) or name; left as given when unknown (the form says so)."""
    try:
        return str(int(ocop.find_province(str(value)).code))
    except ValueError:
        return str(value)


def _pickup_point(value, problems: dict):
    """The open sales point to collect the order at, when the body names one."""
    if value is None:
        return None
    point = db.session.get(SalesPoint, value) if _an_id(value) else None
    if point is None or not point.active:
        problems["pickup_point"] = [_("Not an open sales point.")]
        return None
    return point


def _invalid(problems: dict):
    return json_error(422, "invalid_order", _("Some fields are invalid."), fields=problems)


@bp.post("/orders")
@limiter.limit(_order_limit)
def create_order():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _invalid({"body": [_("The body must be a JSON object.")]})
    problems: dict[str, list[str]] = {}
    items, combos = _items(body.get("items"), problems)
    point = _pickup_point(body.get("pickup_point"), problems)
    contact = _object(body, "contact", problems)
    _texts(contact, ("name", "phone", "email"), "contact", problems)
    if point is not None and body.get("address") is None:
        address = {}  # collected at the point: no address needed
    else:
        address = _object(body, "address", problems)
        _texts(address, ("street",), "address", problems)
    values = {"name": contact.get("name"), "phone": contact.get("phone"), "email": contact.get("email"),
              "province": _province_code(address.get("province")) if address.get("province") is not None else None,
              "ward": address.get("ward"), "street": address.get("street"), "payment": body.get("payment"),
              "delivery": f"point-{point.id}" if point is not None else "post"}
    form = CheckoutForm(formdata=MultiDict({k: str(v) for k, v in values.items() if v is not None}),
                        meta={"csrf": False}, pickup_points=[point] if point is not None else [])
    if not form.validate():
        for name, messages in form.errors.items():
            problems.setdefault(FIELD_PATHS.get(name, name), []).extend(str(m) for m in messages)
    if problems:
        return _invalid(problems)

    expected = body.get("expected_total_vnd")
    if expected is not None and (not _whole(expected) or expected < 0):
        return _invalid({"expected_total_vnd": [_("Must be a whole number of đồng.")]})
    key = _client_key(form.contact())
    try:
        with kept_after_commit():  # the answer shows the order as written, without reading it back
            order, fresh = run_once(Order, key, checkout.place_order, items, form.contact(), form.payment.data,
                                    locale=current_language(), seen_total=expected, combos=combos,
                                    pickup_location_id=point.location_id if point is not None else None)
            answer = order_json(order) | {"token": order.access_token} if fresh else None
    except checkout.CheckoutError as refused:
        return _refusal(refused, body)
    if not fresh:  # a retry with the same Idempotency-Key: the same order, nothing placed again
        order = orders.order_for_answer(order)
        return jsonify(order_json(order) | {"token": order.access_token}), 200
    checkout_url = payments.card_checkout(order) if answer["payment"]["method"] == "card" else None
    if checkout_url:
        answer["payment"]["checkout_url"] = checkout_url
    return jsonify(answer), 201


def _client_key(contact) -> str | None:
    """The client's Idempotency-Key, bound to the buyer it was sent for: a retry of a request whose answer
    was lost finds its order; the key alone (without the buyer's phone and email) finds nothing."""
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 200:
        return None
    return "api:" + hashlib.sha256(f"{key}\n{contact.phone}\n{contact.email}".encode()).hexdigest()[:56]


def _refusal(refused, body: dict):
    """The answer for an order the pipeline would not place."""
    if refused.code == "out_of_stock":
        return json_error(409, "out_of_stock", _("Not enough stock for some items."), items=refused.items)
    if refused.code == "price_changed":
        return json_error(409, "price_changed", _("The total changed since you were shown it: nothing was placed."),
                          total_vnd=refused.quote.total_vnd)
    positions = {(kind, item[kind]): n for n, item in enumerate(body["items"]) for kind in ("product_id", "combo_id")
                 if kind in item}

    def where(item: dict, field: str) -> str:
        kind = "combo_id" if "combo_id" in item else "product_id"
        return f"items[{positions[kind, item[kind]]}].{kind if field == 'id' else field}"

    if refused.code == "unlisted":
        return _invalid({where(item, "id"): [_("This gift combo is not on sale.") if "combo_id" in item
                                             else _("This product is not on sale.")] for item in refused.items})
    if refused.code == "book_instead":
        return _invalid({where(item, "id"): [_("This is an experience: book a date through /api/v1/bookings.")]
                         for item in refused.items})
    if refused.code == "combo_elsewhere":
        return _invalid({where(item, "id"): [_("This gift combo is packed at its own sales point: collect it "
                                               "there, or have it delivered.")] for item in refused.items})
    if refused.code == "too_many_units":
        return _invalid({where(item, "quantity"): [
            _("At most %(n)d of one product per order.", n=item["limit"])] for item in refused.items})
    if refused.code == "total_too_large":
        return _invalid({"items": [_("An order may come to at most %(most)s.", most=vnd(refused.items[0]["limit"]))]})
    if refused.code == "too_many_open_orders":
        return _invalid({"contact.phone": [_("This phone number already has %(n)d orders waiting for payment or "
                                             "delivery.", n=refused.items[0]["limit"])]})
    return _invalid({"payment": [_("This shop does not offer this payment method.")]})


def _token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[len("Bearer "):].strip()
    return request.args.get("token")


@bp.get("/orders/<number>")
def get_order(number: str):
    order = orders.find_order(number, _token())
    if order is None:
        return json_error(404, "not_found", _("No order has this number and token."))
    return jsonify(order_json(order))


def _payment_json(order) -> dict:
    answer = {"method": order.payment_method, "status": order.payment_status,
              "due_at": order.payment_due_at.isoformat() if order.payment_due_at else None}
    if order.payment_method == "vietqr" and orders.awaiting_payment(order):
        config = current_app.config
        answer["vietqr"] = {"payload": payments.vietqr_payload(order), "bank_bin": config["VIETQR_BANK_BIN"],
                            "account_no": config["VIETQR_ACCOUNT_NO"], "account_name": config["VIETQR_ACCOUNT_NAME"],
                            "amount_vnd": order.total_vnd, "reference": payments.transfer_reference(order)}
    if order.payment_method == "card" and orders.awaiting_payment(order):
        payment = payments.payment_of(order)
        answer["checkout_url"] = payment.checkout_url if payment else None
    return answer


def _pickup_json(order) -> dict | None:
    if order.pickup_location_id is None:
        return None
    point = point_at(order.pickup_location_id)
    return {"id": point.id, "name": point.name, "address": order.street, "opening_hours": point.opening_hours}


def _stored(rows) -> list:
    """Parts, lines or boxes in the order they were stored, as reading the order back lists them: the same
    whether the order was just written (the 201) or read again (a GET)."""
    return sorted(rows, key=attrgetter("id"))


def order_json(order) -> dict:
    return {
        "number": order.number,
        "status": orders.status_of(order),
        "created_at": order.created_at.isoformat(),
        "goods_vnd": order.goods_vnd,
        "delivery_vnd": order.delivery_vnd,
        "total_vnd": order.total_vnd,
        "payment": _payment_json(order),
        "url": orders.order_url(order),
        "pickup_point": _pickup_json(order),
        "parts": [{
            "seller": {"id": part.seller.id, "name": part.seller.legal_name},
            "state": part.state,
            "goods_vnd": part.goods_vnd,
            "delivery_vnd": part.delivery_vnd,
            "lines": [{"product_id": line.product_id, "name": line.name, "name_en": line.name_en, "unit": line.unit,
                       "stars": line.stars, "unit_price_vnd": line.unit_price_vnd, "quantity": line.quantity,
                       "subtotal_vnd": line.subtotal_vnd,
                       "combo_id": line.order_combo.combo_id if line.order_combo is not None else None}
                      for line in _stored(part.lines)],
        } for part in _stored(order.parts)],
        "combos": [{"combo_id": box.combo_id, "code": box.code, "name": box.name, "name_en": box.name_en,
                    "unit_price_vnd": box.unit_price_vnd, "quantity": box.quantity} for box in _stored(order.combos)],
    }
