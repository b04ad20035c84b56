"""Producers' payout accounts: entered by the producer, checked by the office before any payout goes there.

A hijacked seller login must not divert the money: a new account is `pending` until an officer of the
seller's province verifies it (audited; the producer is emailed at each step), and while one is pending no
payout is made at all, not even to the account verified before. The holder's name must be the producer's
legal name (or, for a household or a farm, its representative's) as a bank prints it: without diacritics,
in capitals, with the usual abbreviations (HTX, CTY, TNHH…).

Banks come from the VietQR (NAPAS) list of `vietnam-qr-pay`: those that receive VietQR transfers.
"""
from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import select
from vietnam_qr_pay.constants.banks import BanksObject, VietQRStatus

from .. import ocop
from ..audit import audit
from ..extensions import db
from ..models_base import utcnow
from ..scope import covers, in_scope
from ..sellers.models import Seller
from ..text import fold
from ..transitions import Refused, StateMachine
from . import services as ledger
from .models import BANK_ACCOUNT_STATES, BankAccount

ACCOUNT_NO = re.compile(r"^[0-9A-Z]{6,19}$")
ABBREVIATIONS = {"htx": "hop tac xa", "tht": "to hop tac", "cty": "cong ty", "tnhh": "trach nhiem huu han",
                 "cp": "co phan", "dntn": "doanh nghiep tu nhan", "hkd": "ho kinh doanh", "mtv": "mot thanh vien"}

BANK_ACCOUNT = StateMachine("bank_account", BankAccount, "state", {
    "verify": ({"pending"}, "verified"),
    "reject": ({"pending"}, "rejected"),
    "withdraw": ({"pending"}, "replaced"),  # the producer entered another one before the office decided
    "replace": ({"verified"}, "replaced"),  # the next one was verified
}, states=tuple(BANK_ACCOUNT_STATES))


@dataclass(frozen=True)
class Bank:
    bin: str
    short_name: str
    name: str


@cache
def banks() -> dict[str, Bank]:
    """The banks that receive VietQR transfers, by BIN, by short name."""
    found = [Bank(bank.bin, bank.short_name, bank.name) for bank in BanksObject.values()
             if bank.viet_qr_status == VietQRStatus.TRANSFER_SUPPORTED and not bank.deprecated]
    return {bank.bin: bank for bank in sorted(found, key=lambda bank: bank.short_name.casefold())}


class AccountError(ValueError):
    """Why an account was refused: `code` (bank, number, holder, pending_none, refused), for the form."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _words(name: str) -> str:
    words = re.sub(r"[^0-9a-z]+", " ", fold(name)).split()
    return " ".join(ABBREVIATIONS.get(word, word) for word in words)


def holder_matches(seller: Seller, holder: str) -> bool:
    names = [seller.legal_name] + ([seller.representative] if seller.entity_type in ocop.PERSONAL_ID_ENTITIES
                                   and seller.representative else [])
    return _words(holder) in {_words(name) for name in names}


def current(seller_id: int) -> BankAccount | None:
    """The newest account that is pending or verified (what the producer and the office see)."""
    return db.session.scalar(select(BankAccount).where(BankAccount.seller_id == seller_id,
                                                       BankAccount.state.in_(("pending", "verified")))
                             .order_by(BankAccount.id.desc()).limit(1))


def payout_account(seller_id: int) -> BankAccount | None:
    """Where a payout may go now: the verified account, unless a change is waiting to be checked."""
    account = current(seller_id)
    return account if account is not None and account.state == "verified" else None


def submit(user, seller: Seller, bank_bin: str, account_no: str, holder_name: str) -> BankAccount:
    """A new payout account for the seller, pending until the office verifies it (it withdraws one pending
    before); audited, and every address of the seller is told. Raises AccountError: bank, number, holder."""
    account_no = re.sub(r"[\s.-]", "", account_no or "").upper()
    # as banks print it: capitals without diacritics, letters, digits and spaces (nothing a sheet runs: "=…")
    holder_name = " ".join(re.sub(r"[^0-9A-Z]+", " ", fold(holder_name or "").upper()).split())
    if bank_bin not in banks():
        raise AccountError("bank")
    if not ACCOUNT_NO.match(account_no):
        raise AccountError("number")
    if not holder_matches(seller, holder_name):
        raise AccountError("holder")
    waiting = db.session.scalar(select(BankAccount).where(BankAccount.seller_id == seller.id,
                                                          BankAccount.state == "pending"))
    if waiting is not None:
        with suppress(Refused):  # decided meanwhile: the new one waits all the same
            BANK_ACCOUNT.apply(waiting, "withdraw", actor_id=user.id, reason="another account entered")
    account = BankAccount(seller_id=seller.id, bank_bin=bank_bin, account_no=account_no, holder_name=holder_name,
                          submitted_by_id=user.id)
    db.session.add(account)
    db.session.flush()  # a second pending account of this seller (two submits at once) fails here
    audit(user, "bank_account.submit", seller, None, _state(account))
    ledger.tell(seller, lambda: (_("Your payout bank account was changed"), [
        _("Account %(account)s at %(bank)s, held by %(holder)s, waits for the provincial OCOP office to check it. "
          "Until then no payout is made.", account=account.masked, bank=banks()[bank_bin].short_name,
          holder=holder_name),
        _("If you did not make this change, call the provincial OCOP office at once.")]))
    return account


def decide(officer, account: BankAccount, verified: bool, reason: str | None = None) -> BankAccount:
    """The office verifies (the account replaces the one verified before) or rejects a pending account, after
    checking it with the producer by phone or on paper; audited, and the producer is told. Raises
    PermissionError (another province), Refused (decided or withdrawn meanwhile)."""
    seller = account.seller
    if not in_scope(officer, seller):
        raise PermissionError("a seller outside the officer's province")
    before = _state(account)
    if verified:
        previous = db.session.scalar(select(BankAccount).where(BankAccount.seller_id == seller.id,
                                                               BankAccount.state == "verified"))
        if previous is not None:  # first: one verified account per seller is a unique index, checked per statement
            BANK_ACCOUNT.apply(previous, "replace", actor_id=officer.id, reason=f"replaced by account {account.id}")
        BANK_ACCOUNT.apply(account, "verify", actor_id=officer.id, reason=reason, decided_by_id=officer.id,
                           decided_at=utcnow())
    else:
        BANK_ACCOUNT.apply(account, "reject", actor_id=officer.id, reason=reason, decided_by_id=officer.id,
                           decided_at=utcnow())
        account.reason = reason  # the row is ours since the claim
    audit(officer, "bank_account." + ("verify" if verified else "reject"), seller, before, _state(account))
    bank = banks().get(account.bank_bin)
    ledger.tell(seller, lambda: (
        _("Your payout bank account was verified") if verified else _("Your payout bank account was not accepted"),
        [_("Account %(account)s at %(bank)s.", account=account.masked,
           bank=bank.short_name if bank else account.bank_bin), *([reason] if reason else [])]))
    return account


def waiting(officer, province_code: int) -> list[BankAccount]:
    """The accounts of the province's producers waiting to be checked, oldest first."""
    if not covers(officer, province_code):
        return []
    return db.session.scalars(select(BankAccount).join(BankAccount.seller).where(
        BankAccount.state == "pending", Seller.province_code == province_code).order_by(BankAccount.id)).all()


def _state(account: BankAccount) -> dict:
    return {"bank": account.bank_bin, "account": account.masked, "holder": account.holder_name,
            "state": account.state}
