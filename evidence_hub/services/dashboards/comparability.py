"""Comparability guards: what a reader must be told before comparing sites, said on the chart itself."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from evidence_hub.services.dashboards.scope import Scope

# Fewer sites than this reporting a measure makes a cross-site comparison unsafe.
MINIMUM_SITES_TO_COMPARE = 3


def periods_reported_by_site(returns: Iterable[Any]) -> dict[int, set[int]]:
    reported: dict[int, set[int]] = defaultdict(set)
    for row in returns:
        reported[row.site_id].add(row.reporting_period_id)
    return reported


def differing_periods_warning(scope: Scope, reported: dict[int, set[int]], what: str) -> str | None:
    """Say so when the sites shown report different sets of periods, naming who reports what."""
    reporting = {site_id: periods for site_id, periods in reported.items() if periods}
    if len(reporting) < 2 or len({frozenset(periods) for periods in reporting.values()}) == 1:
        return None
    names = {site.id: site.name for site in scope.sites}
    order = {period.id: index for index, period in enumerate(scope.periods)}
    parts = []
    for site_id, periods in sorted(reporting.items(), key=lambda item: names.get(item[0], "")):
        parts.append(f"{names.get(site_id, 'a site')} {len(periods)} of {len(order)}")
    return (
        f"Sites report {what} for different periods ({', '.join(parts)}), "
        "so totals over the whole range are not like for like."
    )
