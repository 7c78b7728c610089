"""Charts for the learning summary's PDF and Word documents, drawn with matplotlib, without a browser.

The dashboards draw with Plotly in the browser; a downloaded document needs pictures. These charts follow
the dashboards' conventions: each site keeps its own colour (``summary["site_colours"]``), a second measure
sharing a site's colour is hatched so the difference never rests on colour alone, and a suppressed count
(``[c]``) is drawn as no bar with a ``[c]`` label, never as a number.

Every chart is built in two steps so tests can look at it before it becomes pixels: a ``*_figure``
function builds a ``DrawnFigure`` (the matplotlib Figure with its alternative text and caption) and
``render`` turns it into PNG bytes. Figures are made with ``matplotlib.figure.Figure`` and the Agg canvas
directly, never pyplot, whose global figure registry is not safe across gunicorn threads; and fonts are
named (DejaVu Sans, which matplotlib bundles) so no system font or internet access is needed. PNGs carry
no software version or date, so the same summary always gives the same bytes.
"""

from __future__ import annotations

import base64
import io
import json
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from evidence_hub.formatting import shortened
from evidence_hub.services.releases.disclosure import SUPPRESSED
from evidence_hub.services.releases.render.units import Unit, indicator_unit
from evidence_hub.services.releases.render.words import clean_text, measure_value, money, number, people

FONT: Final = "DejaVu Sans"
TEXT_COLOUR: Final = "#0b0c0c"
GRID_COLOUR: Final = "#d8d8d8"
NEUTRAL: Final = "#505a5f"
HATCH: Final = "//"
HATCH_COLOUR: Final = "#ffffff"
DPI: Final = 150
WIDTH_INCHES: Final = 6.6
HEIGHT_INCHES: Final = 3.4
# What stands where a figure is not available and no bar is drawn (a withheld one shows [c]).
NOT_AVAILABLE_LABEL: Final = "n/a"
CHARTED_UNITS: Final = (Unit.COUNT, Unit.PERCENTAGE)
# The width of an average character and the height of a line of 8-point DejaVu Sans, for margins.
CHARACTER_INCHES: Final = 0.065
LINE_INCHES: Final = 0.15
# Room for the legend between a chart's title and its plot, in points.
LEGEND_POINTS: Final = 20
# Above this many sites, site names on the axis are set at an angle so they do not overlap.
MOST_SITES_UPRIGHT: Final = 6


@dataclass(frozen=True)
class DrawnFigure:
    """A chart before it is saved: the figure, and what it says for readers who cannot see it."""

    figure: Figure
    alt_text: str
    caption: str


@dataclass(frozen=True)
class Chart:
    """A chart as a document holds it: PNG bytes, its size in pixels, alternative text and a caption."""

    png: bytes
    width_px: int
    height_px: int
    alt_text: str
    caption: str

    @property
    def aspect(self) -> float:
        """Height over width, to place the picture at any width without stretching it."""
        return self.height_px / self.width_px


@dataclass(frozen=True)
class SummaryCharts:
    """Every chart of one summary; a chart with nothing to draw is None (findings: left out)."""

    costs: Chart | None
    people: Chart | None
    findings: dict[str, Chart]
    barriers_enablers: Chart | None

    def to_json(self) -> bytes:
        """The charts as JSON (PNGs in base64), to keep once drawn: drawing them takes minutes at scale."""

        def chart(drawn: Chart | None) -> dict[str, Any] | None:
            if drawn is None:
                return None
            return {
                "png": base64.b64encode(drawn.png).decode("ascii"),
                "width_px": drawn.width_px,
                "height_px": drawn.height_px,
                "alt_text": drawn.alt_text,
                "caption": drawn.caption,
            }

        return json.dumps(
            {
                "costs": chart(self.costs),
                "people": chart(self.people),
                "findings": {code: chart(drawn) for code, drawn in self.findings.items()},
                "barriers_enablers": chart(self.barriers_enablers),
            }
        ).encode("utf-8")

    @classmethod
    def from_json(cls, text: bytes) -> SummaryCharts:
        def chart(kept: dict[str, Any] | None) -> Chart | None:
            if kept is None:
                return None
            return Chart(
                png=base64.b64decode(kept["png"]),
                width_px=int(kept["width_px"]),
                height_px=int(kept["height_px"]),
                alt_text=str(kept["alt_text"]),
                caption=str(kept["caption"]),
            )

        kept = json.loads(text)
        return cls(
            costs=chart(kept["costs"]),
            people=chart(kept["people"]),
            findings={code: drawn for code, each in kept["findings"].items() if (drawn := chart(each))},
            barriers_enablers=chart(kept["barriers_enablers"]),
        )


