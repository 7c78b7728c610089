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
        match = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", bundle.read(2000))
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


PLOTLY_CSS = Path(__file__).resolve().parents[2] / "static" / "plotly.css"
_RULES_START = '"X,X div":'
_STRING = r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\''
# Keys are quoted selectors, or a bare identifier where the minifier could drop the quotes ("Y").
_RULE = re.compile(rf"\s*({_STRING}|[A-Za-z_$][\w$]*)\s*:\s*({_STRING})\s*(,|}})")


def plotly_stylesheet(bundle_text: str) -> str:
    """The style rules plotly.js would inject at run time, as a stylesheet.

    A strict Content-Security-Policy forbids the <style> element plotly.js adds. plotly.js skips adding
    it when the page already has an element with id "plotly.js-style-global" and the class
    "no-inline-styles", so base.html links this stylesheet under that id. The rules are read from the
    bundle itself (an object literal of "X ..." selectors, X standing for ".js-plotly-plot .plotly" and Y
    for ".plotly-notifier"), so upgrading plotly and rerunning scripts/build_plotly_css.py keeps them in step.
    """
    start = bundle_text.index(_RULES_START)
    position = start
    lines = [f"/* Generated from plotly.js v{_version_in(bundle_text)} by scripts/build_plotly_css.py. */"]
    while True:
        match = _RULE.match(bundle_text, position)
        if match is None:
            raise ValueError(f"Unexpected text in plotly.js style rules at {position}")
        selector, declarations = (_unquote(part) for part in match.group(1, 2))
        selector = (
            re.sub(r"^,", " ,", selector)
            .replace("X", ".js-plotly-plot .plotly")
            .replace("Y", ".plotly-notifier")
        )
        lines.append(f"{selector} {{ {declarations} }}")
        position = match.end()
        if match.group(3) == "}":
            return "\n".join(lines) + "\n"


def _unquote(literal: str) -> str:
    if literal[0] not in "'\"":
        return literal
    return re.sub(r"\\(.)", r"\1", literal[1:-1])


def _version_in(bundle_text: str) -> str:
    match = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", bundle_text[:2000])
    return match.group(1) if match else "unknown"
