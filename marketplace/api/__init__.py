"""/api/v1: JSON for mobile and partner clients, and its OpenAPI document."""
from . import combos, experiences, orders, views  # noqa: F401  (their routes, on the blueprint)
from .blueprint import bp  # noqa: F401
