"""An order's money in the ledger (`settlements`), posted as its parts end: see `settle`.

Who holds the buyer's money for a part decides the account it moves from: `prepaid` (card or VietQR, paid
up front), `cash` (the operator took it: at a point's counter, or a point's parcel paid on delivery), or
nobody (the seller's courier took it on delivery: the producer then owes the commission). What is owed back
follows `Order.refund_vnd`: a returned part's goods; a part cancelled after payment, its goods, and a
parcel's fee once every part in it is cancelled; the wrapping when every part is."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..inventory.models import StockLocation
from ..products.models import Product
from ..settlements import services as ledger
from ..settlements.services import Line
from .models import PREPAID, Order, OrderPart

WITH_GOODS = frozenset({"delivered", "returned"})  # the goods were handed over (and paid for)


def money_received(order: Order) -> bool:
    """Paid up front, and the money arrived (even late, for an order that no longer stands)."""
    return order.payment_method in PREPAID and order.payment_status in ("paid", "refund_due", "refunded")


def holder(order: Order, location: StockLocation) -> str | None:
    """The account holding the buyer's money for what leaves `location`, once handed over."""
    if order.payment_method in PREPAID:
        return "prepaid"
    if order.payment_method == "at_point" or location.kind == "sales_point":
        return "cash"
    return None  # cash on delivery by the seller's own parcel: the seller has it


def settle(order: Order, actor_id: int | None = None) -> None:
    """Post, in the caller's unit of work, what the order's state makes due and is not posted yet: the money
    received, each part handed over (its goods to the producer, less the commission), returned or cancelled
    after payment, each parcel's fee and the wrapping. Called under the order's lock (`services._locked`)
    after every change of its parts or its money; each posting's key makes a second call post nothing."""
    done = ledger.posted(order.id)

    def post(kind: str, key: str, lines: list[Line], location: StockLocation | None = None) -> None:
        if key not in done:
            point = location.sales_point if location is not None and location.kind == "sales_point" else None
            done[key] = ledger.post(kind, key, lines, order_id=order.id, sales_point_id=point.id if point else None,
                                    reference=order.number, actor_id=actor_id)

    received = money_received(order)
    if received:
        post("paid", f"paid:{order.id}", [Line("cash", order.total_vnd), Line("prepaid", -order.total_vnd)])
    handing_over = any((part.state in WITH_GOODS and f"delivered:{part.id}" not in done)
                       or (part.kept_vnd and f"cancelled:{part.id}" not in done) for part in order.parts)
    groups, rates = (_groups_of(order), ledger.rates_bp()) if handing_over else ({}, {})  # read only when due
    for part in order.parts:
        if part.state in WITH_GOODS and f"delivered:{part.id}" not in done:  # its lines read the rates
            post("delivered", f"delivered:{part.id}", _handed_over(order, part, groups, rates), part.location)
        if part.state == "returned":
            post("returned", f"returned:{part.id}", _returned(order, part, done[f"delivered:{part.id}"]),
                 part.location)
        if part.state == "cancelled" and received:
            post("cancelled", f"cancelled:{part.id}", [Line("prepaid", part.goods_vnd),
                                                       Line("refunds_payable", part.kept_vnd - part.goods_vnd),
                                                       *_kept(part, groups, rates)])
    for location_id, parts in _parcels(order).items():
        fee, location = sum(part.delivery_vnd for part in parts), parts[0].location
        if any(part.state in WITH_GOODS for part in parts):
            earner = Line("producer", -fee, parts[0].seller_id) if location.kind == "seller_warehouse" \
                else Line("point_fees", -fee)
            account = holder(order, location)
            post("parcel", f"parcel:{order.id}:{location_id}", [Line(account, fee), earner] if account else [],
                 location)
        elif received and all(part.state == "cancelled" for part in parts):
            post("parcel_refund", f"parcel:{order.id}:{location_id}",
                 [Line("prepaid", fee), Line("refunds_payable", -fee)])
    if order.wrap_vnd:
        if any(part.state in WITH_GOODS for part in order.parts):
            account = "prepaid" if order.payment_method in PREPAID else "cash"  # a point wraps, and collects
            post("wrap", f"wrap:{order.id}", [Line(account, order.wrap_vnd), Line("point_fees", -order.wrap_vnd)])
        elif received and all(part.state == "cancelled" for part in order.parts):
            post("wrap_refund", f"wrap:{order.id}",
                 [Line("prepaid", order.wrap_vnd), Line("refunds_payable", -order.wrap_vnd)])


def refunded(order: Order, refund, actor_id: int | None = None) -> None:
    """Money given back to the buyer leaves the operator's account (or a point's till)."""
    ledger.post("refund", f"refund:{refund.id}", [Line("refunds_payable", refund.amount_vnd),
                                                  Line("cash", -refund.amount_vnd)],
                order_id=order.id, reference=refund.number, actor_id=actor_id)


def _parcels(order: Order) -> dict[int, list[OrderPart]]:
    parcels: dict[int, list[OrderPart]] = {}
    for part in order.parts:
        parcels.setdefault(part.location_id, []).append(part)
    return parcels


