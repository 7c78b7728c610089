"""How the learning summary's words and figures are written, whatever it is printed on.

The PDF, the Word document and the web page all print a release's learning summary
(``release.content["summary"]``, already disclosure-controlled), and say the same things through this
module: how each kind of figure is written, measure values in their units, dates, and the document's
title, subject, footer and title page. A change of wording is made once.

Figures are printed as they are in the summary, never worked out again: money is a decimal string, a
count of people is an int or ``[c]``, other figures are decimal strings, ``[c]`` or ``None`` (not
available). ``[c]`` is always printed as ``[c]``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from evidence_hub import formatting
from evidence_hub.services.releases.disclosure import SUPPRESSED
from evidence_hub.services.releases.render.units import Unit, indicator_unit

NOT_AVAILABLE: Final = "not available"
DOCUMENT_KIND: Final = "Learning summary"
AUTHOR: Final = "Evidence Hub"

# Characters XML 1.0 cannot hold (C0 controls but tab, newline and carriage return): user-typed text
# carrying one would break the Word document and confuse the PDF's text layout.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(value: object) -> str:
    """User-typed text made safe to print: unprintable control characters dropped, line ends unified."""
    if value is None:
        return ""
    text = _UNPRINTABLE.sub("", str(value))
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _with_separators(amount: Decimal) -> str:
    """Thousands separators, keeping the decimal places the summary gave (never a float, never 1E+3)."""
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent > 0:
        amount = amount.quantize(Decimal(1))
    return f"{amount:,}"


def money(value: object) -> str:
    """£1,234.56 for a decimal string; ``[c]`` stays ``[c]``; ``None`` is not available."""
    if value == SUPPRESSED:
        return SUPPRESSED
    amount = _decimal(value)
    if amount is None:
        return NOT_AVAILABLE if value is None else clean_text(value)
    return formatting.money(amount)


def people(value: object) -> str:
    """A count of people: 1,234; ``[c]`` stays ``[c]``; ``None`` is not available."""
    if value == SUPPRESSED:
        return SUPPRESSED
    amount = _decimal(value)
    if amount is None:
        return NOT_AVAILABLE if value is None else clean_text(value)
    return _with_separators(amount)


def number(value: object) -> str:
    """A figure with thousands separators, to the places given: 1,234.5; ``[c]``; not available."""
    return people(value)


def percent(value: object) -> str:
    """12.5% (the places given); ``[c]`` stays ``[c]``; ``None`` is not available."""
    if value == SUPPRESSED:
        return SUPPRESSED
    amount = _decimal(value)
    if amount is None:
        return NOT_AVAILABLE if value is None else clean_text(value)
    return f"{_with_separators(amount)}%"


def _signed(text: str, amount: Decimal) -> str:
    return f"+{text}" if amount > 0 else text


def unit_label(unit: object) -> str:
    known = indicator_unit(unit)
    return known.label if known is not None else clean_text(unit)


def unit_with_direction(unit: object, direction_label: object) -> str:
    """Count (higher is better)."""
    direction = clean_text(direction_label)
    return f"{unit_label(unit)} ({direction[:1].lower()}{direction[1:]})" if direction else unit_label(unit)


def measure_value(value: object, unit: object) -> str:
    """A measure's figure in its unit: £ for money, % for percentages, hours, days, yes or no."""
    if value == SUPPRESSED:
        return SUPPRESSED
    amount = _decimal(value)
    if amount is None:
        return NOT_AVAILABLE if value is None else clean_text(value)
    known = indicator_unit(unit)
    if known is Unit.MONEY_GBP:
        return money(amount)
    if known is Unit.PERCENTAGE:
        return percent(amount)
    if known in (Unit.HOURS, Unit.DAYS) and known is not None:
        return f"{_with_separators(amount)} {known.label.lower()}"
    if known is Unit.YES_NO:
        return "Yes" if amount else "No"
    return _with_separators(amount)


def measure_change(value: object, unit: object) -> str:
    """A change from baseline with its sign: +12, -£3.50, +2.5 percentage points."""
    if value == SUPPRESSED:
        return SUPPRESSED
    amount = _decimal(value)
    if amount is None:
        return NOT_AVAILABLE if value is None else clean_text(value)
    known = indicator_unit(unit)
    if known is Unit.PERCENTAGE:
        return _signed(f"{_with_separators(amount)} percentage points", amount)
    if known is Unit.YES_NO:
        return _signed(_with_separators(amount), amount)
    return _signed(measure_value(amount, unit), amount)


def percent_change(value: object) -> str:
    """A relative change with its sign: +25.0%."""
    amount = _decimal(value) if value != SUPPRESSED else None
    return _signed(percent(value), amount) if amount is not None else percent(value)


def date_label(value: object) -> str:
    """21 November 2026, from an ISO date; text that is not a date is printed as it is."""
    if isinstance(value, date):
        return formatting.date_uk(value)
    try:
        return formatting.date_uk(date.fromisoformat(str(value)))
    except ValueError:
        return clean_text(value)


def framework_label(summary: Mapping[str, Any]) -> str:
    framework = summary.get("framework") or {}
    name = clean_text(framework.get("name"))
    code = clean_text(framework.get("code"))
    version = clean_text(framework.get("version_label"))
    label = f"{name} ({code})" if code and code != name else name
    return f"{label}, {version}" if version else label


def document_title(summary: Mapping[str, Any]) -> str:
    """The document's title, as its metadata carries it: the release's title and reference."""
    return f"{clean_text(summary.get('title'))} ({clean_text(summary.get('reference'))})"


def document_subject(summary: Mapping[str, Any]) -> str:
    return f"{DOCUMENT_KIND} of release {clean_text(summary.get('reference'))}: {framework_label(summary)}"


def footer_text(summary: Mapping[str, Any], page: int | str) -> str:
    """Every page's footer: Release WDS-2026-01 · published 21 November 2026 · page 3."""
    return f"{footer_lead(summary)}{page}"


def footer_lead(summary: Mapping[str, Any]) -> str:
    """The footer up to its page number, for renderers that add the number as a field."""
    reference = clean_text(summary.get("reference"))
    return f"Release {reference} · published {date_label(summary.get('published_on'))} · page "


@dataclass(frozen=True)
class TitlePage:
    title: str
    kind: str
    facts: tuple[tuple[str, str], ...]
    # Printed on its own, small enough to stay on one line so it can be compared with the published one.
    fingerprint: tuple[str, str]
    status_line: str


def title_page(summary: Mapping[str, Any]) -> TitlePage:
    return TitlePage(
        title=clean_text(summary.get("title")),
        kind=DOCUMENT_KIND,
        facts=(
            ("Reference", clean_text(summary.get("reference"))),
            ("Published", date_label(summary.get("published_on"))),
            ("Framework", framework_label(summary)),
            ("Reporting periods", clean_text(summary.get("period_label"))),
        ),
        fingerprint=("Fingerprint (SHA-256)", clean_text(summary.get("fingerprint"))),
        status_line=clean_text(summary.get("status_line")),
    )


def plural(count: int, word: str) -> str:
    """1 area, 2 areas, 1,000 areas."""
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"
