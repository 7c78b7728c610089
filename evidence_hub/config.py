"""Settings: defaults here, then instance/config.py, then EVIDENCE_HUB_* environment variables.

Later sources win. Every setting in DEFAULTS can be set from the environment as EVIDENCE_HUB_<NAME>;
the value is read with the type of its default (true/false for booleans, whole numbers for integers).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

SECRET_KEY_FILE = "secret_key"  # noqa: S105  (a file name, not a secret)
MINIMUM_SECRET_KEY_LENGTH = 32
WELL_KNOWN_WEAK_KEYS = frozenset(
    {"dev", "development", "secret", "changeme", "change-me", "test", "password"}
)

DEFAULTS: dict[str, Any] = {
    # "development" or "production"; production refuses to start with a weak SECRET_KEY.
    "ENV": "development",
    "SECRET_KEY": "",
    # Empty means SQLite in the instance folder.
    "DATABASE_URL": "",
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_ABSOLUTE_HOURS": 12,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "evidence_hub_session",
    # Largest request body accepted, in bytes; supporting documents are at most 10 MB.
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
    # Where uploaded files are kept: "folder" (this machine's disk) or "s3" (an S3-compatible object store,
    # which every web host can reach; credentials come from the usual AWS environment, never from here).
    "STORAGE": "folder",
    # With "folder": where uploaded supporting documents are kept; empty means `documents` in the instance
    # folder.
    "DOCUMENTS_FOLDER": "",
    # With "s3": the bucket, a prefix for this service's objects, and for a store other than AWS its address.
    "S3_BUCKET": "",
    "S3_PREFIX": "evidence-hub/",
    "S3_ENDPOINT_URL": "",
    "S3_REGION": "",
    "SIGN_IN_WINDOW_MINUTES": 15,
    "SIGN_IN_MAX_FAILURES_PER_ACCOUNT": 5,
    "SIGN_IN_MAX_FAILURES_PER_ADDRESS": 20,
    "PASSWORD_RESET_HOURS": 24,
    "PASSWORD_MIN_LENGTH": 12,
    # False turns password sign-in off: the sign-in page offers single sign-on alone (which must then be set
    # up) and refuses passwords sent to it.
    "PASSWORD_SIGN_IN": True,
    # Single sign-on with OpenID Connect: the identity provider's issuer address (its settings are read from
    # <issuer>/.well-known/openid-configuration; empty turns single sign-on off), the client id this service
    # is registered with, and the name on the button ("Sign in with ..."). The client secret is read from
    # the environment alone (EVIDENCE_HUB_OIDC_CLIENT_SECRET), never from a file in the repository.
    "OIDC_ISSUER": "",
    "OIDC_CLIENT_ID": "",
    "OIDC_CLIENT_SECRET": "",
    "OIDC_DISPLAY_NAME": "your organisation's account",
    # A person the identity provider vouches for whose verified email address matches no account is
    # refused, unless this names the role a new account gets (evaluator or national_official; an
    # administrator or site lead is always added by hand) and OIDC_NEW_ACCOUNT_DOMAINS lists the email
    # domains (comma-separated) whose people may have one made.
    "OIDC_NEW_ACCOUNT_ROLE": "",
    "OIDC_NEW_ACCOUNT_DOMAINS": "",
    # Two-factor sign-in (a one-time code from an authenticator app): the roles that must use it
    # (comma-separated; anyone else may choose to), and whether a sign-in through single sign-on needs no
    # second code here because the identity provider asks for its own second factor.
    "TWO_FACTOR_REQUIRED_ROLES": "administrator,national_official",
    "TWO_FACTOR_TRUSTS_SSO": False,
    # The name authenticator apps show beside the codes for this service.
    "TWO_FACTOR_ISSUER_NAME": "Evidence Hub",
    # Argon2id cost; lowered only by the test configuration.
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_KIB": 65536,
    "ARGON2_PARALLELISM": 2,
    # Number of reverse proxies in front of the service whose X-Forwarded-* headers are trusted.
    "TRUSTED_PROXIES": 0,
    "LOG_LEVEL": "INFO",
    "LOG_FORMAT": "json",
    "WTF_CSRF_TIME_LIMIT": 12 * 3600,
    # Disclosure control for releases: the smallest count of people shown (an evaluator may raise it for a
    # release, never lower it), and the rounding base offered by default (0: no rounding).
    "DISCLOSURE_THRESHOLD": 10,
    "DISCLOSURE_ROUND_TO": 0,
    # Expensive downloads (summaries as PDF or Word, data packs): how many each person, and the whole
    # service, may have rendered at once; and where rendered release files are kept (empty means
    # `release-files` in the instance folder), in at most this many megabytes.
    "RENDERS_PER_USER": 1,
    "RENDERS_AT_ONCE": 2,
    "RELEASE_FILES_FOLDER": "",
    "RELEASE_FILES_MB": 512,
    # Who runs background jobs (building a published release's files): "worker" (`evidence-hub worker`,
    # PostgreSQL only), "thread" (the web process, after answering), "now" (the web process, before
    # answering: for tests) or "off". Empty means "thread" on SQLite and "worker" on PostgreSQL.
    "JOBS_RUN_BY": "",
    # True only for a deployment on GOV.UK: the GOV.UK header, crown favicons, Crown copyright footer and
    # "– GOV.UK" page titles, which the Design System reserves for services on GOV.UK. Otherwise the pages
    # carry the generic header and the service's own icon.
    "GOVUK_BRAND": False,
    # Where people ask for help, other formats or report accessibility problems (shown in the
    # accessibility statement); empty means "the administrator of your programme".
    "SUPPORT_EMAIL": "",
    # The address people reach the service at, for the links in emails (no trailing slash needed).
    "SERVICE_URL": "http://127.0.0.1:5000",
    # How emails go out: "database" records each one for the Sent emails page and sends nothing (development
    # and the demo: no key, no network); "notify" sends through GOV.UK Notify. With "notify", set
    # EVIDENCE_HUB_NOTIFY_API_KEY in the environment (never in a file under version control) and the id of
    # the Notify email template whose subject is ((subject)) and whose body is ((body)).
    "EMAIL_BACKEND": "database",
    "NOTIFY_API_KEY": "",
    "NOTIFY_TEMPLATE_ID": "",
    "NOTIFY_BASE_URL": "https://api.notifications.service.gov.uk",
    # How long the link in an invitation to a new account works.
    "INVITATION_DAYS": 7,
    # Reset links asked for from the sign-in page: at most this many per account, and per network address,
    # in an hour; more are answered the same way and send nothing.
    "RESET_REQUESTS_PER_ACCOUNT_PER_HOUR": 3,
    "RESET_REQUESTS_PER_ADDRESS_PER_HOUR": 20,
}


def _coerce(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ValueError(f"EVIDENCE_HUB_{name} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"EVIDENCE_HUB_{name} must be a whole number, not {raw!r}") from None
    return raw


def environment_overrides(environ: os._Environ[str] | dict[str, str] | None = None) -> dict[str, Any]:
    """Settings given as EVIDENCE_HUB_* environment variables, typed like their defaults."""
    environ = os.environ if environ is None else environ
    overrides: dict[str, Any] = {}
    for name, default in DEFAULTS.items():
        raw = environ.get(f"EVIDENCE_HUB_{name}")
        if raw is not None:
            overrides[name] = _coerce(name, raw, default)
    # DATABASE_URL is the name every hosting platform uses; honour it too.
    if "DATABASE_URL" not in overrides and environ.get("DATABASE_URL"):
        overrides["DATABASE_URL"] = environ["DATABASE_URL"]
    return overrides


def sqlite_url_in(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'evidence_hub.sqlite3'}"


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the URL came with."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _load_or_create_secret_key(instance_path: str) -> str:
    path = Path(instance_path) / SECRET_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    # O_EXCL so that two workers starting together never overwrite each other's key.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key


STORAGE_BACKENDS = frozenset({"folder", "s3"})
EMAIL_BACKENDS = frozenset({"database", "notify"})
JOB_RUNNERS = frozenset({"worker", "thread", "now", "off"})


class ConfigurationError(RuntimeError):
    """The service must not start with this configuration."""


def is_weak_secret_key(key: str) -> bool:
    return len(key) < MINIMUM_SECRET_KEY_LENGTH or key.lower() in WELL_KNOWN_WEAK_KEYS


SECOND_FACTOR_ROLES = frozenset({"administrator", "evaluator", "site_lead", "national_official"})
SSO_NEW_ACCOUNT_ROLES = frozenset({"evaluator", "national_official"})


def listed(value: str) -> list[str]:
    """The items of a comma-separated setting, trimmed, without empty ones."""
    return [item.strip().lower() for item in value.split(",") if item.strip()]


def _check_sign_in_settings(config: Any) -> None:
    unknown = set(listed(config["TWO_FACTOR_REQUIRED_ROLES"])) - SECOND_FACTOR_ROLES
    if unknown:
        raise ConfigurationError(
            "EVIDENCE_HUB_TWO_FACTOR_REQUIRED_ROLES names roles that do not exist: "
            + ", ".join(sorted(unknown))
        )
    if config["OIDC_ISSUER"] and not config["OIDC_CLIENT_ID"]:
        raise ConfigurationError("EVIDENCE_HUB_OIDC_ISSUER is set: set EVIDENCE_HUB_OIDC_CLIENT_ID too.")
    if not config["PASSWORD_SIGN_IN"] and not config["OIDC_ISSUER"]:
        raise ConfigurationError(
            "EVIDENCE_HUB_PASSWORD_SIGN_IN is false, but single sign-on is not set up "
            "(EVIDENCE_HUB_OIDC_ISSUER): nobody could sign in."
        )
    role = config["OIDC_NEW_ACCOUNT_ROLE"]
    if role and role not in SSO_NEW_ACCOUNT_ROLES:
        raise ConfigurationError(
            f"EVIDENCE_HUB_OIDC_NEW_ACCOUNT_ROLE must be one of {', '.join(sorted(SSO_NEW_ACCOUNT_ROLES))}, "
            f"not {role!r}"
        )
    if role and not listed(config["OIDC_NEW_ACCOUNT_DOMAINS"]):
        raise ConfigurationError(
            "EVIDENCE_HUB_OIDC_NEW_ACCOUNT_ROLE is set: list in EVIDENCE_HUB_OIDC_NEW_ACCOUNT_DOMAINS the "
            "email domains whose people may have an account made when they first sign in."
        )


def configure(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Fill app.config from defaults, instance/config.py, the environment and explicit overrides."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    if app.config["OIDC_CLIENT_SECRET"]:
        # A secret in a file is a secret that ends up in a backup or a repository.
        raise ConfigurationError(
            "OIDC_CLIENT_SECRET is set in instance/config.py: set it in the environment alone, as "
            "EVIDENCE_HUB_OIDC_CLIENT_SECRET."
        )
    app.config.update(environment_overrides())
    if overrides:
        app.config.update(overrides)

    app.config["DATABASE_URL"] = normalise_database_url(
        app.config["DATABASE_URL"] or sqlite_url_in(app.instance_path)
    )
    production = app.config["ENV"] == "production"
    if not app.config["SECRET_KEY"]:
        if production:
            raise ConfigurationError(
                "EVIDENCE_HUB_SECRET_KEY is not set. In production set it to a random value of at least "
                f"{MINIMUM_SECRET_KEY_LENGTH} characters, for example: python -c "
                "'import secrets; print(secrets.token_urlsafe(48))'"
            )
        app.config["SECRET_KEY"] = _load_or_create_secret_key(app.instance_path)
    if production and is_weak_secret_key(app.config["SECRET_KEY"]):
        raise ConfigurationError(
            f"EVIDENCE_HUB_SECRET_KEY is too weak: use a random value of at least "
            f"{MINIMUM_SECRET_KEY_LENGTH} characters."
        )
    if app.config["STORAGE"] not in STORAGE_BACKENDS:
        raise ConfigurationError(
            f"EVIDENCE_HUB_STORAGE must be one of {', '.join(sorted(STORAGE_BACKENDS))}, "
            f"not {app.config['STORAGE']!r}"
        )
    if app.config["STORAGE"] == "s3" and not app.config["S3_BUCKET"]:
        raise ConfigurationError(
            "EVIDENCE_HUB_STORAGE is s3: set EVIDENCE_HUB_S3_BUCKET to the bucket's name."
        )
    if not app.config["JOBS_RUN_BY"]:
        app.config["JOBS_RUN_BY"] = "thread" if app.config["DATABASE_URL"].startswith("sqlite") else "worker"
    if app.config["JOBS_RUN_BY"] not in JOB_RUNNERS:
        raise ConfigurationError(
            f"EVIDENCE_HUB_JOBS_RUN_BY must be one of {', '.join(sorted(JOB_RUNNERS))}, "
            f"not {app.config['JOBS_RUN_BY']!r}"
        )
    if app.config["JOBS_RUN_BY"] == "worker" and app.config["DATABASE_URL"].startswith("sqlite"):
        raise ConfigurationError(
            "EVIDENCE_HUB_JOBS_RUN_BY is worker, but the worker's queue needs PostgreSQL: "
            "use thread with SQLite."
        )
    if app.config["EMAIL_BACKEND"] not in EMAIL_BACKENDS:
        raise ConfigurationError(
            f"EVIDENCE_HUB_EMAIL_BACKEND must be one of {', '.join(sorted(EMAIL_BACKENDS))}, "
            f"not {app.config['EMAIL_BACKEND']!r}"
        )
    if app.config["EMAIL_BACKEND"] == "notify" and not (
        app.config["NOTIFY_API_KEY"] and app.config["NOTIFY_TEMPLATE_ID"]
    ):
        raise ConfigurationError(
            "EVIDENCE_HUB_EMAIL_BACKEND is notify: set EVIDENCE_HUB_NOTIFY_API_KEY (in the environment) and "
            "EVIDENCE_HUB_NOTIFY_TEMPLATE_ID."
        )
    _check_sign_in_settings(app.config)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["SESSION_ABSOLUTE_HOURS"] * 3600