def _groups_of(order: Order) -> dict[int, str]:
    product_ids = {line.product_id for part in order.parts for line in part.lines}
    return {product_id: group_code for product_id, group_code in db.session.execute(
        select(Product.id, Product.group_code).where(Product.id.in_(product_ids)))}


def _handed_over(order: Order, part: OrderPart, groups: dict[int, str], rates: dict[str, int]) -> list[Line]:
    goods_by_group: dict[str, int] = {}
    for line in part.lines:
        goods_by_group[groups[line.product_id]] = goods_by_group.get(groups[line.product_id], 0) + line.subtotal_vnd
    taken = ledger.commission(goods_by_group, rates)
    commission = [Line("commission", -amount, part.seller_id, rate) for amount, rate in taken]
    card_fee_bp = current_app.config["CARD_FEE_PASSED_ON_BP"] if order.payment_method == "card" else 0
    if card_fee_bp:  # the operator passes the card fee on: the producer bears its share of the goods'
        taken.append((ledger.share(part.goods_vnd, card_fee_bp), card_fee_bp))
        commission.append(Line("card_fees", -taken[-1][0], part.seller_id, card_fee_bp))
    total = sum(amount for amount, _rate in taken)
    account = holder(order, part.location)
    if account is None:  # the seller's courier took the money: the producer owes the commission
        return [Line("producer", total, part.seller_id), *commission]
    return [Line(account, part.goods_vnd), Line("producer", total - part.goods_vnd, part.seller_id), *commission]


def kept_given_back(order: Order, part: OrderPart, kept: int, actor_id: int | None = None) -> None:
    """What the producer was paid of a late cancellation goes back to the buyer (the host cancelled the
    session after all): its lines in the cancellation's entry are reversed, at the rates of then."""
    cancelled = ledger.posted(order.id)[f"cancelled:{part.id}"]
    lines = [Line(line.account, -line.amount_vnd, line.seller_id, line.rate_bp)
             for line in cancelled.lines if line.account in ("producer", "commission")]
    ledger.post("returned", f"kept_returned:{part.id}", [*lines, Line("refunds_payable", -kept)], order_id=order.id,
                reference=order.number, actor_id=actor_id)


def _kept(part: OrderPart, groups: dict[int, str], rates: dict[str, int]) -> list[Line]:
    """What the producer keeps of a part cancelled late (a booking under the host's policy), less the
    commission on it, as if those goods had been handed over."""
    if not part.kept_vnd:
        return []
    group = groups[part.lines[0].product_id]
    taken = ledger.commission({group: part.kept_vnd}, rates)
    commission = [Line("commission", -amount, part.seller_id, rate) for amount, rate in taken]
    return [Line("producer", sum(amount for amount, _rate in taken) - part.kept_vnd, part.seller_id), *commission]


def _returned(order: Order, part: OrderPart, handed_over) -> list[Line]:
    """The goods are owed back to the buyer: what the producer, the commission and the card fee got for them is
    taken back (at the rates of then), and a producer whose courier took the money pays the goods back."""
    lines = [Line(line.account, -line.amount_vnd, line.seller_id, line.rate_bp)
             for line in handed_over.lines if line.account in ("producer", "commission", "card_fees")]
    if holder(order, part.location) is None:
        lines.append(Line("producer", part.goods_vnd, part.seller_id))
    return [*lines, Line("refunds_payable", -part.goods_vnd)]


def expected_balances() -> dict[str, int]:
    """What the orders say the ledger must hold: the money the operator received less what it gave back
    (`cash`), the buyers' money held for goods not handed over yet (`prepaid`, a liability: negative) and what
    is still owed back (`refunds_payable`, negative), computed from the orders' states, not from the postings."""
    cash = held = owed = 0
    for order in db.session.scalars(select(Order).options(selectinload(Order.parts).joinedload(OrderPart.location))
                                    .execution_options(yield_per=500)):
        received, parts = money_received(order), order.parts
        cash -= order.refunded_vnd
        owed -= order.refunded_vnd
        with_goods = [part for part in parts if part.state in WITH_GOODS]
        owed += sum(part.goods_vnd for part in parts if part.state == "returned")
        if received:
            cash += order.total_vnd
            held += sum(part.goods_vnd for part in parts if part.state not in WITH_GOODS | {"cancelled"})
            owed += sum(part.goods_vnd - part.kept_vnd for part in parts if part.state == "cancelled")
        for parcel in _parcels(order).values():
            fee, location = sum(part.delivery_vnd for part in parcel), parcel[0].location
            if any(part.state in WITH_GOODS for part in parcel):
                cash += fee if not received and holder(order, location) == "cash" else 0
            elif received and all(part.state == "cancelled" for part in parcel):
                owed += fee
            elif received:
                held += fee
        for part in with_goods:
            cash += part.goods_vnd if not received and holder(order, part.location) == "cash" else 0
        if order.wrap_vnd:
            if with_goods:
                cash += order.wrap_vnd if order.payment_method not in PREPAID else 0
            elif received and all(part.state == "cancelled" for part in parts):
                owed += order.wrap_vnd
            elif received:
                held += order.wrap_vnd
    return {"cash": cash, "prepaid": -held, "refunds_payable": -owed}

