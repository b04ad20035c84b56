"""Sign-in timing (issue 11): does the answer's time tell whether an email has an account?

    .venv/bin/python bench/signin.py [--rounds 200]

POSTs /account/sign-in through Flask's test client (the server's own time: routing, the lookup, the
password hash), alternating a known email with a wrong password and an unknown email, and reports
p50/p95 of each beside a bare request to the sign-in page in the same run. SQLite in a temporary directory.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    from flask_migrate import upgrade

    from marketplace import create_app
    from marketplace.accounts.services import create_user
    from marketplace.extensions import db
    with tempfile.TemporaryDirectory() as instance:
        app = create_app("development", {"INSTANCE_PATH": instance, "UPLOAD_DIR": f"{instance}/u",
                                         "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/b.sqlite",
                                         "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                                         "SEARCH_BACKEND": "none"})
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            create_user("co@example.vn", "Có", "mat-khau-dai-12")
            db.session.commit()
        client = app.test_client()
        times = {"page (GET, no hashing)": [], "known email, wrong password": [], "unknown email": []}
        for _round in range(args.rounds):
            for kind, call in (("page (GET, no hashing)", lambda: client.get("/account/sign-in")),
                               ("known email, wrong password", lambda: client.post(
                                   "/account/sign-in", data={"email": "co@example.vn", "password": "sai-mat-khau"})),
                               ("unknown email", lambda: client.post(
                                   "/account/sign-in", data={"email": "khong@example.vn", "password": "sai-mat-khau"}))):
                start = time.perf_counter()
                call()
                times[kind].append((time.perf_counter() - start) * 1000)
        print(f"{args.rounds} rounds each")
        print(f"{'kind':30} {'p50 ms':>8} {'p95 ms':>8}")
        for kind, values in times.items():
            cut = sorted(values)
            print(f"{kind:30} {statistics.median(cut):8.1f} {cut[int(len(cut) * .95)]:8.1f}")
        known, unknown = (statistics.median(times[k]) for k in ("known email, wrong password", "unknown email"))
        print(f"unknown / known (p50): {unknown / known:.2f}")


if __name__ == "__main__":
    main()
