"""Provider callbacks. Stripe's webhook: the body is checked against its signature before anything else."""
from __future__ import annotations

import stripe
from flask import Blueprint, jsonify, request
from sqlalchemy.exc import IntegrityError

from ..extensions import csrf
from ..unit_of_work import run
from . import services

bp = Blueprint("payments", __name__, url_prefix="/payments")


@bp.post("/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    try:
        outcome = run(services.handle_stripe_event, request.get_data(), request.headers.get("Stripe-Signature"))
    except (ValueError, stripe.SignatureVerificationError):
        return jsonify({"error": "bad_signature"}), 400
    except IntegrityError:  # the same event, stored by a simultaneous delivery
        outcome = "duplicate"
    return jsonify({"outcome": outcome}), 200
