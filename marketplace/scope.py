"""Who may act where: an officer in one province (or, without one, nationwide).

One home for the office's scope, read by every path that acts on a seller, a product, an order or a sales
point on the office's behalf (pages, imports, the refund queue, the sales-point pages). It knows nothing
of the domain packages: anything with a `province_code` is in or out of an officer's scope.
"""
from __future__ import annotations


def covers(officer, province_code: int | None) -> bool:
    """The officer acts in this province (an officer without a province acts in all)."""
    return officer.role == "office" and (officer.province_code is None or officer.province_code == province_code)


def in_scope(officer, thing) -> bool:
    """The officer acts on this seller, sales point or anything else with a province."""
    return covers(officer, thing.province_code)
