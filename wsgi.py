"""Entry point for gunicorn (`gunicorn wsgi:app`) and `flask --app wsgi`."""
import os

from marketplace import create_app

app = create_app(os.environ.get("MARKETPLACE_CONFIG", "development"))
