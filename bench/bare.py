"""A bare Flask endpoint: the ceiling the storefront pages are compared with in the same run."""
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/")
def ping():
    return "ok"


@app.post("/api/v1/orders")
def order():
    """The order benchmark's reference: reads the same JSON body and answers 201 with a small document."""
    body = request.get_json()
    return jsonify({"number": "000000-000000", "items": len(body["items"])}), 201
