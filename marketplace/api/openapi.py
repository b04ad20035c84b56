"""The OpenAPI 3.1 document of /api/v1. Tests validate real answers against these schemas."""
from __future__ import annotations

from .. import ocop
from ..combos.models import OCCASIONS
from ..experiences.models import BOOKING_STATES, LANGUAGES, MAX_CAPACITY
from ..orders.checkout import available_methods, booking_methods
from ..orders.models import PART_STATES, PAYMENT_METHODS, PAYMENT_STATUSES
from ..products.models import MAX_PRICE
from ..search.forms import MAX_QUERY
from ..security import MAX_ID

PROVINCE_CODES = sorted(int(province.code) for province in ocop.PROVINCES)
_SUBS = "|".join(code.replace(".", "\\.") for code in sorted(ocop.GROUPS) if "." in code)
_TOPS = "|".join(code for code in sorted(ocop.GROUPS) if "." not in code)
GROUP_PATTERN = f"^[ \\t]*(?:(?:{_SUBS})(?:\\.[a-zA-Z])?|(?:{_TOPS}))[ \\t]*$"  # what the filter accepts
TEXT = "^[^\\u0000]*$"  # no NUL character (refused with 400 in a query, 422 in a body)
# A one-line text (a name, a street, search words): no NUL, no line break, no other control character (422).
ONE_LINE = "^[^\\u0000-\\u001f\\u007f]*$"
NONBLANK = "^[^\\u0000-\\u001f\\u007f]*\\S[^\\u0000-\\u001f\\u007f]*$"

NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_NUMBER = {"type": ["number", "null"]}

PROVINCE = {
    "type": "object",
    "required": ["code", "name"],
    "properties": {"code": {"type": "integer"}, "name": {"type": "string"}},
}

RATING = {
    "type": "object",
    "description": "Verified buyers' visible reviews (those whose order was delivered)",
    "required": ["average", "count"],
    "properties": {"average": {"type": ["number", "null"], "minimum": 1, "maximum": 5},
                   "count": {"type": "integer", "minimum": 0}},
}

REVIEWS = {
    "type": "object",
    "required": ["rating", "items"],
    "properties": {
        "rating": RATING,
        "items": {"type": "array", "description": "Newest first, at most 50", "items": {
            "type": "object",
            "required": ["stars", "author", "text", "language", "created_at", "reply"],
            "properties": {
                "stars": {"type": "integer", "minimum": 1, "maximum": 5},
                "author": {"type": "string", "description": "Given name and an initial"},
                "text": NULLABLE_STRING,
                "language": {"type": "string"},
                "created_at": {"type": "string", "format": "date-time"},
                "reply": {**NULLABLE_STRING, "description": "The producer's one answer"},
            }}},
    },
}

