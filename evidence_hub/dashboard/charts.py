"""Plotly figures for the dashboards, built in Python and drawn in the browser by static/charts.js.

Figures are plain Plotly figure dictionaries ({"data": [...], "layout": {...}}), serialised without
plotly.graph_objects' property-by-property validation, which at 150 sites cost more than the SQL behind
the page. tests/unit/test_dashboard_charts.py loads every figure into plotly.graph_objects.Figure, so an
invalid property still fails the build.

Every figure has a title saying what it shows, a subtitle saying which returns it is drawn from, axis
titles with units, and the site's own colour wherever sites are the series, so a site looks the same in
every chart. Where two measures share a site's colour (set-up and running cost, say) the second is
hatched, so the difference never rests on colour alone.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import plotly.io
from markupsafe import Markup

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
TEXT_COLOUR = "#0b0c0c"
GRID_COLOUR = "#d8d8d8"
NEUTRAL = "#505a5f"
HATCH = "/"
# Sequential colours for counts (light to dark blue), readable with any common colour-vision deficiency.
COUNT_SCALE = [[0.0, "#f3f7fb"], [0.5, "#5694ca"], [1.0, "#003078"]]
# Above this many sites a chart with one series per site is unreadable: it shows all sites together.
MOST_SITES_AS_SERIES = 12
# Period labels that fit across a chart beside its legend, written on two lines.
MOST_PERIOD_TICKS = 10


Figure = dict[str, Any]


@dataclass(frozen=True)
class Axis:
    title: str
    money: bool = False
    percent: bool = False
    range: tuple[float, float] | None = None


@dataclass
class SiteSeries:
    """One site's line: values by category (period), in the site's colour and dash."""

    name: str
    colour: str
    dash: str
    values: Sequence[Decimal | int | None]
    # Marker per point: filled when the evidence meets the framework's minimum, open otherwise.
    open_markers: list[bool] = field(default_factory=list)
    hover: list[str] = field(default_factory=list)


def _number(value: Decimal | int | None) -> float | None:
    return None if value is None else float(value)


def _layout(title: str, subtitle: str, x_title: str, y_axis: Axis, *, legend: bool = True) -> dict[str, Any]:
    y: dict[str, Any] = {
        # automargin and a standoff keep the axis title clear of the tick labels, however wide they are.
        # Written up the side on short lines: a long title on one line ran past the plot into the chart's
        # own title.
        "title": {"text": "<br>".join(textwrap.wrap(y_axis.title, 26)) or y_axis.title, "standoff": 12},
        "automargin": True,
        "gridcolor": GRID_COLOUR,
        "zerolinecolor": NEUTRAL,
        "rangemode": "tozero",
        "fixedrange": True,
    }
    if y_axis.money:
        y.update(tickprefix="£", tickformat=",.0f")
    elif y_axis.percent:
        y.update(ticksuffix="%", tickformat=",.0f")
    else:
        y.update(tickformat=",")
    if y_axis.range is not None:
        y["range"] = list(y_axis.range)
    return {
        "title": {"text": title, "subtitle": {"text": subtitle}, "x": 0, "xanchor": "left"},
        "font": {"family": FONT, "size": 16, "color": TEXT_COLOUR},
        "xaxis": {"title": {"text": x_title, "standoff": 12}, "automargin": True, "fixedrange": True},
        "yaxis": y,
        "showlegend": legend,
        # Beside the plot, right of it: Plotly widens the right margin to fit it, so it never lies over an
        # axis title or tick labels (a legend under the plot did).
        "legend": {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"},
        "margin": {"l": 80, "r": 24, "t": 90, "b": 40},
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "hoverlabel": {"font": {"family": FONT}},
        "dragmode": False,
    }


def bars_by_site(
    title: str,
    subtitle: str,
    sites: Sequence[str],
    colours: Sequence[str],
    parts: Sequence[tuple[str, Sequence[Decimal | int | None]]],
    y_axis: Axis,
    *,
    stacked: bool = True,
) -> Figure:
    """Bars with one bar (or group) per site in the site's colour; a second part is hatched."""
    data = []
    for index, (name, values) in enumerate(parts):
        data.append(
            {
                "type": "bar",
                "x": list(sites),
                "y": [_number(value) for value in values],
                "name": name,
                "marker": {
                    "color": list(colours),
                    "line": {"color": TEXT_COLOUR, "width": 1},
                    "pattern": {
                        "shape": "" if index == 0 else HATCH,
                        "fillmode": "overlay",
                        "fgcolor": "#ffffff",
                        "solidity": 0.4,
                    },
                },
                "hovertemplate": "%{x}<br>"
                + name
                + ": %{y:"
                + (",.2f" if y_axis.money else ",")
                + "}<extra></extra>",
            }
        )
    layout = _layout(title, subtitle, "Site", y_axis, legend=len(parts) > 1)
    layout["barmode"] = "stack" if stacked else "group"
    return {"data": data, "layout": layout}


