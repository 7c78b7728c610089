"""Evidence Hub: pilot sites record costs, activities, impact and learning against one framework."""

from __future__ import annotations

import gc
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request
from flask_login import current_user
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import BytecodeCache, ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from jinja2.bccache import Bucket
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from evidence_hub import design_system, errors, formatting, job_running, navigation
from evidence_hub.auth.single_sign_on import init_single_sign_on
from evidence_hub.config import configure
from evidence_hub.db import make_engine, make_session_factory
from evidence_hub.extensions import csrf, login_manager
from evidence_hub.guards import enforce_access_rule
from evidence_hub.request_input import InputCheckingFlask
from evidence_hub.request_log import configure_logging, current_request_id
from evidence_hub.services.accounts.passwords import configure_hashing
from evidence_hub.services.common.access import (
    is_service_administrator,
    led_sites,
    programme_in_view,
    why_programme_takes_nothing,
)
from evidence_hub.services.notifications.outbox import SERVICE_URL_KEY
from evidence_hub.static_files import init_static_files
from evidence_hub.template_environment import QuickImportEnvironment
from evidence_hub.web import SESSION_FACTORY_KEY, acting_user, chosen_programme_id, close_db_session

# static/ and migrations/ live at the top of the repository; the package links to them, so that a built
# wheel carries them and an installed service needs no checkout.
STATIC_FOLDER = Path(__file__).resolve().parent / "static"
GOVUK_FRONTEND_VERSION = (STATIC_FOLDER / "govuk-frontend" / "VERSION").read_text().strip()
SERVICE_NAME = "Evidence Hub"
ENGINE_KEY = "evidence_hub.engine"