PRODUCT_SUMMARY = {
    "type": "object",
    "required": ["id", "name", "name_en", "stars", "group_code", "province", "price_vnd", "unit", "seller", "url",
                 "rating"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string", "description": "Vietnamese name"},
        "name_en": NULLABLE_STRING,
        "stars": {"type": "integer", "minimum": 3, "maximum": 5},
        "group_code": {"type": "string", "examples": ["I.5", "I.5.a"]},
        "province": {"$ref": "#/components/schemas/Province"},
        "price_vnd": {"type": "integer", "minimum": 1, "description": "Whole Vietnamese đồng"},
        "unit": {"type": "string"},
        "seller": {
            "type": "object",
            "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "url": {"type": "string", "format": "uri"},
        "image": NULLABLE_STRING,
        "rating": RATING,
    },
}

PRODUCT_DETAIL = {
    "allOf": [{"$ref": "#/components/schemas/ProductSummary"}],
    "type": "object",
    "required": ["description", "story", "badges", "recognition", "traceability", "seller"],
    "properties": {
        "description": NULLABLE_STRING,
        "description_en": NULLABLE_STRING,
        "story": NULLABLE_STRING,
        "story_en": NULLABLE_STRING,
        "badges": {
            "type": "array",
            "items": {"enum": ["stars", "national_5", "gi", "planting_area", "cooperative", "women_led",
                               "ethnic_minority_led"]},
        },
        "recognition": {
            "type": "object",
            "required": ["stars", "decision_no", "decision_date", "issuer", "level", "valid_until", "legal_basis"],
            "properties": {
                "stars": {"type": "integer", "minimum": 3, "maximum": 5},
                "score": NULLABLE_NUMBER,
                "scores": {
                    "type": "object",
                    "properties": {"a": NULLABLE_NUMBER, "b": NULLABLE_NUMBER, "c": NULLABLE_NUMBER},
                },
                "decision_no": {"type": "string"},
                "decision_date": {"type": "string", "format": "date"},
                "issuer": {"type": "string"},
                "level": {"enum": ["district", "provincial", "national"]},
                "valid_until": {"type": "string", "format": "date",
                                "description": "First day the recognition is no longer valid"},
                "legal_basis": {"type": "string"},
            },
        },
        "traceability": {
            "type": "object",
            "required": ["geographical_indication", "planting_area_code", "gtin", "trace_url"],
            "properties": {
                "geographical_indication": NULLABLE_STRING,
                "planting_area_code": NULLABLE_STRING,
                "gtin": NULLABLE_STRING,
                "trace_url": {"type": "string", "format": "uri"},
            },
        },
        "seller": {
            "type": "object",
            "required": ["id", "name", "entity_type", "province"],
            "properties": {
                "id": {"type": "integer"},
                "name": {"type": "string"},
                "entity_type": {"enum": ["cooperative", "cooperative_group", "enterprise", "farm", "household"]},
                "province": {"$ref": "#/components/schemas/Province"},
            },
        },
    },
}

PRODUCT_PAGE = {
    "type": "object",
    "required": ["items", "total", "page", "per_page"],
    "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/ProductSummary"}},
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
    },
}

COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}

SEARCH_PAGE = {
    "allOf": [{"$ref": "#/components/schemas/ProductPage"}],
    "type": "object",
    "required": ["facets", "suggestion"],
    "properties": {
        "items": {"type": "array", "items": {
            "allOf": [{"$ref": "#/components/schemas/ProductSummary"}],
            "type": "object",
            "required": ["highlight"],
            "properties": {"highlight": {"type": "object", "properties": {"name": {"type": "string"}},
                                         "description": "The name with matched words in <mark>, HTML-escaped"}},
        }},
        "facets": {
            "type": "object",
            "required": ["group", "province", "stars"],
            "properties": {
                "group": COUNTS | {"description": "Counts by group and sub-group code (I, I.5, ...)"},
                "province": COUNTS | {"description": "Counts by official province code"},
                "stars": COUNTS | {"description": "Counts by star level"},
            },
        },
        "suggestion": {"type": ["string", "null"], "description": "A corrected query when nothing matched"},
    },
}

SUGGESTIONS = {
    "type": "object",
    "required": ["items"],
    "properties": {"items": {"type": "array", "maxItems": 8, "items": {
        "type": "object",
        "required": ["id", "name", "name_en", "url"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "name_en": NULLABLE_STRING,
                       "url": {"type": "string"}},
    }}},
}

