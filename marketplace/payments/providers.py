"""Which ways to pay this shop offers: cash on delivery always; VietQR and card once configured."""
from __future__ import annotations

from flask import current_app


def available_methods() -> tuple[str, ...]:
    config = current_app.config
    methods = ["cod"]
    if config["VIETQR_BANK_BIN"] and config["VIETQR_ACCOUNT_NO"]:
        methods.append("vietqr")
    if config["STRIPE_SECRET_KEY"]:
        methods.append("card")
    return tuple(methods)


def prepaid(method: str) -> bool:
    """Paid before the goods leave (so unpaid orders expire): VietQR and card."""
    return method in ("vietqr", "card")
