"""The sales points' pages, by audience: the clerk's counter, the point's stockroom, the manager's reports,
and what visitors and producers see. (The office's pages for points and staff are the office's:
office/views/points.py.) One blueprint, defined in `common`."""
from . import combos, counter, reports, stockroom, visitors  # noqa: F401  (their routes, on the blueprint)
from .common import bp  # noqa: F401