ERROR = {
    "type": "object",
    "required": ["error", "status"],
    "properties": {
        "error": {"type": "string"},
        "status": {"type": "integer"},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
}


ORDER_REQUEST = {
    "type": "object",
    "required": ["items", "contact", "payment"],
    "description": "`address` for delivery by post, or `pickup_point` to collect it at a sales point.",
    "oneOf": [{"required": ["address"]}, {"required": ["pickup_point"]}],  # one, not both
    "properties": {
        "items": {"type": "array", "minItems": 1, "maxItems": 50, "items": {
            "type": "object", "required": ["quantity"],
            "description": "A product (`product_id`) or a gift combo (`combo_id`, GET /combos), with how many",
            "oneOf": [{"required": ["product_id"], "not": {"required": ["combo_id"]}},
                      {"required": ["combo_id"], "not": {"required": ["product_id"]}}],
            "properties": {"product_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                           "combo_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "quantity": {
                "type": "integer", "minimum": 1, "maximum": 20,
                "description": "At most MAX_UNITS_PER_LINE (20 by default) of one product, or boxes of one "
                               "combo, per order"}}}},
        "contact": {"type": "object", "required": ["name", "phone", "email"], "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": NONBLANK},
            "phone": {"type": "string", "maxLength": 30, "pattern": "^[0-9 .()+-]{6,30}$",
                      "description": "A phone number of any country, with + and its country code "
                                     "(+44 7911 123456); without one, a Vietnamese number (0912 345 678)"},
            "email": {"type": "string", "format": "email"}}},
        "address": {"type": "object", "required": ["province", "ward", "street"], "properties": {
            "province": {"type": ["integer", "string"], "pattern": ONE_LINE,
                         "description": "Official province code or name"},
            "ward": {"type": ["integer", "string"], "pattern": ONE_LINE,
                     "description": "Official ward/commune code or name (GET /provinces/{code}/wards)"},
            "street": {"type": "string", "minLength": 1, "maxLength": 300, "pattern": NONBLANK}}},
        "pickup_point": {"type": "integer", "minimum": 1, "maximum": MAX_ID,
                         "description": "Collect the order at this OCOP sales point (GET /points on the site); "
                                        "it must hold every item"},
        "expected_total_vnd": {"type": "integer", "minimum": 0,
                               "description": "The total the buyer was shown; when it differs from the total "
                                              "of now, nothing is placed (409 price_changed)"},
        "payment": {"enum": ["cod", "vietqr", "card", "at_point"],
                    "description": "Cash on delivery (by post); pay at the point when collecting (pickup); "
                                   "VietQR bank transfer; card through Stripe Checkout (VietQR and card only "
                                   "where the shop offers them)"},
    },
}

