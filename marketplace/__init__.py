"""The OCOP marketplace: create_app wires config, extensions, blueprints, CLI and error pages."""
from __future__ import annotations

import os

from flask import Flask
from flask_babel import lazy_gettext as _l

from config import CONFIGS

from . import assets, errors, i18n, pagecache, security, storage
from .extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(config_name: str = "development", overrides: dict | None = None) -> Flask:
    config_class = CONFIGS[config_name]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(
        __name__,
        instance_path=(overrides or {}).get("INSTANCE_PATH", config_class.INSTANCE_PATH),
        template_folder=os.path.join(root, "templates"),
        static_folder=os.path.join(root, "static"),
    )
    app.config.from_object(config_class)
    app.config.update(overrides or {})
    if hasattr(config_class, "check"):
        config_class.check(app.config)
    os.makedirs(app.instance_path, exist_ok=True)

    _init_extensions(app)
    security.init_converters(app)
    _register_blueprints(app)
    _register_cli(app)
    _register_jobs(app)
    errors.init_app(app)
    _register_template_context(app)
    _register_favicon(app)
    security.init_app(app)
    assets.init_app(app)
    if app.config.get("COUNT_QUERIES"):
        from .querycount import init_app as init_query_count
        init_query_count(app)
    return app


def _init_extensions(app: Flask) -> None:
    from . import collation  # noqa: F401  (SQLite learns the Vietnamese collation on every connection)
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.login_message = _l("Please sign in to see this page.")
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    pagecache.init_app(app)
    storage.init_app(app)
    from . import search
    from .catalog import alerts
    from .orders import cart
    from .outbox import services as outbox
    from .rates import views as rates
    search.init_app(app)
    alerts.register()
    outbox.register()
    cart.init_app(app)
    rates.init_app(app)
    # Import every model so metadata (and Alembic autogenerate) sees all tables.
    from . import audit as _audit  # noqa: F401
    from . import transitions as _transitions  # noqa: F401
    from .accounts import models as _accounts  # noqa: F401
    from .certification import models as _certification  # noqa: F401
    from .combos import models as _combos  # noqa: F401
    from .experiences import models as _experiences  # noqa: F401
    from .inventory import models as _inventory  # noqa: F401
    from .orders import models as _orders  # noqa: F401
    from .outbox import models as _outbox  # noqa: F401
    from .payments import models as _payments  # noqa: F401
    from .products import models as _products  # noqa: F401
    from .rates import models as _rates  # noqa: F401
    from .reviews import models as _reviews  # noqa: F401
    from .salespoints import models as _salespoints  # noqa: F401
    from .search import models as _search  # noqa: F401
    from .sellers import models as _sellers  # noqa: F401
    from .settlements import models as _settlements  # noqa: F401
    from .wishlist import models as _wishlist  # noqa: F401


def _register_blueprints(app: Flask) -> None:
    from .accounts.views import bp as accounts_bp
    from .api import bp as api_bp
    from .catalog.views import bp as catalog_bp
    from .combos.views import bp as combos_bp
    from .experiences.views import bp as experiences_bp
    from .inventory.views import bp as inventory_bp
    from .office.views import bp as office_bp
    from .orders.views import bp as orders_bp
    from .reviews.views import bp as reviews_bp
    from .salespoints.views import bp as salespoints_bp
    from .search.views import bp as search_bp
    from .sellers.views import bp as sellers_bp
    from .settlements.views import bp as settlements_bp
    from .wishlist.views import bp as wishlist_bp

    app.register_blueprint(catalog_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(combos_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(sellers_bp)
    app.register_blueprint(settlements_bp)
    app.register_blueprint(inventory_bp)
    app.register_blueprint(experiences_bp)
    app.register_blueprint(office_bp)
    app.register_blueprint(orders_bp)
    app.register_blueprint(salespoints_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(wishlist_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)


def _register_cli(app: Flask) -> None:
    from .accounts.cli import accounts_cli
    from .catalog.cli import catalog_cli
    from .certification.cli import certificates_cli
    from .combos.cli import combos_cli
    from .demo.cli import demo_cli
    from .experiences.cli import experiences_cli
    from .inventory.cli import inventory_cli
    from .orders.cli import orders_cli
    from .outbox.cli import outbox_cli
    from .sellers.cli import sellers_cli
    from .settlements.cli import settlements_cli

    app.cli.add_command(accounts_cli)
    app.cli.add_command(catalog_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(combos_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(experiences_cli)
    app.cli.add_command(inventory_cli)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(orders_cli)
    app.cli.add_command(sellers_cli)
    app.cli.add_command(settlements_cli)


def _register_jobs(app: Flask) -> None:
    """The background jobs and the periodic ones `flask jobs scheduler` enqueues (times in UTC)."""
    from . import jobs
    from .certification.expiry import remind
    from .experiences.jobs import tell_unlisted_bookings
    from .orders.payments import expire_overdue, expire_unconfirmed_cod, refund_cancelled_bookings
    from .outbox.services import send_pending
    from .search.services import process_queue

    jobs.init_app(app, periodic=[
        jobs.Periodic(send_pending, seconds=60),  # what a failed or lost sending job left
        jobs.Periodic(expire_overdue, seconds=60),  # unpaid card and VietQR orders, uncollected pickups
        jobs.Periodic(expire_unconfirmed_cod, seconds=600),
        jobs.Periodic(refund_cancelled_bookings, seconds=600),  # what a lost job left (each cancel queues it)
        jobs.Periodic(process_queue, seconds=300),  # products whose index update failed
        jobs.Periodic(remind, cron="0 1 * * *"),  # 08:00 in Vietnam: recognitions ending within 30 days
        jobs.Periodic(tell_unlisted_bookings, seconds=3600),  # bookings of experiences no longer recognised
    ])


def _register_favicon(app: Flask) -> None:
    """Browsers ask for /favicon.ico on every page whatever the page links to (crawlers' /robots.txt is the
    search package's, with the sitemap)."""
    app.add_url_rule("/favicon.ico", "favicon",
                     lambda: app.send_static_file("favicon.ico"), provide_automatic_options=False)


def _register_template_context(app: Flask) -> None:
    from . import ocop
    from .demo.cli import demo_marker
    from .forms import once_key

    app.add_template_global(ocop, "ocop")
    app.add_template_filter(ocop.phone_display, "phone")
    app.add_template_global(once_key, "once_key")

    @app.context_processor
    def shared_context():
        return {"demo_data": os.path.exists(demo_marker(app))}
