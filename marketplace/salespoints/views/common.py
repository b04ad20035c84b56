"""What every page of the sales points shares: the blueprint, the guard that keeps staff at their own point,
and the words for a refused document."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...accounts.services import roles_required
from ...extensions import db
from ...i18n import vnd
from ...inventory import services as stock
from ...products.models import Product
from ...transitions import Refused
from .. import counts, services, transfers

bp = Blueprint("salespoints", __name__)


@bp.context_processor
def counter_helpers():
    return {"is_manager_of": lambda point: services.is_manager(current_user, point)}


PROBLEMS = {
    "empty": _l("Nothing to record yet."),
    "past_best_before": _l("Already past the best-before date: %(names)s."),
    "not_for_sale": _l("Some products are not on sale (no OCOP recognition in force): %(names)s."),
    "combo_not_for_sale": _l("A gift combo on the till is no longer on sale at this point: take it off the till."),
    "out_of_stock": _l("Not enough on the shelf: %(names)s. Check the quantity."),
    "cash_short": _l("The cash received is less than the total."),
    "price_changed": _l("A price changed since this till was shown: the total is now %(total)s. Tell the customer, "
                        "then record the sale again."),
    "no_reason": _l("Give a reason."),
    "voided": _l("This sale was voided."),
    "nothing": _l("Choose what is brought back."),
    "too_many": _l("More than was sold on this receipt (less what came back already)."),
    "not_voidable": _l("Only a sale with nothing returned yet can be voided."),
    "bad_destination": _l("Choose another open sales point."),
    "already_received": _l("This transfer was received already."),
    "count_open": _l("A count of this point is already open: finish it first."),
    "count_closed": _l("This count is closed."),
    "bad_count": _l("Counts are whole numbers from 0."),
    "uncounted": _l("Some lines have no number yet: enter 0 for what is not there."),
    "held": _l("A count cannot take the shelf below what is held for pickup orders."),
}


# What refuses a document: the services name their refusals (PointError); a refused transition or a
# stock refusal they did not name means someone acted first.
REFUSALS = (services.PointError, Refused, stock.StockError)
UNNAMED = {services.SALE.name: "not_voidable", counts.COUNT.name: "count_closed",
           transfers.TRANSFER.name: "already_received"}


def problem(error: Exception) -> str:
    """What the clerk reads about a refused document, in their language."""
    if isinstance(error, Refused):
        error = services.PointError(UNNAMED[error.machine])
    elif not isinstance(error, services.PointError):
        error = services.PointError("out_of_stock", [getattr(error, "product_id", None)])
    names = ", ".join(product.name for product in db.session.scalars(
        db.select(Product).where(Product.id.in_([i for i in error.items if isinstance(i, int)]))))
    message = str(PROBLEMS[error.code])
    if error.code == "price_changed":
        return message % {"total": vnd(error.items[0])}
    return message % {"names": names} if "%(names)s" in message else message


def staff_of_point(view):
    """The point in the URL must be the signed-in staff member's own; otherwise 404, whatever the id."""
    @wraps(view)
    @roles_required("staff")
    def wrapped(point_id: int, **kwargs):
        point = services.point_of(current_user, point_id)
        if point is None:
            abort(404)
        return view(point, **kwargs)
    return wrapped