ORDER = {
    "type": "object",
    "required": ["number", "status", "created_at", "goods_vnd", "delivery_vnd", "total_vnd", "payment", "url",
                 "pickup_point", "parts"],
    "properties": {
        "number": {"type": "string", "examples": ["261122-048213"]},
        "token": {"type": "string", "description": "Only in the 201 answer: keep it to read the order later"},
        "status": {"enum": ["awaiting_payment", "expired", "cancelled", "placed", "in_progress", "delivered"]},
        "created_at": {"type": "string", "format": "date-time"},
        "goods_vnd": {"type": "integer"},
        "delivery_vnd": {"type": "integer"},
        "total_vnd": {"type": "integer", "description": "Whole Vietnamese đồng"},
        "url": {"type": "string", "format": "uri", "description": "The buyer's order page"},
        "pickup_point": {"type": ["object", "null"], "description": "Where to collect it (null: by post)",
                         "properties": {"id": {"type": "integer"}, "name": {"type": "string"},
                                        "address": {"type": "string"}, "opening_hours": {"type": "string"}}},
        "payment": {
            "type": "object",
            "required": ["method", "status", "due_at"],
            "properties": {
                "method": {"enum": list(PAYMENT_METHODS)},
                "status": {"enum": list(PAYMENT_STATUSES),
                           "description": "cancelled: every part was cancelled before payment, nothing to pay"},
                "due_at": {"type": ["string", "null"], "format": "date-time",
                           "description": "VietQR and card: the order is cancelled if unpaid by then"},
                "checkout_url": {"type": ["string", "null"],
                                 "description": "Card: Stripe's payment page (null if Stripe could not be reached)"},
                "vietqr": {
                    "type": "object",
                    "required": ["payload", "bank_bin", "account_no", "amount_vnd", "reference"],
                    "properties": {
                        "payload": {"type": "string", "description": "EMVCo VietQR text to draw as a QR code"},
                        "bank_bin": {"type": "string"}, "account_no": {"type": "string"},
                        "account_name": {"type": "string"}, "amount_vnd": {"type": "integer"},
                        "reference": {"type": "string"},
                    },
                },
            },
        },
        "parts": {"type": "array", "items": {
            "type": "object",
            "required": ["seller", "state", "goods_vnd", "delivery_vnd", "lines"],
            "properties": {
                "seller": {"type": "object", "required": ["id", "name"],
                           "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
                "state": {"enum": list(PART_STATES)},
                "goods_vnd": {"type": "integer"},
                "delivery_vnd": {"type": "integer"},
                "lines": {"type": "array", "items": {
                    "type": "object",
                    "required": ["product_id", "name", "stars", "unit_price_vnd", "quantity", "subtotal_vnd",
                                 "combo_id"],
                    "properties": {"product_id": {"type": "integer"}, "name": {"type": "string"},
                                   "name_en": NULLABLE_STRING, "unit": {"type": "string"},
                                   "stars": {"type": "integer"},
                                   "unit_price_vnd": {"type": "integer", "description": "A combo's item: its share "
                                                      "per unit, rounded (subtotal_vnd is exact)"},
                                   "quantity": {"type": "integer"},
                                   "subtotal_vnd": {"type": "integer", "description": "What the line costs; a "
                                                    "combo's item: its share of the combo's price"},
                                   "combo_id": {"type": ["integer", "null"],
                                                "description": "The gift combo this line is an item of"}}}},
            },
        }},
        "combos": {"type": "array", "description": "The gift combos ordered; their items are lines of the parts",
                   "items": {"type": "object",
                             "required": ["combo_id", "code", "name", "unit_price_vnd", "quantity"],
                             "properties": {"combo_id": {"type": "integer"}, "code": {"type": "string"},
                                            "name": {"type": "string"}, "name_en": NULLABLE_STRING,
                                            "unit_price_vnd": {"type": "integer"}, "quantity": {"type": "integer"}}}},
    },
}

COMBO_SUMMARY = {
    "type": "object",
    "required": ["id", "code", "name", "occasion", "province", "price_vnd", "available", "point", "parcels",
                 "carry_on", "url", "items"],
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string", "examples": ["HUE-SOUVENIR"]},
        "name": {"type": "string", "description": "In the language asked (Accept-Language), else Vietnamese"},
        "name_vi": {"type": "string"},
        "name_en": NULLABLE_STRING,
        "occasion": {"enum": list(OCCASIONS)},
        "province": {"$ref": "#/components/schemas/Province", "description": "The place whose story it tells"},
        "price_vnd": {"type": "integer", "minimum": 1, "description": "Whole Vietnamese đồng, for one box"},
        "available": {"type": "integer", "minimum": 0,
                      "description": "Boxes that can be had now: the scarcest item's available ÷ its quantity"},
        "point": {"type": ["object", "null"], "description": "The sales point that packs it (null: each "
                                                             "producer ships its items)",
                  "properties": {"id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"}}},
        "parcels": {"type": "integer", "minimum": 0, "description": "Parcels a delivered box arrives in"},
        "carry_on": {"type": "boolean", "description": "No liquid over 100 ml: it may fly in cabin baggage"},
        "url": {"type": "string", "format": "uri"},
        "items": {"type": "array", "items": {
            "type": "object", "required": ["product_id", "name", "quantity"],
            "properties": {"product_id": {"type": "integer"}, "name": {"type": "string"},
                           "quantity": {"type": "integer", "minimum": 1}}}},
    },
}

COMBO_DETAIL = {
    "allOf": [{"$ref": "#/components/schemas/ComboSummary"}],
    "type": "object",
    "required": ["story", "list_price_vnd"],
    "properties": {"story": {"type": "string"}, "story_vi": NULLABLE_STRING, "story_en": NULLABLE_STRING,
                   "list_price_vnd": {"type": "integer", "description": "The items bought one by one"}},
}

EXPERIENCE_SESSION = {
    "type": "object",
    "required": ["id", "starts_at", "duration_minutes", "seats_left", "price_vnd", "child_price_vnd", "languages",
                 "min_party", "max_party", "meeting_point"],
    "properties": {
        "id": {"type": "integer"},
        "starts_at": {"type": "string", "format": "date-time", "description": "Vietnam time (+07:00)"},
        "duration_minutes": {"type": "integer", "minimum": 1},
        "seats_left": {"type": "integer", "minimum": 0, "description": "0: full"},
        "price_vnd": {"type": "integer", "minimum": 1, "description": "Whole đồng per person"},
        "child_price_vnd": {"type": ["integer", "null"], "minimum": 0, "description": "Per child (null: as an adult)"},
        "languages": {"type": "array", "items": {"enum": list(LANGUAGES)}, "minItems": 1,
                      "description": "The languages the host guides in"},
        "min_party": {"type": "integer", "minimum": 1},
        "max_party": {"type": "integer", "minimum": 1},
        "meeting_point": {"type": "string", "description": "In the language asked (Accept-Language), else Vietnamese"},
    },
}

