"""The entry point is safe by default: `gunicorn wsgi:app` with nothing set is production, and production
refuses to start with a key anyone can read or without the shop's own address."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import DEV_SECRET_KEY, ConfigError
from marketplace import create_app

ROOT = Path(__file__).resolve().parent.parent
REAL_KEY = "3f9c1e0b7a5d4c2e8f6a1b3c5d7e9f0a2b4c6d8e0f1a3b5c"

# A forged session cookie {"_user_id": "1"} signed with the development key, then a request to /office/.
FORGE = """
import json, sys
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from wsgi import app
with app.app_context():
    from marketplace.extensions import db
    from marketplace.accounts.services import create_user
    db.create_all()
    create_user("canbo@ocop.vn", "Cán bộ", "mat-khau-van-phong-dai", role="office")
    db.session.commit()
forger_app = Flask("forger")
forger_app.secret_key = sys.argv[1]
forger = SecureCookieSessionInterface().get_signing_serializer(forger_app)
client = app.test_client()
client.set_cookie("session", forger.dumps({"_user_id": "1", "_fresh": True}))
print(json.dumps({"config": "production" if not app.debug and app.config["SESSION_COOKIE_SECURE"] else "other",
                  "office": client.get("/office/", base_url="https://cho.ocop.vn").status_code}))
"""


def entry_point(tmp_path, code: str, *args, **env) -> subprocess.CompletedProcess:
    """Import wsgi.py in a fresh interpreter (as gunicorn does), with only `env` set of the shop's variables."""
    clean = {k: v for k, v in os.environ.items() if k not in (
        "MARKETPLACE_CONFIG", "SECRET_KEY", "PUBLIC_BASE_URL", "DATABASE_URL", "REDIS_URL")}
    clean |= {"INSTANCE_PATH": str(tmp_path), "SEARCH_BACKEND": "none", **env}
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=clean, capture_output=True, text=True,
                          timeout=120)


def test_the_entry_point_with_nothing_set_refuses_to_start_in_one_line(tmp_path):
    started = entry_point(tmp_path, "import wsgi")
    assert started.returncode != 0
    assert started.stderr.strip().count("\n") == 0 and "SECRET_KEY" in started.stderr  # one line, what to set
    keyed = entry_point(tmp_path, "import wsgi", SECRET_KEY=REAL_KEY)
    assert keyed.returncode != 0 and "PUBLIC_BASE_URL" in keyed.stderr


def test_a_cookie_forged_with_the_development_key_opens_nothing(tmp_path):
    started = entry_point(tmp_path, FORGE, DEV_SECRET_KEY, SECRET_KEY=REAL_KEY, PUBLIC_BASE_URL="https://cho.ocop.vn")
    assert started.returncode == 0, started.stderr
    answer = json.loads(started.stdout.strip().splitlines()[-1])
    assert answer == {"config": "production", "office": 302}  # to the sign-in page, not the office


@pytest.mark.parametrize("overrides, missing", [
    ({}, "SECRET_KEY"),
    ({"SECRET_KEY": DEV_SECRET_KEY, "PUBLIC_BASE_URL": "https://cho.ocop.vn"}, "SECRET_KEY"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY"),
    ({"SECRET_KEY": REAL_KEY}, "PUBLIC_BASE_URL"),
    ({"SECRET_KEY": REAL_KEY, "PUBLIC_BASE_URL": "cho.ocop.vn"}, "PUBLIC_BASE_URL"),
])
def test_production_refuses_what_is_not_safe(overrides, missing):
    with pytest.raises(ConfigError, match=missing):
        create_app("production", overrides)


def test_production_starts_with_a_real_key_and_its_address(tmp_path):
    app = create_app("production", {"INSTANCE_PATH": str(tmp_path), "UPLOAD_DIR": str(tmp_path / "u"),
                                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.sqlite",
                                    "SECRET_KEY": REAL_KEY, "PUBLIC_BASE_URL": "https://cho.ocop.vn"})
    assert app.config["SESSION_COOKIE_SECURE"] is True and not app.testing


def gunicorn(tmp_path, *args, **env) -> subprocess.Popen:
    clean = {k: v for k, v in os.environ.items() if k not in ("MARKETPLACE_CONFIG", "REDIS_URL", "DATABASE_URL")}
    clean |= {"INSTANCE_PATH": str(tmp_path), "SEARCH_BACKEND": "none", "SECRET_KEY": REAL_KEY,
              "PUBLIC_BASE_URL": "https://cho.ocop.vn", **env}
    return subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-b", "127.0.0.1:0", *args, "wsgi:app"],
                            cwd=ROOT, env=clean, stderr=subprocess.PIPE, text=True)


def test_production_with_several_workers_refuses_rate_limits_kept_in_memory(tmp_path):
    refused = gunicorn(tmp_path, "-w", "2")
    _out, said = refused.communicate(timeout=60)
    assert refused.returncode != 0 and "REDIS_URL" in said
    spelled_out = gunicorn(tmp_path, "-w", "2", REDIS_URL="memory://")
    _out, said = spelled_out.communicate(timeout=60)
    assert spelled_out.returncode != 0 and "REDIS_URL" in said
    started = gunicorn(tmp_path, "-w", "2", REDIS_URL="redis://127.0.0.1:6379/0")
    try:
        lines = []
        for line in started.stderr:  # gunicorn logs each worker it boots
            lines.append(line)
            if "Booting worker" in line:
                break
        assert any("Booting worker" in line for line in lines), lines
    finally:
        started.terminate()
        started.wait(timeout=30)
