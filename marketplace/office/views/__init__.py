"""The provincial office's pages: its decisions (sellers, recognitions, imports, orders) and its sales points.
One blueprint, guarded once for officers, defined in `common`."""
from . import combos, decisions, experiences, money, points, rates, refunds, reviews  # noqa: F401  (their routes, on the blueprint)
from .common import bp  # noqa: F401