class _SharedBytecodeCache(BytecodeCache):
    """Compiled templates kept in memory for every app in the process (keyed by each source's checksum).

    The GOV.UK macros are large: compiling them once per process, not once per app, keeps start-up
    and the test suite (an app per test) fast.
    """

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        compiled = self._compiled.get(bucket.key)
        if compiled is not None:
            bucket.bytecode_from_string(compiled)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_BYTECODE = _SharedBytecodeCache()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; `config` overrides every other source of settings (used by tests)."""
    app = InputCheckingFlask(
        __name__,
        instance_relative_config=True,
        static_folder=str(STATIC_FOLDER),
        static_url_path="/static",
    )
    app.jinja_environment = QuickImportEnvironment
    app.jinja_options = {**app.jinja_options, "bytecode_cache": TEMPLATE_BYTECODE}
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    configure(app, config)
    configure_logging(app)
    configure_hashing(
        time_cost=app.config["ARGON2_TIME_COST"],
        memory_kib=app.config["ARGON2_MEMORY_KIB"],
        parallelism=app.config["ARGON2_PARALLELISM"],
    )
    if app.config["TRUSTED_PROXIES"]:
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]

    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions[ENGINE_KEY] = engine
    app.extensions[SESSION_FACTORY_KEY] = make_session_factory(
        engine, info={SERVICE_URL_KEY: app.config["SERVICE_URL"]}
    )

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(Path(__file__).parent / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)

    login_manager.init_app(app)
    csrf.init_app(app)
    init_single_sign_on(app)
    _register_blueprints(app)
    errors.register(app)
    for template_filter in formatting.TEMPLATE_FILTERS:
        app.add_template_filter(template_filter)
    for component in design_system.TEMPLATE_GLOBALS:
        app.add_template_global(component)
    # Pages of a closed programme give its one reason in place of the links and buttons it would refuse.
    app.add_template_global(why_programme_takes_nothing)

    app.before_request(enforce_access_rule)
    app.after_request(_set_security_headers)
    job_running.install(app)
    init_static_files(app)
    app.teardown_appcontext(close_db_session)
    app.context_processor(_template_globals)
    return app


def prepare_to_serve() -> None:
    """Call once the app is built, in a process that will only serve requests (gunicorn, `serve`).

    Everything created while starting (modules, templates, plotly's definitions) lives as long as the
    process, yet Python's garbage collector would walk it again on every full collection: a pause of
    about 100 ms in the middle of a dashboard request at national scale. Freezing moves it out of the
    collector's way. Not for tests, which build many apps in one process.
    """
    gc.collect()
    gc.freeze()


def collect_after_request() -> None:
    """Collect a request's reference cycles once its response has been sent, when nothing is half built.

    Workers never collect in the middle of a request (gunicorn.conf.py's post_fork turns the automatic
    collector off: on Python 3.11.7 a collection while a page is being built freed objects still in use,
    docs/investigations/sigsegv.md). Everything the request made is in the youngest generation, so
    collecting that one frees its cycles (well under a millisecond, against about 15 ms for a full
    collection at 150 sites); the older generations are collected as often as the automatic collector
    would, by its own counts. The benchmarks time requests the same way.
    """
    _, young_every, old_every = gc.get_threshold()
    _, young_collections, old_collections = gc.get_count()
    generation = 2 if old_collections >= old_every else 1 if young_collections >= young_every else 0
    gc.collect(generation)


def _register_blueprints(app: Flask) -> None:
    from evidence_hub.admin import admin
    from evidence_hub.api import api
    from evidence_hub.audit_log import audit_log
    from evidence_hub.auth import auth
    from evidence_hub.background_jobs import background_jobs
    from evidence_hub.chart_assets import chart_assets
    from evidence_hub.comparisons import comparisons
    from evidence_hub.dashboard import dashboard
    from evidence_hub.downloads import downloads
    from evidence_hub.framework import framework
    from evidence_hub.main import main
    from evidence_hub.periods import periods
    from evidence_hub.returns import returns
    from evidence_hub.review import review
    from evidence_hub.tokens import tokens

    app.register_blueprint(main)
    app.register_blueprint(auth)
    app.register_blueprint(admin)
    app.register_blueprint(background_jobs)
    app.register_blueprint(framework)
    app.register_blueprint(returns)
    app.register_blueprint(review)
    app.register_blueprint(audit_log)
    app.register_blueprint(periods)
    app.register_blueprint(dashboard)
    app.register_blueprint(chart_assets)
    app.register_blueprint(downloads)
    app.register_blueprint(tokens)
    app.register_blueprint(api)
    app.register_blueprint(comparisons)
    csrf.exempt(api)  # GET only, and no cookie is used: a token in a header cannot be forged cross-site


def _csp_nonce() -> str:
    """The request's nonce for inline scripts, made when first asked for: a request refused before any
    view runs (a missing CSRF token) still gets one for its error page."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


# Assets with no evidence in them, which browsers may keep.
CACHEABLE_ENDPOINTS = frozenset({"static", "chart_assets.plotly_js"})


def _set_security_headers(response: Response) -> Response:
    nonce = _csp_nonce()
    response.headers["Content-Security-Policy"] = "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ]
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        # Pages show evidence and personal data: never keep them in a browser or proxy cache.
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def _template_globals() -> dict[str, Any]:
    """What every template is given. Flask asks for it at each render_template, and a page's form fields
    render templates of their own (the filter of every return renders three, one a list of every site), so
    the request keeps it for whoever is signed in and the programme they chose: the header's membership
    queries then run once a page, not once a field."""
    key = (current_user.get_id() if current_user.is_authenticated else None, chosen_programme_id())
    kept = g.get("template_globals")
    if kept is None or kept[0] != key:
        kept = g.template_globals = (key, _read_template_globals())
    return dict(kept[1])


def _read_template_globals() -> dict[str, Any]:
    return {
        "serviceName": SERVICE_NAME,
        "govuk_brand": bool(current_app.config["GOVUK_BRAND"]),
        "support_email": str(current_app.config["SUPPORT_EMAIL"]),
        "cspNonce": _csp_nonce(),
        "assetPath": "/static/govuk-frontend/assets",
        "govuk_frontend_version": GOVUK_FRONTEND_VERSION,
        "navigation_items": navigation.items_for_current_user(_is_service_administrator()),
        "programme_header": _programme_header(),
        "request_id": current_request_id(),
    }


def _is_service_administrator() -> bool:
    if not current_user.is_authenticated:
        return False
    try:
        return is_service_administrator(acting_user())
    except SQLAlchemyError:
        return False


def _programme_header() -> dict[str, Any] | None:
    """The programme in view, whether there are others to switch to, and the sites a lead leads in it,
    for the header."""
    if not current_user.is_authenticated:
        return None
    try:
        user = acting_user()
        programmes, in_view = programme_in_view(user, chosen_programme_id())
        sites = led_sites(user, in_view.id) if in_view is not None else []
    except SQLAlchemyError:
        # The page being drawn may be the one saying the database cannot be reached.
        return None
    return {"in_view": in_view, "several": len(programmes) > 1, "led_sites": sites}
