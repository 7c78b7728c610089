"""plotly.js, served from the installed plotly package's own copy, so the browser draws with the same
version the Python side builds figures for, and the service needs no internet access."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import plotly
from flask import Blueprint, Response, abort, send_file

from evidence_hub.guards import public

PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
# A year: the address changes with the version, so a cached copy is never stale.
CACHE_SECONDS = 365 * 24 * 60 * 60

chart_assets = Blueprint("chart_assets", __name__)


@chart_assets.app_context_processor
def _plotly_globals() -> dict[str, object]:
    return {"plotly_version": plotly_js_version(), "plotly_style_ids": injected_style_ids()}


@cache
def injected_style_ids() -> tuple[str, ...]:
    """Ids of the <style> elements plotly.js's bundled map library adds when its script loads.

    Each is added only when no element has its id yet. Those styles are for maps, which the dashboards
    do not draw, and a strict Content-Security-Policy would refuse them; the layout puts an empty
    element with each id in the page first, so the library never tries.
    """
    text = PLOTLY_JS.read_text(encoding="utf-8")
    pattern = r'getElementById\("([^"]+)"\)\)\{var \w+=document\.createElement\("style"\)'
    return tuple(dict.fromkeys(re.findall(pattern, text)))


@cache
def plotly_js_version() -> str:
    with PLOTLY_JS.open(encoding="utf-8") as bundle:
        return bundle_version(bundle.read(2000))


def bundle_version(bundle_text: str) -> str:
    """The version plotly.js states in its opening comment."""
    match = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", bundle_text[:2000])
    return match.group(1) if match else "unknown"


@chart_assets.route("/static/vendor/plotly-<version>.min.js")
@public
def plotly_js(version: str) -> Response:
    """The plotly.js bundle of the installed plotly package."""
    if version != plotly_js_version():
        abort(404)
    response = send_file(PLOTLY_JS, mimetype="text/javascript", max_age=CACHE_SECONDS)
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}, immutable"
    return response
