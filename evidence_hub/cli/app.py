"""The app a command works on, made from the configuration, and its database."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from sqlalchemy.orm import Session

from evidence_hub import create_app
from evidence_hub.config import ConfigurationError


def configured_app(**overrides: Any) -> Flask:
    """The app as configured; a configuration mistake stops the command with its message."""
    try:
        return create_app(overrides or None)
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from error


def session_for(app: Flask) -> Session:
    return app.extensions["evidence_hub.session_factory"]()


def engine_for(app: Flask) -> Any:
    return app.extensions["evidence_hub.engine"]
