"""VietQR: the NAPAS EMVCo QR a Vietnamese banking app scans to make a transfer with the amount and
the reference filled in. Fields are tag, two-digit length, value; the payload ends with a CRC-16/CCITT
(polynomial 0x1021, start 0xFFFF) of everything before it, "6304" included."""
from __future__ import annotations

import binascii
import unicodedata

from flask import current_app

NAPAS_GUID = "A000000727"
TRANSFER_TO_ACCOUNT = "QRIBFTTA"
VND = "704"


def _field(tag: str, value: str) -> str:
    if len(value) > 99:
        raise ValueError(f"VietQR field {tag} is longer than 99 characters")
    return f"{tag}{len(value):02d}{value}"


def crc16(text: str) -> str:
    return f"{binascii.crc_hqx(text.encode('utf-8'), 0xFFFF):04X}"


def plain_reference(text: str) -> str:
    """Banks carry transfer notes in plain ASCII: fold diacritics and đ, keep letters, digits, spaces, -."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    kept = "".join(c for c in folded if c.isascii() and (c.isalnum() or c in " -"))
    return " ".join(kept.split())[:25]


def payload(bank_bin: str, account_no: str, amount_vnd: int | None = None, reference: str = "") -> str:
    """The text to put in the QR code: a transfer to `account_no` at the bank `bank_bin`."""
    if not (bank_bin.isdigit() and len(bank_bin) == 6) or not account_no.isalnum():
        raise ValueError("a VietQR needs a 6-digit bank BIN and an account number")
    beneficiary = _field("00", bank_bin) + _field("01", account_no)
    account = _field("00", NAPAS_GUID) + _field("01", beneficiary) + _field("02", TRANSFER_TO_ACCOUNT)
    text = _field("00", "01") + _field("01", "12" if amount_vnd else "11") + _field("38", account) + _field("53", VND)
    if amount_vnd:
        text += _field("54", str(int(amount_vnd)))
    text += _field("58", "VN")
    if reference:
        text += _field("62", _field("08", plain_reference(reference)))
    text += "6304"
    return text + crc16(text)


def to_operator(amount_vnd: int, reference: str) -> str:
    """A VietQR into the marketplace operator's account (the VIETQR_* settings) for this amount and note."""
    config = current_app.config
    return payload(config["VIETQR_BANK_BIN"], config["VIETQR_ACCOUNT_NO"], amount_vnd, reference)