def grouped_bars(
    title: str,
    subtitle: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[Decimal | int | None]]],
    category_title: str,
    value_axis: Axis,
    *,
    horizontal: bool = False,
) -> Figure:
    """Bars grouped by category, one series per (name, colour, values); horizontal for long names."""
    data = []
    for name, colour, values in series:
        numbers = [_number(value) for value in values]
        data.append(
            {
                "type": "bar",
                "x": numbers if horizontal else list(categories),
                "y": list(categories) if horizontal else numbers,
                "orientation": "h" if horizontal else "v",
                "name": name,
                "marker": {"color": colour, "line": {"color": TEXT_COLOUR, "width": 1}},
            }
        )
    layout = _layout(title, subtitle, category_title, value_axis, legend=len(series) > 1)
    if horizontal:
        value_layout = {**layout["yaxis"]}
        value_layout.pop("rangemode", None)
        layout["xaxis"], layout["yaxis"] = (
            {**value_layout, "rangemode": "tozero"},
            {
                "title": {"text": category_title},
                "autorange": "reversed",
                "automargin": True,
                "fixedrange": True,
            },
        )
        layout["height"] = max(420, 120 + 28 * len(categories) * max(1, len(series)))
    else:
        layout["xaxis"].update(_wrapped_ticks(categories))
    layout["barmode"] = "group"
    return {"data": data, "layout": layout}


def _wrapped_ticks(labels: Sequence[str], width: int = 14) -> dict[str, Any]:
    """Category labels written across, on several short lines, instead of long slanted ones that run into
    each other and the axis title."""
    return {
        "tickmode": "array",
        "tickvals": list(labels),
        "ticktext": ["<br>".join(textwrap.wrap(label, width)) or label for label in labels],
        "tickangle": 0,
    }


MAX_SERIES_WITH_NOTES = 25


def lines_over_time(
    title: str, subtitle: str, periods: Sequence[str], series: Sequence[SiteSeries], y_axis: Axis
) -> Figure:
    data = []
    # Past a few dozen lines the hover notes (what the table beside the chart says of each point) would
    # repeat the table in the page: the chart keeps the period, site and value, the table the rest.
    notes = len(series) <= MAX_SERIES_WITH_NOTES
    for each in series:
        symbols: list[str] | str = [
            "circle-open" if hollow else "circle" for hollow in each.open_markers
        ] or "circle"
        if not notes and len(set(symbols)) == 1:
            symbols = symbols[0]
        trace: dict[str, Any] = {
            "type": "scatter",
            "x": list(periods),
            "y": [_number(value) for value in each.values],
            "name": each.name,
            "mode": "lines+markers",
            "connectgaps": False,
            "line": {"color": each.colour, "dash": each.dash, "width": 3},
            "marker": {"color": each.colour, "size": 10, "symbol": symbols, "line": {"width": 2}},
        }
        if not notes:
            trace["hovertemplate"] = "%{x}<br>" + each.name + ": %{y}<extra></extra>"
        elif each.hover:
            trace["text"] = each.hover
            trace["hovertemplate"] = "%{x}<br>" + each.name + ": %{y}<br>%{text}<extra></extra>"
        data.append(trace)
    layout = _layout(title, subtitle, "Reporting period", y_axis)
    layout["xaxis"].update(_period_ticks(periods))
    return {"data": data, "layout": layout}


