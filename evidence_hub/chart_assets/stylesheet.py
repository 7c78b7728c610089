"""The stylesheet that stands in for the <style> element plotly.js would add (see plotly_stylesheet)."""

from __future__ import annotations

import re
from pathlib import Path

from evidence_hub.chart_assets.views import bundle_version

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
    lines = [f"/* Generated from plotly.js v{bundle_version(bundle_text)} by scripts/build_plotly_css.py. */"]
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
