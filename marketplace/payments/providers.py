"""Which ways to pay this shop offers: cash on delivery by post, or at the sales point for a pickup;
VietQR and card once configured."""
from __future__ import annotations

from flask import current_app


def available_methods(pickup: bool = False) -> tuple[str, ...]:
    config = current_app.config
    methods = ["at_point" if pickup else "cod"]
    if config["VIETQR_BANK_BIN"] and config["VIETQR_ACCOUNT_NO"]:
        methods.append("vietqr")
    if config["STRIPE_SECRET_KEY"]:
        methods.append("card")
    return tuple(methods)


def prepaid(method: str) -> bool:
    """Paid before the goods leave (so unpaid orders expire): VietQR and card."""
    return method in ("vietqr", "card")


def paid_on_handover(method: str) -> bool:
    """Paid when the goods change hands: to the post's courier, or at the sales point's counter."""
    return method in ("cod", "at_point")