BOOKING_REQUEST = {
    "type": "object",
    "required": ["session_id", "people", "contact", "payment"],
    "properties": {
        "session_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID,
                       "description": "A session of GET /experiences/{product_id}/sessions"},
        "people": {"type": "integer", "minimum": 1, "maximum": MAX_CAPACITY,
                   "description": "Everyone coming, children included; within the session's min_party..max_party"},
        "children": {"type": "integer", "minimum": 0, "default": 0,
                     "description": "How many of `people` are children (at the child price); at least one adult"},
        "language": {"enum": list(LANGUAGES), "description": "The guiding language wanted: one the session offers "
                                                              "(default: the request's language if offered)"},
        "contact": ORDER_REQUEST["properties"]["contact"],
        "payment": {"enum": ["on_site", "vietqr", "card"],
                    "description": "To the host on arrival; VietQR bank transfer or card through Stripe Checkout now "
                                   "(only where the shop offers them: the places are held until the payment is "
                                   "due, then given back)"},
    },
}

BOOKING = {
    "type": "object",
    "required": ["number", "token", "code", "voucher_url", "state", "product_id", "session", "people", "children",
                 "language", "total_vnd", "payment"],
    "properties": {
        "number": {"type": "string", "description": "The booking's order number (GET /orders/{number} with the token)"},
        "token": {"type": "string", "description": "Keep it: it opens the voucher and the order"},
        "code": {"type": "string", "pattern": "^[A-Z2-9]{4}-[A-Z2-9]{4}$",
                 "description": "The voucher code the host checks in"},
        "voucher_url": {"type": "string", "format": "uri", "description": "The voucher page (QR code, .ics file)"},
        "state": {"enum": list(BOOKING_STATES)},
        "product_id": {"type": "integer"},
        "session": {"$ref": "#/components/schemas/ExperienceSession"},
        "people": {"type": "integer", "minimum": 1},
        "children": {"type": "integer", "minimum": 0},
        "language": {"enum": list(LANGUAGES)},
        "total_vnd": {"type": "integer", "minimum": 0, "description": "Whole Vietnamese đồng"},
        "payment": {"$ref": "#/components/schemas/Payment"},
    },
}

SOLD_OUT = {
    "type": "object",
    "required": ["error", "seats_left"],
    "properties": {"error": {"const": "sold_out"}, "status": {"type": "integer"}, "message": {"type": "string"},
                   "seats_left": {"type": "integer", "minimum": 0, "description": "Places left in the session now"}},
}

EXPERIENCE = {
    "type": "object",
    "required": ["product_id", "name", "stars", "province", "seller", "url", "next_sessions"],
    "properties": {
        "product_id": {"type": "integer"},
        "name": {"type": "string"},
        "stars": {"type": "integer", "minimum": 3, "maximum": 5},
        "province": {"$ref": "#/components/schemas/Province"},
        "seller": {"type": "string", "description": "The host (a cooperative, a household…)"},
        "url": {"type": "string", "format": "uri"},
        "next_sessions": {"type": "array", "maxItems": 5, "minItems": 1,
                          "items": {"$ref": "#/components/schemas/ExperienceSession"}},
    },
}

COMBO_PAGE = {
    "type": "object",
    "required": ["items", "total"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ComboSummary"}},
                   "total": {"type": "integer", "minimum": 0}},
}

PRICE_CHANGED = {
    "type": "object",
    "required": ["error", "total_vnd"],
    "properties": {
        "error": {"const": "price_changed"},
        "status": {"type": "integer"},
        "message": {"type": "string"},
        "total_vnd": {"type": "integer", "description": "The total of now"},
    },
}

