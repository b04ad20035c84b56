"""Paying the producers what their closed statements say, and recording it.

`make_batch` takes the province's producers whose last statement leaves a positive balance (less what was
paid out since) and whose payout account is verified, with no change waiting: one payout each, to that
account as it is now (copied), posted at once (the producer's balance drops: a second batch finds nothing
left to pay). Batches of one province are made one at a time: the first statement claims the province's
period row, so two clicks at once make one batch and an empty one. The officer then transfers the money
(the bank's bulk-transfer file, or one VietQR per payout) and marks each payout paid with the bank's
reference (claimed once) or cancelled (the money goes back to the producer's balance). A negative balance
(commission on goods whose price the producer's own courier collected) is carried: the next statement starts
from it, until the producer pays it by VietQR (`collection_note`) and the office records it (`record_collection`).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from ..audit import audit
from ..extensions import db
from ..i18n import vnd
from ..models_base import upsert, utcnow
from ..payments import vietqr
from ..scope import in_scope
from ..sellers.models import Seller
from ..transitions import StateMachine
from . import bank, statements
from . import services as ledger
from .check import register_expectation
from .models import PAYOUT_STATES, Collection, MoneyEntry, MoneyLine, Payout, PayoutBatch, SettlementPeriod, Statement
from .services import Line

PAYOUT = StateMachine("payout", Payout, "state", {
    "pay": ({"pending"}, "paid"),
    "cancel": ({"pending"}, "cancelled"),
}, states=tuple(PAYOUT_STATES))
PAYOUT_KINDS = ("payout", "payout_cancelled")  # what a producer's balance loses and gets back by payouts


def payable(seller_id: int) -> int:
    """What the producer's closed statements leave owed, less what was paid out (or is being) since."""
    return -int(db.session.scalar(
        select(func.coalesce(func.sum(MoneyLine.amount_vnd), 0)).join(MoneyLine.entry)
        .where(MoneyLine.account == "producer", MoneyLine.seller_id == seller_id,
               or_(MoneyLine.statement_id.is_not(None), MoneyEntry.kind.in_(PAYOUT_KINDS)))))


@dataclass
class Skipped:
    seller: Seller
    owed_vnd: int
    why: str  # no_account, account_pending


def make_batch(officer, province_code: int) -> tuple[PayoutBatch | None, list[Skipped]]:
    """A batch of payouts for the province (None when nothing is payable), and the producers owed money that
    could not be paid, with why. Raises PermissionError for another province's officer."""
    if officer.province_code not in (None, province_code):
        raise PermissionError("another province")
    db.session.execute(upsert(SettlementPeriod).values(province_code=province_code, closed_until=statements.NEVER)
                       .on_conflict_do_nothing(index_elements=["province_code"]))
    db.session.execute(update(SettlementPeriod).where(SettlementPeriod.province_code == province_code)
                       .values(closed_until=SettlementPeriod.closed_until))  # one batch of a province at a time
    batch, skipped = None, []
    for seller in db.session.scalars(select(Seller).where(
            Seller.province_code == province_code, Seller.id.in_(select(Statement.seller_id))).order_by(Seller.id)):
        # never more than is owed now: a return or a void since the close has taken some of it back already
        owed = min(payable(seller.id), ledger.owed_to(seller.id))
        if owed <= 0:
            continue
        statement = statements.latest(seller.id)
        if db.session.scalar(select(Payout.id).where(Payout.statement_id == statement.id,
                                                     Payout.state != "cancelled")) is not None:
            continue  # a cancelled payout's money, owed again since this statement was paid: the next one's
        account = bank.payout_account(seller.id)
        if account is None:
            skipped.append(Skipped(seller, owed, "account_pending" if bank.current(seller.id) else "no_account"))
            continue
        if batch is None:
            batch = PayoutBatch(province_code=province_code, created_by_id=officer.id)
            db.session.add(batch)
            db.session.flush()
        payout = Payout(batch_id=batch.id, statement_id=statement.id, seller_id=seller.id,
                        amount_vnd=owed, bank_account_id=account.id, bank_bin=account.bank_bin,
                        account_no=account.account_no, holder_name=account.holder_name)
        db.session.add(payout)
        db.session.flush()
        ledger.post("payout", f"payout:{payout.id}", [Line("producer", owed, seller.id), Line("payouts", -owed)],
                    reference=payout.transfer_note, actor_id=officer.id)
    if batch is not None:
        audit(officer, "payouts.batch", batch, None, {"province": province_code, "payouts": len(batch.payouts),
                                                       "total": sum(p.amount_vnd for p in batch.payouts)})
    return batch, skipped


def mark_paid(officer, payout: Payout, bank_reference: str) -> Payout:
    """The bank made the transfer: recorded once (Refused when it was marked or cancelled already)."""
    _in_scope(officer, payout)
    PAYOUT.apply(payout, "pay", actor_id=officer.id, reason=bank_reference, bank_reference=bank_reference,
                 decided_by_id=officer.id, decided_at=utcnow())
    ledger.post("payout_paid", f"payout_paid:{payout.id}",
                [Line("payouts", payout.amount_vnd), Line("cash", -payout.amount_vnd)],
                reference=payout.transfer_note, actor_id=officer.id)
    found = bank.banks().get(payout.bank_bin)
    ledger.tell(payout.seller, lambda: (
        _("%(amount)s transferred to you", amount=vnd(payout.amount_vnd)),
        [_("The provincial OCOP office transferred %(amount)s to %(bank)s %(account)s for statement %(number)s "
           "(bank reference %(reference)s).", amount=vnd(payout.amount_vnd),
           bank=found.short_name if found else payout.bank_bin, account="•••• " + payout.account_no[-4:],
           number=payout.statement.number, reference=bank_reference)]))
    return payout


