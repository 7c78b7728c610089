"""The files that come with the service: the framework files (the default one first) and the JSON Schema
published for their format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FRAMEWORKS_FOLDER = Path(__file__).resolve().parents[2] / "data" / "frameworks"
SCHEMA_PATH = FRAMEWORKS_FOLDER / "framework.schema.json"
DEFAULT_FRAMEWORK_PATH = FRAMEWORKS_FOLDER / "worklessness-data-sharing.yaml"


def schema_text() -> str:
    return SCHEMA_PATH.read_text(encoding="utf-8")


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text())
    return loaded


def shipped_framework_files() -> list[Path]:
    """The framework files that come with the service, default first."""
    others = sorted(path for path in FRAMEWORKS_FOLDER.glob("*.yaml") if path != DEFAULT_FRAMEWORK_PATH)
    return [DEFAULT_FRAMEWORK_PATH, *others]
