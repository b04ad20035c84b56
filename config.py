"""Configuration classes, read from the environment.

`INSTANCE_PATH` is where the SQLite database, the search index and uploads live
(default `instance/` beside this file). Pick a class with `MARKETPLACE_CONFIG`
(`development`, `testing`, `production`); `wsgi.py` runs production unless told otherwise, and production
refuses to start without a real SECRET_KEY and the shop's PUBLIC_BASE_URL.
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEV_SECRET_KEY = "dev-only-not-secret"


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


def _instance_path() -> str:
    return os.path.abspath(os.environ.get("INSTANCE_PATH") or BASE_DIR / "instance")


def database_url(url: str | None) -> str | None:
    """Use psycopg 3 for PostgreSQL URLs given without a driver (postgres://, postgresql://)."""
    if url and url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class Config:
    INSTANCE_PATH = _instance_path()
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL")) or (
        "sqlite:///" + os.path.join(INSTANCE_PATH, "marketplace.sqlite")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    UPLOAD_DIR = os.path.join(INSTANCE_PATH, "uploads")  # public media (product photos)
    PRIVATE_UPLOAD_DIR = os.path.join(INSTANCE_PATH, "private")  # registration certificates
    # Uploads on S3-compatible object storage instead (several app servers): the bucket, kept private; the
    # endpoint for a store other than AWS (MinIO, Ceph, a Vietnamese cloud's S3); credentials the usual way
    # (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the machine's role). storage.py.
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
    S3_REGION = os.environ.get("S3_REGION", "")
    MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
    # One form's upload in all: a 10 MB certificate, or up to 8 phone photos (larger requests get 413). Files
    # over 500 KB go to temporary files while the form is read, not to memory.
    MAX_UPLOAD_MB = 32
    MAX_CONTENT_LENGTH = MAX_UPLOAD_MB * 1024 * 1024
    # Photos: refused above this many pixels before they are decoded (24 megapixels: a camera's full size),
    # and at most this many in one form.
    MAX_IMAGE_PIXELS = int(os.environ.get("MAX_IMAGE_PIXELS", str(24_000_000)))
    MAX_PHOTOS_PER_REQUEST = int(os.environ.get("MAX_PHOTOS_PER_REQUEST", "8"))
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")  # console | file | smtp
    MAIL_FROM = os.environ.get("MAIL_FROM", "Chợ OCOP <no-reply@ocop.local>")
    SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "1") == "1"
    # Sign-in, sign-up and the seller's join page: attempts for one account from one address, and all
    # attempts from one address (clerks of a point behind one network sign in one after another).
    AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per minute")
    AUTH_RATE_LIMIT_PER_ADDRESS = os.environ.get("AUTH_RATE_LIMIT_PER_ADDRESS", "60 per minute")
    # How long the links in account emails work: a password reset (once), an address confirmation.
    RESET_LINK_MINUTES = int(os.environ.get("RESET_LINK_MINUTES", "60"))
    CONFIRM_LINK_HOURS = int(os.environ.get("CONFIRM_LINK_HOURS", "72"))
    # Forms that make the shop send an email to an address typed in (a reset link, a stock alert): per client.
    MAIL_REQUEST_RATE_LIMIT = os.environ.get("MAIL_REQUEST_RATE_LIMIT", "5 per minute")
    MAIL_PER_RECIPIENT_LIMIT = os.environ.get("MAIL_PER_RECIPIENT_LIMIT", "5 per hour")  # per typed address
    # Delivery by post, per seller part of an order (whole đồng): within the seller's province, to
    # another province, and free from this much of that seller's goods.
    DELIVERY_FEE_SAME_PROVINCE = int(os.environ.get("DELIVERY_FEE_SAME_PROVINCE", "20000"))
    DELIVERY_FEE_OTHER_PROVINCE = int(os.environ.get("DELIVERY_FEE_OTHER_PROVINCE", "35000"))
    FREE_DELIVERY_FROM = int(os.environ.get("FREE_DELIVERY_FROM", "500000"))
    # An order paid by card or VietQR that is not paid within this many minutes is cancelled and its
    # stock released (`flask orders expire`, run every few minutes by cron or a timer).
    ORDER_PAYMENT_TIMEOUT_MINUTES = int(os.environ.get("ORDER_PAYMENT_TIMEOUT_MINUTES", "30"))
    PICKUP_HOLD_DAYS = int(os.environ.get("PICKUP_HOLD_DAYS", "3"))  # a pickup order waits this long at the point
    # A cash-on-delivery part no seller confirms within this many hours is cancelled and its stock released.
    COD_CONFIRM_HOURS = int(os.environ.get("COD_CONFIRM_HOURS", "48"))
    # Nobody holds a whole shelf: units of one product per order, and orders waiting for payment or
    # delivery per phone number.
    MAX_UNITS_PER_LINE = int(os.environ.get("MAX_UNITS_PER_LINE", "20"))
    MAX_OPEN_ORDERS_PER_PHONE = int(os.environ.get("MAX_OPEN_ORDERS_PER_PHONE", "3"))
    MAX_OPEN_BOOKINGS_PER_PHONE = int(os.environ.get("MAX_OPEN_BOOKINGS_PER_PHONE", "6"))  # experiences booked, open
    ORDER_RATE_LIMIT = os.environ.get("ORDER_RATE_LIMIT", "30 per minute")  # POST /api/v1/orders per client
    # VietQR bank transfer into the marketplace operator's account (offered only when set):
    # the bank's NAPAS BIN (e.g. 970436 Vietcombank), the account number and the account holder.
    VIETQR_BANK_BIN = os.environ.get("VIETQR_BANK_BIN", "")
    VIETQR_ACCOUNT_NO = os.environ.get("VIETQR_ACCOUNT_NO", "")
    VIETQR_ACCOUNT_NAME = os.environ.get("VIETQR_ACCOUNT_NAME", "")
    VIETQR_BANK_NAME = os.environ.get("VIETQR_BANK_NAME", "")  # shown beside the QR, e.g. "Vietcombank"
    # Card payments through Stripe Checkout (offered only when the secret key is set).
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")  # another Stripe-compatible server (tests)
    # The producers' money (settlements): statements by month, or by periods of this many days; the share of a
    # card-paid part's goods a producer bears for the card fee (basis points; 0: the operator bears it).
    SETTLEMENT_PERIOD_DAYS = int(os.environ.get("SETTLEMENT_PERIOD_DAYS", "0")) or None
    CARD_FEE_PASSED_ON_BP = int(os.environ.get("CARD_FEE_PASSED_ON_BP", "0"))
    # Experiences (group VI): booking closes this many hours before a session starts; a visitor cancels free
    # until this many hours before it.
    BOOKING_CUTOFF_HOURS = int(os.environ.get("BOOKING_CUTOFF_HOURS", "12"))
    FREE_CANCEL_HOURS = int(os.environ.get("FREE_CANCEL_HOURS", "48"))
    # A booking paid on site that the host neither checked in nor marked absent lapses this long after the end.
    ON_SITE_CLOSE_HOURS = int(os.environ.get("ON_SITE_CLOSE_HOURS", "24"))
    SEARCH_INDEX_DIR = os.path.join(INSTANCE_PATH, "search-index")
    SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "whoosh")  # whoosh | postgres | none
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    # Vietnamese, English, and for Vietnam's two largest tourist markets Korean and Chinese (simplified): their
    # catalogues cover what a visitor reads; a text not yet translated, and product texts, show in English.
    LANGUAGES = ("vi", "en", "ko", "zh")
    PER_PAGE = 24
    API_MAX_PER_PAGE = 100
    # Redis: rate limits, the job queue (RQ) and the page cache are shared by every process when it is set;
    # without it each process keeps its own and runs its jobs itself (marketplace/jobs).
    REDIS_URL = os.environ.get("REDIS_URL", "")
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    # A Redis that hangs must not hang every request: a second, then the in-memory fallback counts.
    RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": 1, "socket_connect_timeout": 1} if REDIS_URL else {}
    # A commit that queued emails has them sent by a job at once (the scheduler also sends every minute).
    MAIL_SEND_ON_COMMIT = os.environ.get("MAIL_SEND_ON_COMMIT", "1") == "1"
    JOBS_EAGER = False  # run each job at once, in the process that queued it (the tests)
    # Guests' storefront pages are kept this long at most (marketplace/pagecache.py says why they are never
    # stale): in Redis with REDIS_URL, else in files under the instance folder.
    PAGE_CACHE = os.environ.get("PAGE_CACHE", "1") == "1"
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "3600"))
    # Send the session cookie only when the session changed. Refreshing it on every response (Flask's
    # default for a permanent session, which the language switch makes) let an image or script that was
    # still loading write back an older session, dropping the CSRF token a form had just been given: the
    # first form of a new visitor then failed with 400 now and then.
    SESSION_REFRESH_EACH_REQUEST = False
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down (a restart, a network blip) must not turn every order into a 500: count in each worker's
    # memory meanwhile, and never fail a request because the limit's storage failed.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # The shop's own address: every absolute link (emails, QR codes on labels, the API) is built from it.
    # Required in production; in development the address the request came to is used.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    # Count SQL statements per request and send them in a header (benchmarks, tests).
    COUNT_QUERIES = os.environ.get("COUNT_QUERIES") == "1"


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    MAIL_BACKEND = "file"
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    COUNT_QUERIES = True
    JOBS_EAGER = True  # a job's effect is there when the request that queued it returns
    CACHE_TYPE = "SimpleCache"  # the page cache, in the test process
    MAIL_SEND_ON_COMMIT = False  # a test sends the outbox when it reads it


class ProductionConfig(Config):
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"

    @classmethod
    def check(cls, config) -> None:
        """Refuse to run production with a key anyone can read, or links built from the request's Host."""
        key = config.get("SECRET_KEY") or ""
        if key == DEV_SECRET_KEY or len(key) < 32:
            raise ConfigError("production needs SECRET_KEY set to a random value of 32+ characters "
                              "(python -c 'import secrets; print(secrets.token_hex(32))'), "
                              "or MARKETPLACE_CONFIG=development on a machine of your own.")
        if not (config.get("PUBLIC_BASE_URL") or "").startswith(("https://", "http://")):
            raise ConfigError("production needs PUBLIC_BASE_URL, the shop's address (e.g. https://cho.ocop.vn): "
                              "links in emails, QR codes and the API are built from it, never from the request.")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