def cancel(officer, payout: Payout, reason: str) -> Payout:
    """Not paid after all (the transfer bounced, or the officer stopped it): the money is owed again."""
    _in_scope(officer, payout)
    PAYOUT.apply(payout, "cancel", actor_id=officer.id, reason=reason, decided_by_id=officer.id, decided_at=utcnow())
    ledger.post("payout_cancelled", f"payout_cancelled:{payout.id}",
                [Line("payouts", payout.amount_vnd), Line("producer", -payout.amount_vnd, payout.seller_id)],
                reference=payout.transfer_note, actor_id=officer.id)
    return payout


class CollectionError(ValueError):
    """Why a producer's payment was not recorded: `code` (too_much, recorded_already)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def collection_note(seller: Seller) -> str:
    """What the producer writes on its transfer to the shop, so the office can match it."""
    return f"OCOP THU {seller.registration_no}"


def record_collection(officer, seller: Seller, amount_vnd: int, bank_reference: str) -> Collection:
    """The producer paid what it owed the shop (a negative balance): recorded once per bank reference, never
    more than it owes; audited. Raises PermissionError, CollectionError."""
    if not in_scope(officer, seller):
        raise PermissionError("a seller of another province")
    owes = -ledger.owed_to(seller.id)
    if not 0 < amount_vnd <= owes:
        raise CollectionError("too_much")
    reference = " ".join(bank_reference.split()).upper()
    if db.session.scalar(select(Collection.id).where(Collection.seller_id == seller.id,
                                                     Collection.bank_reference == reference)) is not None:
        raise CollectionError("recorded_already")
    found = Collection(seller_id=seller.id, amount_vnd=amount_vnd, bank_reference=reference, recorded_by_id=officer.id)
    db.session.add(found)
    db.session.flush()  # the same reference recorded at this moment by another officer fails here
    ledger.post("collection", f"collection:{found.id}", [Line("cash", amount_vnd), Line("producer", -amount_vnd, seller.id)],
                reference=reference, actor_id=officer.id)
    audit(officer, "settlements.collection", seller, None, {"amount": amount_vnd, "reference": reference})
    return found


def _in_scope(officer, payout: Payout) -> None:
    if not in_scope(officer, payout.seller):
        raise PermissionError("a payout of another province")


def payouts_for(statement: Statement) -> list[Payout]:
    """The payouts made for a statement (a cancelled one and the one that replaced it), oldest first."""
    return db.session.scalars(select(Payout).where(Payout.statement_id == statement.id).order_by(Payout.id)).all()


def payouts_of(seller_id: int, limit: int = 12) -> list[Payout]:
    """The producer's latest payouts, newest first (what it reads under "My money")."""
    return db.session.scalars(select(Payout).where(Payout.seller_id == seller_id).order_by(Payout.id.desc())
                              .limit(limit)).all()


def batches(province_code: int, limit: int = 20) -> list[PayoutBatch]:
    """The province's latest payout batches, newest first."""
    return db.session.scalars(select(PayoutBatch).where(PayoutBatch.province_code == province_code)
                              .order_by(PayoutBatch.id.desc()).limit(limit)).all()


def vietqr_payload(payout: Payout) -> str:
    """A VietQR the officer scans in a banking app: to the producer's account, this amount, this note."""
    return vietqr.payload(payout.bank_bin, payout.account_no, payout.amount_vnd, payout.transfer_note)


def held_back(batch: PayoutBatch) -> set[int]:
    """The payouts of the batch not to transfer now: their producer entered another bank account since the
    batch was made, and the office has not checked it yet (it may be a hijacker's change, or the old account
    may be closed). They can still be marked paid (a transfer made before) or cancelled."""
    return {payout.id for payout in batch.payouts
            if payout.state == "pending" and (found := bank.current(payout.seller_id)) is not None
            and found.state == "pending"}


def bulk_rows(batch: PayoutBatch) -> list[list]:
    """The batch as a bank's bulk-transfer sheet (payouts still to pay, and not held back)."""
    rows = [[_("No."), _("Bank BIN"), _("Bank"), _("Account number"), _("Account holder"), _("Amount (₫)"),
             _("Transfer note")]]
    held = held_back(batch)
    for n, payout in enumerate((p for p in batch.payouts if p.state == "pending" and p.id not in held), start=1):
        found = bank.banks().get(payout.bank_bin)
        rows.append([n, payout.bank_bin, found.short_name if found else "", payout.account_no, payout.holder_name,
                     payout.amount_vnd, payout.transfer_note])
    return rows


def expected_balances() -> dict[str, int]:
    """Paid out (the operator's money left), being paid (in the `payouts` account), and collected from
    producers that owed the shop."""
    totals = dict(db.session.execute(select(Payout.state, func.sum(Payout.amount_vnd)).group_by(Payout.state)).all())
    collected = db.session.scalar(select(func.coalesce(func.sum(Collection.amount_vnd), 0)))
    return {"cash": int(collected) - int(totals.get("paid") or 0), "payouts": -int(totals.get("pending") or 0)}


register_expectation("payouts", expected_balances)