def site_colour(summary: Mapping[str, Any], site_code: object) -> str:
    """The site's colour on the dashboards; a site without one (never expected) is drawn in neutral grey."""
    colours = summary.get("site_colours") or {}
    return str(colours.get(str(site_code), NEUTRAL))


def _figure_value(value: object) -> float | None:
    """A figure's height on a chart (drawing needs floats; every figure printed comes from the summary)."""
    if value is None or value == SUPPRESSED or isinstance(value, bool):
        return None
    try:
        return float(Decimal(str(value)))
    except InvalidOperation:
        return None


def _not_drawn_label(value: object) -> str:
    return SUPPRESSED if value == SUPPRESSED else NOT_AVAILABLE_LABEL


def _new_figure(height_inches: float = HEIGHT_INCHES) -> tuple[Figure, Axes]:
    figure = Figure(figsize=(WIDTH_INCHES, height_inches), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.tick_params(labelfontfamily=FONT, labelsize=8, colors=TEXT_COLOUR)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.set_axisbelow(True)
    return figure, axes


def _heading(axes: Axes, title: str, measures: Sequence[tuple[str, bool]] = ()) -> None:
    """The chart's title, and under it a legend of the measures (solid, then hatched) when there are two.

    The legend sits above the plot, never over a bar; it is drawn in neutral grey because the colours
    stand for sites and the site names are on the axis.
    """
    axes.set_title(
        title,
        loc="left",
        pad=LEGEND_POINTS if measures else 6,
        fontfamily=FONT,
        fontsize=10,
        fontweight="bold",
        color=TEXT_COLOUR,
    )
    if not measures:
        return
    handles = [
        Patch(
            facecolor=NEUTRAL,
            edgecolor=TEXT_COLOUR,
            hatch=HATCH if hatched else None,
            hatchcolor=HATCH_COLOUR,
            label=label,
        )
        for label, hatched in measures
    ]
    axes.legend(
        handles=handles,
        prop={"family": FONT, "size": 8},
        frameon=False,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        borderaxespad=0.1,
        borderpad=0.2,
        ncols=len(handles),
    )


def _axis_label(axes: Axes, text: str, *, horizontal: bool = False) -> None:
    setter = axes.set_xlabel if horizontal else axes.set_ylabel
    setter(text, fontfamily=FONT, fontsize=8, color=TEXT_COLOUR)


def _margins(figure: Figure, *, left: float, bottom: float, top: float, right: float = 0.2) -> None:
    """Fixed margins in inches, sized from the labels' lengths.

    Cheaper than matplotlib's constrained layout, which measures every text several times over and
    took two thirds of each chart's drawing time.
    """
    width, height = figure.get_size_inches()
    figure.subplots_adjust(
        left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height
    )


def _top_margin(with_legend: bool) -> float:
    return 0.4 + (LEGEND_POINTS / 72 if with_legend else 0.0)


def _site_axis(figure: Figure, axes: Axes, names: Sequence[str], *, with_legend: bool) -> None:
    """Site names along the bottom: wrapped under their bars, or at an angle when there are many."""
    angled = len(names) > MOST_SITES_UPRIGHT
    if angled:
        labels = [shortened(name, 28, "…") for name in names]
        longest = max((len(label) for label in labels), default=0)
        bottom = min(0.3 + longest * CHARACTER_INCHES * 0.5, 1.4)
    else:
        labels = [textwrap.fill(name, 16) for name in names]
        lines = max((label.count("\n") + 1 for label in labels), default=1)
        bottom = 0.25 + lines * LINE_INCHES
    axes.set_xticks(
        range(len(names)), labels, rotation=30 if angled else 0, ha="right" if angled else "center"
    )
    axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.6)
    # Fixed limits keep a [c] label where a site's first bar would be inside the plot.
    axes.set_xlim(-0.6, len(names) - 0.4)
    _margins(figure, left=0.95, bottom=bottom, top=_top_margin(with_legend))


