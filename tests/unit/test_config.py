"""Configuration: defaults, environment variables, the generated secret key and production refusals."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from flask import Flask

from evidence_hub.config import ConfigurationError, configure, environment_overrides, normalise_database_url


def bare_app(tmp_path: Path) -> Flask:
    return Flask("evidence_hub", instance_path=str(tmp_path), instance_relative_config=True)


def test_environment_variables_are_typed_like_their_defaults() -> None:
    overrides = environment_overrides(
        {"EVIDENCE_HUB_SESSION_IDLE_MINUTES": "45", "EVIDENCE_HUB_SESSION_COOKIE_SECURE": "true"}
    )
    assert overrides == {"SESSION_IDLE_MINUTES": 45, "SESSION_COOKIE_SECURE": True}


def test_a_mistyped_environment_variable_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match="EVIDENCE_HUB_SESSION_IDLE_MINUTES must be a whole number"):
        environment_overrides({"EVIDENCE_HUB_SESSION_IDLE_MINUTES": "half an hour"})


def test_the_database_defaults_to_sqlite_in_the_instance_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("EVIDENCE_HUB_DATABASE_URL", raising=False)
    app = bare_app(tmp_path)
    configure(app)
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'evidence_hub.sqlite3'}"


def test_postgres_urls_use_psycopg_3() -> None:
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


def test_a_missing_secret_key_is_generated_once_privately_and_reused(tmp_path: Path) -> None:
    first, second = bare_app(tmp_path), bare_app(tmp_path)
    configure(first)
    configure(second)
    key_file = tmp_path / "secret_key"
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert len(first.config["SECRET_KEY"]) >= 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_instance_config_overrides_defaults(tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text("SESSION_IDLE_MINUTES = 10\n")
    app = bare_app(tmp_path)
    configure(app)
    assert app.config["SESSION_IDLE_MINUTES"] == 10


@pytest.mark.parametrize("key", ["", "dev", "short-key"])
def test_production_refuses_to_start_with_a_missing_or_weak_key(tmp_path: Path, key: str) -> None:
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        configure(bare_app(tmp_path), {"ENV": "production", "SECRET_KEY": key})


def test_production_starts_with_a_strong_key(tmp_path: Path) -> None:
    app = bare_app(tmp_path)
    configure(app, {"ENV": "production", "SECRET_KEY": "k" * 16 + "9f8e7d6c5b4a3f2e1d0c9b8a"})
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


@pytest.mark.parametrize(
    ("settings", "problem"),
    [({"STORAGE": "disk"}, "must be one of folder, s3"), ({"STORAGE": "s3"}, "S3_BUCKET")],
)
def test_storage_must_be_a_known_kind_and_s3_needs_its_bucket(
    tmp_path: Path, settings: dict[str, str], problem: str
) -> None:
    with pytest.raises(ConfigurationError, match=problem):
        configure(bare_app(tmp_path), settings)


def test_the_single_sign_on_client_secret_is_refused_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text('OIDC_CLIENT_SECRET = "written-down"\n')
    with pytest.raises(ConfigurationError, match="EVIDENCE_HUB_OIDC_CLIENT_SECRET"):
        configure(bare_app(tmp_path))


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"TWO_FACTOR_REQUIRED_ROLES": "administrator,superuser"}, "superuser"),
        ({"OIDC_ISSUER": "https://login.example"}, "OIDC_CLIENT_ID"),
        ({"PASSWORD_SIGN_IN": False}, "nobody could sign in"),
        (
            {
                "OIDC_ISSUER": "https://login.example",
                "OIDC_CLIENT_ID": "hub",
                "OIDC_NEW_ACCOUNT_ROLE": "administrator",
            },
            "evaluator, national_official",
        ),
        (
            {
                "OIDC_ISSUER": "https://login.example",
                "OIDC_CLIENT_ID": "hub",
                "OIDC_NEW_ACCOUNT_ROLE": "evaluator",
            },
            "OIDC_NEW_ACCOUNT_DOMAINS",
        ),
    ],
)
def test_sign_in_settings_that_cannot_work_stop_the_service(
    tmp_path: Path, settings: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        configure(bare_app(tmp_path), {"SECRET_KEY": "k" * 40, **settings})
