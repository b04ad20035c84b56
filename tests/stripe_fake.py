"""A small local server that speaks the few Stripe endpoints the shop uses (Checkout sessions: create,
retrieve, expire; refunds: create), so the official `stripe` library runs for real without stripe.com.
It keeps Stripe's idempotency: the same Idempotency-Key answers the first response again."""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

WEBHOOK_SECRET = "whsec_test_local"


class FakeStripe:
    def __init__(self):
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.refund_status = "succeeded"  # what the next refund answers (a test sets "pending" or "failed")
        self.requests: list[tuple[str, str, dict, dict]] = []  # method, path, form, headers
        self.idempotent: dict[str, dict] = {}
        self.down = False
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # --- what a test does on Stripe's side -----------------------------------------------------------

    def complete(self, session_id: str, amount_total: int | None = None) -> dict:
        """The buyer paid in the session; answers the session as the webhook event carries it."""
        session = self.sessions[session_id]
        session.update(status="complete", payment_status="paid", payment_intent=f"pi_test_{next(self._ids)}")
        if amount_total is not None:
            session["amount_total"] = amount_total
        return dict(session)

    def charge(self, session_id: str) -> dict:
        """The session's charge as a `charge.refunded` event carries it: what was refunded in all."""
        session = self.sessions[session_id]
        refunded = sum(r["amount"] for r in self.refunds.values()
                       if r["payment_intent"] == session["payment_intent"] and r["status"] in ("succeeded", "pending"))
        return {"id": f"ch_{session['payment_intent']}", "object": "charge", "payment_intent": session["payment_intent"],
                "amount": session["amount_total"], "amount_refunded": refunded, "currency": session["currency"],
                "refunded": refunded == session["amount_total"], "metadata": dict(session["metadata"])}

    def refund_in_dashboard(self, session_id: str, amount: int) -> None:
        """Someone refunds in Stripe's dashboard, not through the shop."""
        refund_id = f"re_test_{next(self._ids)}"
        self.refunds[refund_id] = {"id": refund_id, "object": "refund", "amount": amount, "status": "succeeded",
                                   "payment_intent": self.sessions[session_id]["payment_intent"], "metadata": {}}

    def event(self, type_: str, session: dict, event_id: str | None = None) -> bytes:
        return json.dumps({"id": event_id or f"evt_{next(self._ids)}", "object": "event", "type": type_,
                           "api_version": "2025-01-27", "created": int(time.time()),
                           "data": {"object": session}}).encode()

    # --- the HTTP side --------------------------------------------------------------------------------

    def _create(self, form: dict) -> dict:
        total, n = 0, 0
        while f"line_items[{n}][quantity]" in form:
            total += int(form[f"line_items[{n}][price_data][unit_amount]"]) * int(form[f"line_items[{n}][quantity]"])
            n += 1
        session_id = f"cs_test_{next(self._ids)}"
        session = {"id": session_id, "object": "checkout.session", "url": f"{self.url}/pay/{session_id}",
                   "status": "open", "payment_status": "unpaid", "amount_total": total,
                   "currency": form.get("line_items[0][price_data][currency]"), "mode": form.get("mode"),
                   "client_reference_id": form.get("client_reference_id"),
                   "metadata": {"order_number": form.get("metadata[order_number]")},
                   "expires_at": int(form["expires_at"]) if "expires_at" in form else None}
        self.sessions[session_id] = session
        return session

    def _refund(self, form: dict) -> tuple[int, dict]:
        intent, amount = form.get("payment_intent"), int(form.get("amount", 0))
        session = next((s for s in self.sessions.values() if s.get("payment_intent") == intent), None)
        if session is None:
            return 404, {"error": {"type": "invalid_request_error", "message": "No such payment_intent"}}
        refunded = sum(r["amount"] for r in self.refunds.values()
                       if r["payment_intent"] == intent and r["status"] in ("succeeded", "pending"))
        if amount <= 0 or refunded + amount > session["amount_total"]:
            return 400, {"error": {"type": "invalid_request_error", "code": "charge_already_refunded",
                                   "message": "Refund amount is greater than unrefunded amount on charge"}}
        refund_id = f"re_test_{next(self._ids)}"
        refund = {"id": refund_id, "object": "refund", "amount": amount, "currency": session["currency"],
                  "payment_intent": intent, "status": self.refund_status,
                  "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")}}
        self.refunds[refund_id] = refund
        return 200, dict(refund)

    def _answer(self, method: str, path: str, form: dict, headers: dict) -> tuple[int, dict]:
        with self._lock:
            self.requests.append((method, path, form, headers))
            if self.down:
                return 500, {"error": {"type": "api_error", "message": "Stripe is down (test)"}}
            key = headers.get("idempotency-key")
            if method == "POST" and key in self.idempotent:
                return 200, self.idempotent[key]
            if method == "POST" and path == "/v1/checkout/sessions":
                answer = self._create(form)
            elif method == "POST" and path == "/v1/refunds":
                status, answer = self._refund(form)
                if status != 200:
                    return status, answer
            elif (found := re.fullmatch(r"/v1/checkout/sessions/(\w+)(/expire)?", path)) is not None:
                session = self.sessions.get(found.group(1))
                if session is None:
                    return 404, {"error": {"type": "invalid_request_error", "message": "No such checkout.session"}}
                if found.group(2):
                    if session["status"] != "open":
                        return 400, {"error": {"type": "invalid_request_error",
                                               "message": "Only open sessions can be expired."}}
                    session["status"] = "expired"
                answer = dict(session)
            else:
                return 404, {"error": {"type": "invalid_request_error", "message": f"Unknown path {path}"}}
            if method == "POST" and key:
                self.idempotent[key] = answer
            return 200, answer

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                path, _, query = self.path.partition("?")
                form = dict(parse_qsl(body or query))
                status, answer = fake._answer(method, path, form, {k.lower(): v for k, v in self.headers.items()})
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def log_message(self, *args):
                pass

        return Handler


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header, made the way Stripe makes it: HMAC-SHA256 of "timestamp.payload"."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
