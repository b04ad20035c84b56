"""A bare Flask endpoint: the ceiling the storefront pages are compared with in the same run."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def ping():
    return "ok"
