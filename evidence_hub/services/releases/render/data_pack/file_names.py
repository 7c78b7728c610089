"""The names data packs and their tables are downloaded under."""

from __future__ import annotations

import re


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def pack_filename(reference_or_site: str, extension: str) -> str:
    """e.g. "evidence-hub-WDS-2026-01-data-pack.xlsx" for a release, or with a site's code instead."""
    name = "-".join(part for part in ("evidence-hub", _slug(reference_or_site), "data-pack") if part)
    return f"{name}.{extension.lstrip('.')}"


def table_filename(reference_or_site: str, code: str, extension: str = "csv") -> str:
    """e.g. "evidence-hub-WDS-2026-01-costs.csv": one table of a release (or of a site's own data)."""
    name = "-".join(part for part in ("evidence-hub", _slug(reference_or_site), _slug(code)) if part)
    return f"{name}.{extension.lstrip('.')}"
