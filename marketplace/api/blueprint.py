"""The /api/v1 blueprint, on which `views` (the catalogue, provinces, the document) and `orders` put their
routes; the package's __init__ imports both."""
from flask import Blueprint

bp = Blueprint("api", __name__)
