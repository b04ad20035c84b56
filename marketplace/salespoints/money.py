"""A counter sale's money in the ledger (`settlements`): posted by the sale, the return and the void
themselves, in their unit of work.

The till took the money (`cash`, whatever the buyer paid with: it lands in the operator's account or till).
The goods were the producers' on consignment: each producer is owed its goods less the point's margin
(`SalesPoint.margin_bp`, snapshotted on the line), which the point keeps (`point_fees`). A return takes back
the returned goods at the margin of the sale; a void takes back the whole sale, so it leaves nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..settlements import services as ledger
from ..settlements.check import Backfill, register_expectation
from ..settlements.models import MoneyEntry
from ..settlements.services import Line
from .models import CounterReturn, CounterSale


def _by_seller(amounts) -> dict[int, int]:
    goods: dict[int, int] = {}
    for seller_id, amount in amounts:
        goods[seller_id] = goods.get(seller_id, 0) + amount
    return goods


def _consigned(goods_by_seller: dict[int, int], rate_bp: int, sign: int) -> list[Line]:
    """Each producer's goods less the point's margin (credited: sign −1; taken back: +1), and the margin the
    point keeps on them."""
    lines = []
    for seller_id, goods in sorted(goods_by_seller.items()):
        margin = ledger.share(goods, rate_bp)
        lines += [Line("producer", sign * (goods - margin), seller_id), Line("point_fees", sign * margin, seller_id, rate_bp)]
    return lines


def sale_posted(sale: CounterSale) -> None:
    goods = _by_seller((line.seller_id, line.subtotal) for line in sale.lines)
    ledger.post("counter_sale", f"sale:{sale.id}",
                [Line("cash", sale.total_vnd), *_consigned(goods, sale.sales_point.margin_bp, -1)],
                sales_point_id=sale.sales_point_id, reference=sale.number, actor_id=sale.sold_by_id)


def _margin_of(sale: CounterSale) -> int:
    """The margin the sale was posted at (the point's may have changed since)."""
    entry = db.session.scalar(select(MoneyEntry).where(MoneyEntry.once_key == f"sale:{sale.id}"))
    return next((line.rate_bp for line in entry.lines if line.account == "point_fees"), 0) if entry else 0


def return_posted(back: CounterReturn) -> None:
    sale = back.sale
    goods = _by_seller((line.sale_line.seller_id, line.sale_line.unit_price_vnd * line.quantity) for line in back.lines)
    ledger.post("counter_return", f"counter_return:{back.id}",
                [Line("cash", -back.refund_vnd), *_consigned(goods, _margin_of(sale), +1)],
                sales_point_id=sale.sales_point_id, reference=sale.number, actor_id=back.returned_by_id)


def void_posted(sale: CounterSale) -> None:
    """Every line of the sale's entry, reversed: the sale leaves nothing owed."""
    entry = db.session.scalar(select(MoneyEntry).where(MoneyEntry.once_key == f"sale:{sale.id}"))
    lines = [Line(line.account, -line.amount_vnd, line.seller_id, line.rate_bp) for line in entry.lines] if entry else []
    ledger.post("counter_void", f"void:{sale.id}", lines, sales_point_id=sale.sales_point_id,
                reference=sale.number, actor_id=sale.voided_by_id)


def expected_balances() -> dict[str, int]:
    """What the counters took: every sale standing, less what returns gave back (a voided sale took nothing)."""
    sold = db.session.scalar(select(func.coalesce(func.sum(CounterSale.total_vnd), 0))
                             .where(CounterSale.status == "completed"))
    given_back = db.session.scalar(select(func.coalesce(func.sum(CounterReturn.refund_vnd), 0)))
    return {"cash": int(sold) - int(given_back)}


def post_missing(sale_id: int) -> None:
    """For a sale made before the ledger existed: post its sale, returns and void, those not posted yet."""
    sale = db.session.get(CounterSale, sale_id)
    keys = set(db.session.scalars(select(MoneyEntry.once_key).where(MoneyEntry.reference == sale.number)))
    if f"sale:{sale.id}" not in keys:
        sale_posted(sale)
    for back in sale.returns:
        if f"counter_return:{back.id}" not in keys:
            return_posted(back)
    if sale.status == "voided" and f"void:{sale.id}" not in keys:
        void_posted(sale)


register_expectation("counter", expected_balances, Backfill(
    lambda: db.session.scalars(select(CounterSale.id).order_by(CounterSale.id)).all(), post_missing))
