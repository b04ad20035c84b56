"""Paying the producers what their closed statements say, and recording it.

`make_batch` takes the province's producers whose last statement leaves a positive balance (less what was
paid out since) and whose payout account is verified, with no change waiting: one payout each, to that
account as it is now (copied), posted at once (the producer's balance drops: a second batch finds nothing
left to pay). Batches of one province are made one at a time: the first statement claims the province's
period row, so two clicks at once make one batch and an empty one. The officer then transfers the money
(the bank's bulk-transfer file, or one VietQR per payout) and marks each payout paid with the bank's
reference (claimed once) or cancelled (the money goes back to the producer's balance). A negative balance
(commission on goods whose price the producer's own courier collected) is simply carried: the next
statement starts from it.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from ..audit import audit
from ..extensions import db
from ..models_base import upsert, utcnow
from ..payments import vietqr
from ..scope import in_scope
from ..sellers.models import Seller
from ..transitions import StateMachine
from . import bank, statements
from . import services as ledger
from .check import register_expectation
from .models import PAYOUT_STATES, MoneyEntry, MoneyLine, Payout, PayoutBatch, SettlementPeriod, Statement
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
        owed = payable(seller.id)
        if owed <= 0:
            continue
        account = bank.payout_account(seller.id)
        if account is None:
            skipped.append(Skipped(seller, owed, "account_pending" if bank.current(seller.id) else "no_account"))
            continue
        if batch is None:
            batch = PayoutBatch(province_code=province_code, created_by_id=officer.id)
            db.session.add(batch)
            db.session.flush()
        payout = Payout(batch_id=batch.id, statement_id=statements.latest(seller.id).id, seller_id=seller.id,
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
    return payout


def cancel(officer, payout: Payout, reason: str) -> Payout:
    """Not paid after all (the transfer bounced, or the officer stopped it): the money is owed again."""
    _in_scope(officer, payout)
    PAYOUT.apply(payout, "cancel", actor_id=officer.id, reason=reason, decided_by_id=officer.id, decided_at=utcnow())
    ledger.post("payout_cancelled", f"payout_cancelled:{payout.id}",
                [Line("payouts", payout.amount_vnd), Line("producer", -payout.amount_vnd, payout.seller_id)],
                reference=payout.transfer_note, actor_id=officer.id)
    return payout


def _in_scope(officer, payout: Payout) -> None:
    if not in_scope(officer, payout.seller):
        raise PermissionError("a payout of another province")


def batches(province_code: int, limit: int = 20) -> list[PayoutBatch]:
    """The province's latest payout batches, newest first."""
    return db.session.scalars(select(PayoutBatch).where(PayoutBatch.province_code == province_code)
                              .order_by(PayoutBatch.id.desc()).limit(limit)).all()


def vietqr_payload(payout: Payout) -> str:
    """A VietQR the officer scans in a banking app: to the producer's account, this amount, this note."""
    return vietqr.payload(payout.bank_bin, payout.account_no, payout.amount_vnd, payout.transfer_note)


def bulk_rows(batch: PayoutBatch) -> list[list]:
    """The batch as a bank's bulk-transfer sheet (payouts still to pay)."""
    rows = [[_("No."), _("Bank BIN"), _("Bank"), _("Account number"), _("Account holder"), _("Amount (₫)"),
             _("Transfer note")]]
    for n, payout in enumerate((p for p in batch.payouts if p.state == "pending"), start=1):
        found = bank.banks().get(payout.bank_bin)
        rows.append([n, payout.bank_bin, found.short_name if found else "", payout.account_no, payout.holder_name,
                     payout.amount_vnd, payout.transfer_note])
    return rows


def expected_balances() -> dict[str, int]:
    """Paid out (the operator's money left) and being paid (in the `payouts` account)."""
    totals = dict(db.session.execute(select(Payout.state, func.sum(Payout.amount_vnd)).group_by(Payout.state)).all())
    return {"cash": -int(totals.get("paid") or 0), "payouts": -int(totals.get("pending") or 0)}


register_expectation("payouts", expected_balances)
