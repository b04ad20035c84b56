"""Reviews by verified buyers, and a seller's delivery record.

A review needs a delivered part of the buyer's own order holding the product (the order's secret link is
the buyer's proof, whether a guest or signed in); one per part and product (a unique key: a double tap
writes one). The product's count and sum of stars move in the same transaction by guarded arithmetic
updates, so cards show the average without another query. The seller answers once, the office hides once
(audited); both are claimed with UPDATE … WHERE … IS NULL."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..audit import audit
from ..extensions import db
from ..models_base import utcnow
from ..orders.models import Order, OrderLine, OrderPart
from ..products.models import Product
from ..scope import in_scope
from ..sellers.models import Seller
from ..transitions import StatusChange
from .models import MAX_TEXT, Review

ON_TIME_DAYS = 7  # a part delivered within this many days of the order counts as on time
RECORD_DAYS = 365


class ReviewError(ValueError):
    pass


def _author(order: Order) -> str:
    """"Nguyễn Văn An" → "An N.": the given name (last word in Vietnamese) and the family name's initial."""
    words = order.contact_name.split()
    if not words:
        return "—"
    return (f"{words[-1]} {words[0][0]}." if len(words) > 1 else words[0])[:100]  # the column's width


def reviewable(order: Order) -> list[tuple[OrderPart, OrderLine]]:
    """The lines of the order's delivered parts its buyer has not reviewed yet (one per product and part)."""
    done = {(part_id, product_id) for part_id, product_id in db.session.execute(
        select(Review.order_part_id, Review.product_id).where(Review.order_part_id.in_([p.id for p in order.parts])))}
    seen, found = set(), []
    for part in order.parts:
        if part.state != "delivered":
            continue
        for line in part.lines:
            key = (part.id, line.product_id)
            if key not in done and key not in seen:
                seen.add(key)
                found.append((part, line))
    return found


def write(order: Order, product_id: int, stars: int, text: str | None, language: str) -> Review:
    """The buyer's review of a product of a delivered part of `order`, in the caller's unit of work."""
    part = next((part for part, line in reviewable(order) if line.product_id == product_id), None)
    if part is None:
        raise ReviewError(_("Only a delivered product of this order can be reviewed, once."))
    if not 1 <= stars <= 5:
        raise ReviewError(_("Choose from 1 to 5 stars."))
    text = (text or "").strip()[:MAX_TEXT] or None
    review = Review(product_id=product_id, seller_id=part.seller_id, order_part_id=part.id, author=_author(order),
                    stars=stars, text=text, language=language)
    try:
        with db.session.begin_nested():
            db.session.add(review)
            db.session.flush()
    except IntegrityError as error:  # the same review sent twice at once: the first one stands
        raise ReviewError(_("Only a delivered product of this order can be reviewed, once.")) from error
    _count(product_id, stars, +1)
    return review


def _count(product_id: int, stars: int, sign: int) -> None:
    db.session.execute(update(Product).where(Product.id == product_id)
                       .values(rating_count=Product.rating_count + sign, rating_total=Product.rating_total + sign * stars)
                       .execution_options(synchronize_session=False))


def reply(seller_id: int, review_id: int, text: str) -> bool:
    """The seller's one answer to a review of its own product (False: not its review, or answered already)."""
    text = (text or "").strip()[:MAX_TEXT]
    if not text:
        raise ReviewError(_("Write the answer."))
    return db.session.execute(update(Review).where(Review.id == review_id, Review.seller_id == seller_id,
                                                   Review.reply.is_(None))
                              .values(reply=text, replied_at=utcnow())
                              .execution_options(synchronize_session=False)).rowcount == 1


def hide(officer, review: Review, reason: str) -> bool:
    """The office hides an abusive review of a product of its province, once (audited); the product's
    average leaves it out. False when it was hidden already."""
    if not in_scope(officer, review.seller):
        raise PermissionError("review outside the officer's province")
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError(_("Give the reason."))
    claimed = db.session.execute(update(Review).where(Review.id == review.id, Review.hidden_at.is_(None))
                                 .values(hidden_at=utcnow(), hidden_reason=reason[:MAX_TEXT])
                                 .execution_options(synchronize_session=False)).rowcount == 1
    if claimed:
        _count(review.product_id, review.stars, -1)
        audit(officer, "review.hide", review, {"hidden": False}, {"hidden": True, "reason": reason})
    return claimed


def visible(product_id: int, limit: int = 20) -> list[Review]:
    return db.session.scalars(select(Review).where(Review.product_id == product_id, Review.hidden_at.is_(None))
                              .order_by(Review.created_at.desc(), Review.id.desc()).limit(limit)).all()


def of_seller(seller_id: int, limit: int = 100) -> list[Review]:
    return db.session.scalars(select(Review).where(Review.seller_id == seller_id)
                              .order_by(Review.created_at.desc(), Review.id.desc()).limit(limit)).all()


def for_office(officer, limit: int = 100) -> list[Review]:
    query = select(Review).join(Seller, Seller.id == Review.seller_id)
    if officer.province_code is not None:
        query = query.where(Seller.province_code == officer.province_code)
    return db.session.scalars(query.order_by(Review.created_at.desc(), Review.id.desc()).limit(limit)).all()


@dataclass
class SellerRecord:
    """How a seller's parts ended over the last RECORD_DAYS: delivered (and of those on time), cancelled by
    the seller itself (not by the buyer, nor by an unpaid order's expiry)."""
    delivered: int
    on_time: int
    cancelled_by_seller: int

    on_time_days: int = ON_TIME_DAYS

    @property
    def ended(self) -> int:
        return self.delivered + self.cancelled_by_seller

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.delivered if self.delivered else None

    @property
    def cancelled_share(self) -> float | None:
        return self.cancelled_by_seller / self.ended if self.ended else None


def seller_record(seller_id: int) -> SellerRecord:
    since = utcnow() - dt.timedelta(days=RECORD_DAYS)
    moved = (select(StatusChange.action, StatusChange.at, Order.created_at, StatusChange.actor_id)
             .join(OrderPart, and_(StatusChange.machine == "order_part", StatusChange.object_id == OrderPart.id))
             .join(Order, Order.id == OrderPart.order_id)
             .where(OrderPart.seller_id == seller_id, StatusChange.at >= since,
                    StatusChange.action.in_(("deliver", "hand_over", "cancel"))))
    members = set(db.session.scalars(select(User.id).where(User.seller_id == seller_id)))
    delivered = on_time = cancelled = 0
    for action, at, ordered, actor_id in db.session.execute(moved):
        if action in ("deliver", "hand_over"):
            delivered += 1
            on_time += (at - ordered) <= dt.timedelta(days=ON_TIME_DAYS)
        elif actor_id in members:
            cancelled += 1
    return SellerRecord(delivered, on_time, cancelled)