def _period_ticks(periods: Sequence[str]) -> dict[str, Any]:
    """Period codes written across on two lines ("2009-10" over "Q1", "2007" over "Q2" for a calendar
    quarter such as "2007Q2"): slanted, their boxes ran into each other and the axis title. Of more than
    MOST_PERIOD_TICKS periods, every second (or third...) is labelled, counting back from the latest."""
    step = -(-len(periods) // MOST_PERIOD_TICKS)
    labelled = list(periods)[::-1][::step][::-1] if step > 1 else list(periods)
    return {
        "tickmode": "array",
        "tickvals": labelled,
        "ticktext": [re.sub(r"-?Q(?=\d$)", "<br>Q", period) for period in labelled],
        "tickangle": 0,
    }


def count_matrix(
    title: str,
    subtitle: str,
    rows: Sequence[str],
    columns: Sequence[str],
    counts: Sequence[Sequence[int]],
    x_title: str,
    y_title: str,
) -> Figure:
    """A heat map of counts with each count written in its cell. It is drawn turned: the columns (themes,
    dimensions: long names) run down the side, written across, one row each, and the rows (sites) across
    the top, so that no label is slanted or cut off and each cell is big enough to read."""
    turned = [list(column) for column in zip(*counts, strict=True)] if counts else []
    heatmap = {
        "type": "heatmap",
        "z": turned,
        "x": list(rows),
        "y": list(columns),
        "text": [[str(count) for count in row] for row in turned],
        "texttemplate": "%{text}",
        "colorscale": COUNT_SCALE,
        "showscale": False,
        "hovertemplate": x_title + ": %{y}<br>" + y_title + ": %{x}<br>Entries: %{z}<extra></extra>",
        "xgap": 2,
        "ygap": 2,
    }
    layout = _layout(title, subtitle, y_title, Axis(x_title), legend=False)
    layout["xaxis"].update(side="top", title={"text": ""})
    layout["yaxis"] = {
        "title": {"text": x_title, "standoff": 12},
        "autorange": "reversed",
        "automargin": True,
        "fixedrange": True,
    }
    layout["margin"] = {**layout["margin"], "t": 130}
    layout["height"] = max(360, 220 + 48 * len(columns))
    return {"data": [heatmap], "layout": layout}


def figure_json(figure: Figure) -> Markup:
    """The figure as JSON that is safe inside <script type="application/json">: no `<`, `>` or `&`."""
    text = plotly.io.to_json(figure, validate=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))  # noqa: S704


def mark_quarter(figure: Figure, quarter: str, label: str) -> Figure:
    """A dashed vertical line at a quarter of a chart over time (such as the pilot's start), labelled."""
    layout = figure["layout"]
    layout["shapes"] = [
        *layout.get("shapes", []),
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": quarter,
            "x1": quarter,
            "y0": 0,
            "y1": 1,
            "line": {"color": TEXT_COLOUR, "dash": "dash", "width": 2},
        },
    ]
    layout["annotations"] = [
        *layout.get("annotations", []),
        {
            "x": quarter,
            "xref": "x",
            "y": 1,
            "yref": "paper",
            "text": label,
            "showarrow": False,
            "xanchor": "left",
            "yanchor": "bottom",
        },
    ]
    return figure


def estimates_with_intervals(
    title: str,
    subtitle: str,
    labels: Sequence[str],
    estimates: Sequence[float],
    lows: Sequence[float],
    highs: Sequence[float],
    x_title: str,
) -> Figure:
    """Each estimate as a point with its interval as a horizontal bar, one row each, top to bottom, with
    the line of no difference at zero (a forest plot)."""
    trace = {
        "type": "scatter",
        "mode": "markers",
        "x": list(estimates),
        "y": list(labels),
        "marker": {"color": TEXT_COLOUR, "size": 12, "symbol": "square"},
        "error_x": {
            "type": "data",
            "symmetric": False,
            "array": [high - estimate for high, estimate in zip(highs, estimates, strict=True)],
            "arrayminus": [estimate - low for low, estimate in zip(lows, estimates, strict=True)],
            "color": NEUTRAL,
            "thickness": 2,
        },
        "hovertemplate": "%{y}: %{x:.2f}<extra></extra>",
        "name": "Estimate and interval",
    }
    layout = _layout(title, subtitle, x_title, Axis(""), legend=False)
    layout["xaxis"]["zeroline"] = True
    layout["xaxis"]["zerolinecolor"] = TEXT_COLOUR
    layout["yaxis"] = {"autorange": "reversed", "automargin": True, "fixedrange": True}
    layout["height"] = max(300, 160 + 50 * len(labels))
    return {"data": [trace], "layout": layout}
