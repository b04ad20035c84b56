"""Entry point for gunicorn (`gunicorn wsgi:app`) and `flask --app wsgi`. It runs production unless
MARKETPLACE_CONFIG says otherwise (`make run` asks for development), and production refuses to start
without a real SECRET_KEY and PUBLIC_BASE_URL: one line says what to set."""
import os

from config import ConfigError
from marketplace import create_app

try:
    app = create_app(os.environ.get("MARKETPLACE_CONFIG", "production"))
except ConfigError as error:
    raise SystemExit(f"OCOP marketplace: {error}") from None