def _tick_label(value: float, prefix: str = "", suffix: str = "") -> str:
    """An axis tick with thousands separators and only the decimal places it needs: 2.5%, £10,000."""
    text = f"{abs(value):,.2f}".rstrip("0").rstrip(".")
    sign = "-" if value < 0 and text != "0" else ""
    return f"{sign}{prefix}{text}{suffix}"


def _value_axis(axes: Axes, *, prefix: str = "", suffix: str = "", horizontal: bool = False) -> None:
    formatter = FuncFormatter(lambda value, _position: _tick_label(value, prefix, suffix))
    (axes.xaxis if horizontal else axes.yaxis).set_major_formatter(formatter)


def _site_bars(
    axes: Axes,
    positions: Sequence[float],
    values: Sequence[object],
    colours: Sequence[str],
    site_codes: Sequence[str],
    *,
    hatched: bool = False,
    width: float = 0.8,
    bottoms: Sequence[float] | None = None,
) -> None:
    """A bar per figure in its site's colour, named by site code (gid); [c] or n/a is no bar at all."""
    for index, (position, value) in enumerate(zip(positions, values, strict=True)):
        height = _figure_value(value)
        if height is None:
            continue
        (bar,) = axes.bar(
            position,
            height,
            width=width,
            bottom=bottoms[index] if bottoms is not None else 0.0,
            color=colours[index],
            edgecolor=TEXT_COLOUR,
            linewidth=0.6,
            hatch=HATCH if hatched else None,
            hatchcolor=HATCH_COLOUR,
        )
        bar.set_gid(site_codes[index])


def _label_bars(
    axes: Axes, positions: Sequence[float], values: Sequence[object], describe: Callable[[object], str]
) -> None:
    """A figure over every bar, and [c] or n/a where no bar is drawn, so no value rests on the axis alone."""
    for position, value in zip(positions, values, strict=True):
        height = _figure_value(value)
        text = describe(value) if height is not None else _not_drawn_label(value)
        axes.annotate(
            text,
            (position, height or 0.0),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontfamily=FONT,
            fontsize=7,
            color=TEXT_COLOUR,
        )