OUT_OF_STOCK = {
    "type": "object",
    "required": ["error", "items"],
    "properties": {
        "error": {"const": "out_of_stock"},
        "status": {"type": "integer"},
        "message": {"type": "string"},
        "items": {"type": "array", "items": {
            "type": "object", "required": ["requested", "available"],
            "description": "A product short (`product_id`), or a gift combo one of whose items is (`combo_id`)",
            "oneOf": [{"required": ["product_id"]}, {"required": ["combo_id"]}],
            "properties": {"product_id": {"type": "integer"}, "combo_id": {"type": "integer"},
                           "requested": {"type": "integer"}, "available": {"type": "integer"}}}},
    },
}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _json(schema_name: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}}}


def _with_bad_request(paths: dict) -> dict:
    """Every operation may answer 400: a request that cannot be read (a NUL character, a body that is not
    JSON or is nested deeper than 32); and 414 from the server in front (gunicorn reads a request line of at
    most 4094 bytes: a query that long is no search)."""
    for operations in paths.values():
        for operation in operations.values():
            operation["responses"].setdefault("400", _json("Error", "The request cannot be read"))
            operation["responses"].setdefault("414", {"description": "The request line is longer than the server "
                                                                     "reads (4094 bytes)"})
    return paths


def openapi_document(server_url: str) -> dict:
    """The document as this shop runs: its payment methods are the ones it offers."""
    payment = ORDER_REQUEST["properties"]["payment"] | {
        "enum": list(dict.fromkeys(available_methods() + available_methods(pickup=True)))}
    order_request = ORDER_REQUEST | {"properties": ORDER_REQUEST["properties"] | {"payment": payment}}
    booking_request = BOOKING_REQUEST | {"properties": BOOKING_REQUEST["properties"] | {
        "payment": BOOKING_REQUEST["properties"]["payment"] | {"enum": list(booking_methods())}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "OCOP Marketplace API",
            "version": "1.0.0",
            "description": "Certified OCOP products (3★ and up, recognition in force). "
                           "Money is in whole Vietnamese đồng.",
        },
        "servers": [{"url": server_url}],
        "paths": _with_bad_request({
            "/products": {
                "get": {
                    "operationId": "listProducts",
                    "summary": "Listable products, newest recognition first; with `q`, a search with facets",
                    "parameters": [
                        _query("q", {"type": "string", "maxLength": MAX_QUERY, "pattern": ONE_LINE},
                               "Search words, with or without Vietnamese diacritics; the answer then has "
                               "`facets` and `suggestion` (see SearchPage) and `sort` may be `relevance`"),
                        _query("group", {"type": "string", "pattern": GROUP_PATTERN},
                               "A group (I), a sub-group (I.5) or a line of it (I.5.a)"),
                        _query("province", {"type": "integer", "enum": PROVINCE_CODES}, "Official province code"),
                        _query("stars_min", {"type": "integer", "enum": [3, 4, 5]}, "Lowest star level"),
                        _query("price_min", {"type": "integer", "minimum": 0, "maximum": MAX_PRICE},
                               "Lowest price in đồng"),
                        _query("price_max", {"type": "integer", "minimum": 0, "maximum": MAX_PRICE},
                               "Highest price in đồng (not below price_min)"),
                        _query("sort", {"enum": ["relevance", "newest", "stars", "price_asc", "price_desc", "name"]},
                               "Order (`relevance`, the default with `q`, is `newest` without it; `name` only "
                               "without `q`)"),
                        _query("page", {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1},
                               "Page number"),
                        _query("per_page", {"type": "integer", "minimum": 1, "maximum": 100, "default": 24},
                               "Items per page"),
                    ],
                    "responses": {
                        "200": {"description": "A page of products (SearchPage when `q` is given)",
                                "content": {"application/json": {"schema": {"anyOf": [
                                    {"$ref": "#/components/schemas/SearchPage"},
                                    {"$ref": "#/components/schemas/ProductPage"},
                                ]}}}},
                        "422": _json("Error", "A parameter is invalid; `fields` names each one"),
                    },
                }
            },
            "/suggest": {
                "get": {
                    "operationId": "suggest",
                    "summary": "The top 8 product names for what is being typed",
                    "parameters": [{"name": "q", "in": "query", "required": True,
                                    "schema": {"type": "string", "maxLength": MAX_QUERY, "pattern": TEXT}}],
                    "responses": {"200": _json("Suggestions", "Names, best first"),
                                  "422": _json("Error", "`q` is missing or too long")},
                }
            },
            "/products/{id}": {
                "get": {
                    "operationId": "getProduct",
                    "summary": "One listable product with its recognition, badges, story and traceability",
                    "parameters": [{"name": "id", "in": "path", "required": True,
                                    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}],
                    "responses": {
                        "200": _json("ProductDetail", "The product"),
                        "404": _json("Error", "No listed product has this id"),
                    },
                }
            },
            "/products/{id}/reviews": {
                "get": {
                    "operationId": "getProductReviews",
                    "summary": "A listable product's reviews by verified buyers, with the producer's answers",
                    "parameters": [{"name": "id", "in": "path", "required": True,
                                    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}],
                    "responses": {
                        "200": _json("Reviews", "The reviews"),
                        "404": _json("Error", "No listed product has this id"),
                    },
                }
            },
            "/combos": {
                "get": {
                    "operationId": "listCombos",
                    "summary": "Gift combos on sale (every item certified and on sale), cheapest first; with `q`, "
                               "the best match first",
                    "parameters": [
                        _query("q", {"type": "string", "maxLength": 200, "pattern": ONE_LINE},
                               "Words, with or without diacritics (\"gift box Hue\", \"qua tet\")"),
                        _query("province", {"type": "integer", "enum": PROVINCE_CODES},
                               "The province the combo tells of"),
                        _query("region", {"enum": list(ocop.REGIONS)}, "The region the combo tells of"),
                        _query("occasion", {"enum": list(OCCASIONS)}, "Tết, souvenir, business or family"),
                        _query("price_max", {"type": "integer", "minimum": 0, "maximum": MAX_PRICE},
                               "Highest price of a box in đồng"),
                    ],
                    "responses": {"200": _json("ComboPage", "The combos"),
                                  "422": _json("Error", "A parameter is invalid; `fields` names each one")},
                }
            },
            "/experiences": {
                "get": {
                    "operationId": "listExperiences",
                    "summary": "Community-tourism experiences (group VI) a visitor can book now, each with its next "
                               "sessions (a session is offered while its product is certified and it starts after "
                               "the booking cutoff)",
                    "responses": {"200": _json("ExperiencePage", "The experiences")},
                }
            },
            "/experiences/{product_id}/sessions": {
                "get": {
                    "operationId": "listExperienceSessions",
                    "summary": "The sessions of one experience that can be booked, soonest first (full ones too)",
                    "parameters": [{"name": "product_id", "in": "path", "required": True,
                                    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}],
                    "responses": {"200": _json("ExperienceSessions", "The sessions"),
                                  "404": _json("Error", "No experience on sale has this id")},
                }
            },
            "/combos/{id}": {
                "get": {
                    "operationId": "getCombo",
                    "summary": "One gift combo on sale, with its story",
                    "parameters": [{"name": "id", "in": "path", "required": True,
                                    "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}}],
                    "responses": {"200": _json("ComboDetail", "The combo"),
                                  "404": _json("Error", "No combo on sale has this id")},
                }
            },
            "/orders": {
                "post": {
                    "operationId": "placeOrder",
                    "summary": "Place an order (split by producer; stock is held until paid or cancelled)",
                    "description": "Rate-limited per client (ORDER_RATE_LIMIT, 30 per minute by default). "
                                   "Error messages follow Accept-Language (vi or en). At most "
                                   "MAX_OPEN_ORDERS_PER_PHONE (3) orders waiting for payment or delivery per "
                                   "phone number (422 on contact.phone).",
                    "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                    "schema": {"type": "string", "maxLength": 200},
                                    "description": "A random key of the client's for this order: a retry with "
                                                   "the same key (and the same buyer) answers the order placed "
                                                   "the first time (200) instead of placing another"}],
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/OrderRequest"}}}},
                    "responses": {
                        "200": _json("Order", "Placed before with this Idempotency-Key: the same order"),
                        "201": _json("Order", "Placed; keep `token` to read it later"),
                        "409": {"description": "Nothing was placed: some items are short (out_of_stock) or the "
                                               "total differs from expected_total_vnd (price_changed)",
                                "content": {"application/json": {"schema": {"oneOf": [
                                    {"$ref": "#/components/schemas/OutOfStock"},
                                    {"$ref": "#/components/schemas/PriceChanged"}]}}}},
                        "422": _json("Error", "Invalid fields, each named in `fields`; nothing was placed"),
                        "429": {"description": "Too many orders from this client; try again later"},
                    },
                }
            },
            "/bookings": {
                "post": {
                    "operationId": "bookSession",
                    "summary": "Book places in a session of an experience (an order of its own; the places are "
                               "taken at once, never more than the session holds)",
                    "description": "Rate-limited per client (ORDER_RATE_LIMIT). Error messages follow "
                                   "Accept-Language (vi or en).",
                    "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                    "schema": {"type": "string", "maxLength": 200},
                                    "description": "A random key of the client's for this booking: a retry with "
                                                   "the same key (and the same visitor) answers the booking made "
                                                   "the first time (200)"}],
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/BookingRequest"}}}},
                    "responses": {
                        "200": _json("Booking", "Made before with this Idempotency-Key: the same booking"),
                        "201": _json("Booking", "Booked; keep `token` (and the voucher)"),
                        "409": {"description": "Nothing was booked: not enough places left (sold_out, with "
                                               "seats_left), or the session is no longer offered (closed: started, "
                                               "inside the booking cutoff, cancelled, or the experience is no longer "
                                               "certified)",
                                "content": {"application/json": {"schema": {"oneOf": [
                                    {"$ref": "#/components/schemas/SoldOut"},
                                    {"$ref": "#/components/schemas/Error"}]}}}},
                        "422": _json("Error", "Invalid fields, each named in `fields`; nothing was booked"),
                        "429": {"description": "Too many requests from this client; try again later"},
                    },
                }
            },
            "/orders/{number}": {
                "get": {
                    "operationId": "getOrder",
                    "summary": "An order, with the token from its creation",
                    "parameters": [
                        {"name": "number", "in": "path", "required": True,
                         "schema": {"type": "string", "pattern": TEXT}},
                        _query("token", {"type": "string", "pattern": TEXT},
                               "The order's token (or send it as `Authorization: Bearer <token>`)"),
                    ],
                    "responses": {
                        "200": _json("Order", "The order"),
                        "404": _json("Error", "No order has this number and token"),
                    },
                }
            },
        }),
        "components": {
            "schemas": {
                "ComboSummary": COMBO_SUMMARY,
                "ComboDetail": COMBO_DETAIL,
                "ComboPage": COMBO_PAGE,
                "ExperienceSession": EXPERIENCE_SESSION,
                "Experience": EXPERIENCE,
                "ExperiencePage": {"type": "object", "required": ["items", "total"], "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Experience"}},
                    "total": {"type": "integer", "minimum": 0}}},
                "ExperienceSessions": {"type": "object", "required": ["items"], "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/ExperienceSession"}}}},
                "BookingRequest": booking_request,
                "Booking": BOOKING,
                "SoldOut": SOLD_OUT,
                "Payment": ORDER["properties"]["payment"],
                "OrderRequest": order_request,
                "Order": ORDER,
                "OutOfStock": OUT_OF_STOCK,
                "PriceChanged": PRICE_CHANGED,
                "Province": PROVINCE,
                "ProductSummary": PRODUCT_SUMMARY,
                "ProductDetail": PRODUCT_DETAIL,
                "ProductPage": PRODUCT_PAGE,
                "Reviews": REVIEWS,
                "SearchPage": SEARCH_PAGE,
                "Suggestions": SUGGESTIONS,
                "Error": ERROR,
            }
        },
    }
