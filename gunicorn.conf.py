"""gunicorn reads this file from the directory it starts in (`gunicorn wsgi:app`)."""
import gc
import os


def on_starting(server):
    """Production with several workers needs its rate limits in Redis: kept in each worker's memory, every
    limit would be as many times looser as there are workers (and reset whenever a worker restarts)."""
    production = os.environ.get("MARKETPLACE_CONFIG", "production") == "production"
    storage = os.environ.get("REDIS_URL") or "memory://"  # as config.py reads it
    if production and server.cfg.workers > 1 and storage.startswith("memory://"):
        raise SystemExit(f"OCOP marketplace: {server.cfg.workers} workers would each count the rate limits "
                         "in their own memory; set REDIS_URL (redis://host:6379/0) or run one worker (-w 1).")


def post_worker_init(worker):
    """The app is loaded: move everything it made (modules, templates, the config) out of the garbage
    collector's sight, so each collection scans only what requests make."""
    gc.freeze()
