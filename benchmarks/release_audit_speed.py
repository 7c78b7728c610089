"""Publishing a release with its disclosure audit at national scale: prints the time, the audit's share of it,
the number of [c] and the peak memory. Target on a 2-core machine: 150 sites × 20 quarters under 60 s.

    .venv/bin/python benchmarks/release_audit_speed.py [--sites 150] [--quarters 20] [--database-url URL]

The database is the national_scale one (built, or copied from its cache), with every site's returns. Two
releases are published, as evaluators do: the first half of the quarters, then every quarter (protected
together with the first). Each publish runs in a process of its own, so its peak memory is its own. The
audit's time is the time ``protection.protect_release`` took (the linked system's secondary suppression and
its audits round by round); the rest is building the tables, the summary and storing the rows.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from benchmarks import export_speed
from benchmarks.export_speed import benchmark_user, in_fresh_process, measure, national_database
from evidence_hub.db import make_engine, make_session_factory, transaction
from evidence_hub.models import Framework, ReportingPeriod, Site
from evidence_hub.services.releases import protected_tables, publishing

TARGET_SECONDS = 60.0


def publish_measured(database_url: str, last_quarter: int | None) -> dict[str, Any]:
    """Publish quarters 1 to last_quarter (None: all), timed, with the audit's own time."""
    audit_seconds: list[float] = []
    original = protected_tables.protect_release

    def timed_protection(*arguments: Any, **options: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*arguments, **options)
        finally:
            audit_seconds.append(time.perf_counter() - started)

    protected_tables.protect_release = timed_protection  # type: ignore[assignment]
    engine = make_engine(database_url)
    session = make_session_factory(engine)()
    try:
        cpu_started = time.process_time()
        release, measured = measure(lambda: _publish(session, last_quarter))
        cpu_seconds = time.process_time() - cpu_started
        audit = release.content["audit"]
        return {
            "reference": release.reference,
            "seconds": measured.seconds,
            # The process's own processor time: on a shared machine, steadier than the time on the clock.
            "cpu_seconds": cpu_seconds,
            "audit_seconds": sum(audit_seconds),
            "suppressed": audit["suppressed"],
            "withheld": audit["withheld"],
            "rounds": audit["rounds"],
            "narrowest": audit["narrowest"],
            "memory": measured.memory(),
        }
    finally:
        session.close()
        engine.dispose()


def _publish(session: Session, last_quarter: int | None) -> Any:
    framework = session.scalars(
        select(Framework).where(Framework.code == export_speed.national_scale.FRAMEWORK_CODE)
    ).one()
    periods = list(
        session.scalars(
            select(ReportingPeriod)
            .where(ReportingPeriod.framework_id == framework.id)
            .order_by(ReportingPeriod.starts_on)
        )
    )
    last = periods[-1] if last_quarter is None else periods[last_quarter - 1]
    with transaction(session):
        return publishing.publish_release(
            session,
            publishing.ReleaseRequest(
                actor=benchmark_user(session),
                framework=framework,
                version=None,
                period_from=periods[0],
                period_to=last,
                sites=list(session.scalars(select(Site))),
                title=f"Audit benchmark to {last.name}",
            ),
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sites", type=int, default=150)
    parser.add_argument("--quarters", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None, help="default: a SQLite file in a temporary folder")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        print(f"Release with its disclosure audit: {options.sites} sites × {options.quarters} quarters")
        database_url = national_database(
            options.database_url, Path(folder), options.sites, options.quarters, options.seed
        )
        passed = True
        for last in (options.quarters // 2, None):
            result = in_fresh_process(publish_measured, database_url, last)
            narrowest = result["narrowest"]
            width = "none" if narrowest is None else f"{narrowest['lower']} to {narrowest['upper']}"
            print(
                f"   {result['reference']} (quarters 1 to {last or options.quarters}): published in "
                f"{result['seconds']:.1f} s ({result['cpu_seconds']:.1f} s of processor time), "
                f"of which protection and audit {result['audit_seconds']:.1f} s "
                f"({result['rounds']} rounds); {result['suppressed']:,} [c], {result['withheld']:,} derived "
                f"figures withheld; narrowest interval {width}; {result['memory']}; "
                f"{export_speed.load_average()}",
                flush=True,
            )
            if options.sites <= 150:
                passed = passed and result["seconds"] < TARGET_SECONDS
        if options.sites <= 150:
            print(f"   target: each publish under {TARGET_SECONDS:.0f} s: {'PASS' if passed else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
