"""Provider callbacks. Stripe's webhook: the body is checked against its signature before anything else."""
from __future__ import annotations

import stripe
from flask import Blueprint, jsonify, request

from ..extensions import csrf
from . import services

bp = Blueprint("payments", __name__, url_prefix="/payments")


@bp.post("/stripe/webhook")
@csrf.exempt
def stripe_webhook():
    try:
        outcome = services.handle_stripe_event(request.get_data(), request.headers.get("Stripe-Signature"))
    except (ValueError, stripe.SignatureVerificationError):
        return jsonify({"error": "bad_signature"}), 400
    return jsonify({"outcome": outcome}), 200