def _site_rows(summary: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list((summary.get("costs") or {}).get("rows") or [])


def cost_figure(summary: Mapping[str, Any]) -> DrawnFigure | None:
    """Attributable cost per site, set-up (solid) with running (hatched) stacked on it."""
    rows = _site_rows(summary)
    if not rows:
        return None
    figure, axes = _new_figure()
    positions = list(range(len(rows)))
    colours = [site_colour(summary, row.get("site_code")) for row in rows]
    codes = [str(row.get("site_code")) for row in rows]
    set_up = [row.get("set_up") for row in rows]
    _site_bars(axes, positions, set_up, colours, codes)
    bottoms = [_figure_value(value) or 0.0 for value in set_up]
    _site_bars(
        axes, positions, [row.get("running") for row in rows], colours, codes, hatched=True, bottoms=bottoms
    )
    _heading(axes, "Attributable cost per site: set-up and running", (("Set-up", False), ("Running", True)))
    _site_axis(figure, axes, [clean_text(row.get("site")) for row in rows], with_legend=True)
    _axis_label(axes, "Attributable cost (£)")
    _value_axis(axes, prefix="£")
    axes.margins(y=0.15)
    described = "; ".join(
        f"{clean_text(row.get('site'))}: set-up {money(row.get('set_up'))}, "
        f"running {money(row.get('running'))}"
        for row in rows
    )
    return DrawnFigure(
        figure,
        alt_text=(
            "Stacked bar chart of attributable cost per site, set-up cost solid and running cost hatched, "
            f"each site in its own colour. {described}."
        ),
        caption="Attributable cost per site, split into set-up (solid) and running (hatched) costs. "
        "The table above gives the same figures.",
    )


def people_figure(summary: Mapping[str, Any]) -> DrawnFigure | None:
    """People reached per site; a withheld count ([c]) is no bar with a [c] label."""
    rows = _site_rows(summary)
    if not rows:
        return None
    figure, axes = _new_figure()
    positions = list(range(len(rows)))
    values = [row.get("people_reached") for row in rows]
    colours = [site_colour(summary, row.get("site_code")) for row in rows]
    _site_bars(axes, positions, values, colours, [str(row.get("site_code")) for row in rows])
    _label_bars(axes, positions, values, people)
    _heading(axes, "People reached per site")
    _site_axis(figure, axes, [clean_text(row.get("site")) for row in rows], with_legend=False)
    _axis_label(axes, "People reached")
    _value_axis(axes)
    axes.margins(y=0.15)
    described = "; ".join(
        f"{clean_text(row.get('site'))}: {people(row.get('people_reached'))}" for row in rows
    )
    return DrawnFigure(
        figure,
        alt_text=(
            f"Bar chart of people reached per site, each site in its own colour. {described}. "
            f"{SUPPRESSED} marks a count withheld to protect confidentiality; it is drawn as no bar."
        ),
        caption=f"People reached per site. A count withheld to protect confidentiality is shown as "
        f"{SUPPRESSED} with no bar. The table above gives the same figures.",
    )


def is_charted(finding: Mapping[str, Any]) -> bool:
    """Findings measured as a count or a percentage get a baseline-against-latest chart."""
    if indicator_unit(finding.get("unit")) not in CHARTED_UNITS:
        return False
    sites = finding.get("sites") or []
    return any(_figure_value(site.get(key)) is not None for site in sites for key in ("baseline", "latest"))


def finding_figure(summary: Mapping[str, Any], finding: Mapping[str, Any]) -> DrawnFigure | None:
    """One indicator's baseline (solid) against its latest figure (hatched) at each site."""
    if not is_charted(finding):
        return None
    unit = finding.get("unit")
    is_percent = indicator_unit(unit) is Unit.PERCENTAGE
    sites = list(finding.get("sites") or [])
    indicator = clean_text(finding.get("indicator"))
    figure, axes = _new_figure()
    colours = [site_colour(summary, site.get("site_code")) for site in sites]
    codes = [str(site.get("site_code")) for site in sites]
    width = 0.38
    for offset, key, hatched in ((-width / 2, "baseline", False), (width / 2, "latest", True)):
        positions = [index + offset for index in range(len(sites))]
        values = [site.get(key) for site in sites]
        _site_bars(axes, positions, values, colours, codes, hatched=hatched, width=width)
        _label_bars(axes, positions, values, lambda value: measure_value(value, unit))
    _heading(
        axes,
        shortened(f"{indicator}: baseline and latest", 80, "…"),
        (("Baseline", False), ("Latest", True)),
    )
    _site_axis(figure, axes, [clean_text(site.get("site")) for site in sites], with_legend=True)
    _axis_label(axes, "Percentage" if is_percent else "Count")
    _value_axis(axes, suffix="%" if is_percent else "")
    axes.margins(y=0.2)
    described = "; ".join(
        f"{clean_text(site.get('site'))}: baseline {measure_value(site.get('baseline'), unit)}, "
        f"latest {measure_value(site.get('latest'), unit)}"
        for site in sites
    )
    return DrawnFigure(
        figure,
        alt_text=(
            f"Bar chart of {indicator} at each site, baseline solid and latest hatched, each site in its own "
            f"colour. {described}."
        ),
        caption=f"{indicator}: baseline (solid) and latest (hatched) by site. The table above gives the same "
        "figures.",
    )


def barriers_enablers_figure(summary: Mapping[str, Any]) -> DrawnFigure | None:
    """Barriers (solid) and enablers (hatched) recorded, by dimension, as grouped horizontal bars."""
    dimensions = list(summary.get("barriers_enablers") or [])
    if not dimensions:
        return None
    height = max(HEIGHT_INCHES * 0.75, 0.45 * len(dimensions) + 1.2)
    figure, axes = _new_figure(height)
    thickness = 0.38
    # The first dimension is drawn at the top, as the table beside the chart lists it.
    rows = [len(dimensions) - 1 - index for index in range(len(dimensions))]
    for offset, key, hatched in ((thickness / 2, "barriers", False), (-thickness / 2, "enablers", True)):
        positions = [row + offset for row in rows]
        counts = [_figure_value(dimension.get(key)) or 0.0 for dimension in dimensions]
        bars = axes.barh(
            positions,
            counts,
            height=thickness,
            color=NEUTRAL,
            edgecolor=TEXT_COLOUR,
            linewidth=0.6,
            hatch=HATCH if hatched else None,
            hatchcolor=HATCH_COLOUR,
            label=key.capitalize(),
        )
        axes.bar_label(
            bars,
            labels=[number(dimension.get(key)) for dimension in dimensions],
            padding=2,
            fontfamily=FONT,
            fontsize=7,
            color=TEXT_COLOUR,
        )
    labels = [textwrap.fill(clean_text(dimension.get("dimension")), 28) for dimension in dimensions]
    axes.set_yticks(rows, labels)
    longest = max((len(line) for label in labels for line in label.split("\n")), default=0)
    _margins(figure, left=0.25 + longest * CHARACTER_INCHES, bottom=0.55, top=_top_margin(True))
    axes.grid(axis="x", color=GRID_COLOUR, linewidth=0.6)
    _heading(axes, "Barriers and enablers by dimension, all sites", (("Barriers", False), ("Enablers", True)))
    _axis_label(axes, "Learning entries in approved returns", horizontal=True)
    _value_axis(axes, horizontal=True)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.margins(x=0.12)
    described = "; ".join(
        f"{clean_text(dimension.get('dimension'))}: {number(dimension.get('barriers'))} barriers, "
        f"{number(dimension.get('enablers'))} enablers"
        for dimension in dimensions
    )
    return DrawnFigure(
        figure,
        alt_text=(f"Grouped bar chart of barriers (solid) and enablers (hatched) by dimension. {described}."),
        caption="Barriers (solid) and enablers (hatched) by dimension, all sites. The table above "
        "gives the same figures.",
    )


def png_bytes(figure: Figure) -> bytes:
    """The figure as a PNG with no software version or date in it, so equal figures give equal bytes."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def render(drawn: DrawnFigure) -> Chart:
    width, height = drawn.figure.canvas.get_width_height(physical=True)
    return Chart(
        png=png_bytes(drawn.figure),
        width_px=width,
        height_px=height,
        alt_text=drawn.alt_text,
        caption=drawn.caption,
    )


def _rendered(drawn: DrawnFigure | None) -> Chart | None:
    return render(drawn) if drawn is not None else None


def summary_charts(summary: Mapping[str, Any]) -> SummaryCharts:
    """Every chart a document shows, each drawn once."""
    findings: dict[str, Chart] = {}
    for theme in summary.get("themes") or []:
        for finding in theme.get("findings") or []:
            chart = _rendered(finding_figure(summary, finding))
            if chart is not None:
                findings[str(finding.get("indicator_code"))] = chart
    return SummaryCharts(
        costs=_rendered(cost_figure(summary)),
        people=_rendered(people_figure(summary)),
        findings=findings,
        barriers_enablers=_rendered(barriers_enablers_figure(summary)),
    )
