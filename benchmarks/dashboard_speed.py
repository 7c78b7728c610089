"""How fast the cross-site dashboards answer at 150 sites × 20 quarters and at 350 sites × 40 quarters.

    .venv/bin/python benchmarks/dashboard_speed.py [--repeat 20] [--database-url URL ...] [--rebuild]

Two data sets, each built once by benchmarks/national_scale.py and reused while it is complete: the
150-site × 20-quarter uniform data (100 cost lines a return) and the 350-site × 40-quarter skewed data
(about every English and Welsh local authority for ten years: 1,000,000 cost lines, 300,000 activities,
50,000 learning entries, log-normal site sizes). For each database and each view the script requests the
page through the application (Flask test client, signed in as an evaluator, approved evidence, every
period) with the default filters (every site) and filtered to one site (the largest, by cost lines), and
prints:

- the server time, median and 95th percentile over --repeat requests (after one warm-up request), with
  the garbage collector off during each request and run after it, as a gunicorn worker runs;
- the bare SQL the view sent: its statements (recorded with a SQLAlchemy `before_cursor_execute`
  listener, less those a plain signed-in page also sends, such as loading the user) run again with the
  same parameters on a raw DBAPI connection, fetching every row, timed the same way. These read the
  figures kept per return (models/summaries.py); p95 ÷ this p95 is the view's own overhead;
- the raw SQL: the same figures aggregated from the items themselves (cost lines, activities, learning
  entries, measure values), what a view without the kept figures would have to run;
- the number of statements one request sends (transaction control such as BEGIN not counted);
- the size of the page's HTML.

Targets, each marked PASS or FAIL: p95 under 300 ms with the default filters and under 150 ms for one
site; p95 at most 2 × the bare SQL p95; the same number of statements at both scales (no query per site,
period or row); no page over 1 MB. The exit status is 0 when every target is met, 1 when one is missed
and 2 when a page does not answer 200.

Databases: /tmp/evidence-hub-benchmarks/benchmark-150x20.sqlite and benchmark-350x40.sqlite, built when
missing or incomplete (or always with --rebuild). --database-url (repeatable, one per engine) names a base
to which the scale is added: postgresql+psycopg://postgres@127.0.0.1:5432/bench means databases
bench_150x20 and bench_350x40; sqlite:///path/bench.sqlite means bench-150x20.sqlite and
bench-350x40.sqlite beside it.
"""

from __future__ import annotations

import argparse
import gc
import math
import secrets
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, select, text
from sqlalchemy.engine import make_url

from evidence_hub import ENGINE_KEY, collect_after_request, create_app, prepare_to_serve
from evidence_hub.db import transaction
from evidence_hub.models import Role, User
from evidence_hub.models.programmes import Programme, ProgrammeMembership
from evidence_hub.services.accounts.passwords import hash_password
from evidence_hub.services.accounts.users import new_session_token
from evidence_hub.web import SESSION_FACTORY_KEY

if __package__:
    from benchmarks import national_scale
else:  # run as a script: python benchmarks/dashboard_speed.py
    import national_scale  # type: ignore[no-redef]


@dataclass(frozen=True)
class Scale:
    sites: int
    quarters: int
    profile: str

    @property
    def name(self) -> str:
        return f"{self.sites}x{self.quarters}"


SCALES = (Scale(150, 20, "uniform"), Scale(350, 40, "skewed"))
# Kept between runs (the 350-site data takes minutes to build) but out of the checkout.
DEFAULT_FOLDER = Path("/tmp/evidence-hub-benchmarks")  # noqa: S108 (a cache of rebuildable data)
VIEWS: tuple[tuple[str, str], ...] = (
    ("costs", "/dashboard/costs"),
    ("outcomes", "/dashboard/outcomes"),
    ("value-for-money", "/dashboard/value-for-money"),
    ("completeness", "/dashboard/completeness"),
    ("learning", "/dashboard/learning"),
    ("journey", "/dashboard/journey"),
    ("site", "/dashboard/sites/{site}"),
)
# Default filters: every site, every period, approved evidence only.
QUERY = {"framework": national_scale.FRAMEWORK_CODE, "state": "approved"}
# A signed-in page that reads only the user: what the sign-in machinery costs on every request.
BASELINE_PATH = "/account"
TARGET_P95_MS = 300.0
TARGET_ONE_SITE_P95_MS = 150.0
TARGET_RATIO = 2.0
TARGET_PAGE_BYTES = 1_000_000
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")

# The figures of each view aggregated from the items themselves, as a view without the kept figures
# would: approved returns, every period; {site} becomes a filter on one site when one is chosen.
RAW_COSTS = (
    "SELECT r.site_id, r.reporting_period_id, c.cost_category_id, c.cost_type, c.funding, count(*), "
    "sum(c.amount), sum(c.amount * c.attributable_percent) FROM cost_items c "
    "JOIN site_returns r ON r.id = c.site_return_id WHERE r.approved_at IS NOT NULL{site} "
    "GROUP BY 1, 2, 3, 4, 5"
)
RAW_REACH = (
    "SELECT r.site_id, r.reporting_period_id, a.activity_type_id, count(*), sum(a.people_reached) "
    "FROM activities a JOIN site_returns r ON r.id = a.site_return_id WHERE r.approved_at IS NOT NULL{site} "
    "GROUP BY 1, 2, 3"
)
RAW_SAVINGS = (
    "SELECT r.site_id, count(*), sum(s.amount) FROM saving_claims s "
    "JOIN site_returns r ON r.id = s.site_return_id WHERE r.approved_at IS NOT NULL{site} GROUP BY 1"
)
RAW_MEASURES = (
    "SELECT r.site_id, r.reporting_period_id, m.indicator_id, count(m.value), sum(m.value), sum(m.target) "
    "FROM measure_values m JOIN site_returns r ON r.id = m.site_return_id "
    "WHERE r.approved_at IS NOT NULL{site} "
    "GROUP BY 1, 2, 3"
)
RAW_LEARNING = (
    "SELECT l.learning_type, l.theme_id, d.learning_dimension_id, count(*) FROM learning_entries l "
    "JOIN site_returns r ON r.id = l.site_return_id "
    "LEFT JOIN learning_entry_dimensions d ON d.learning_entry_id = l.id "
    "WHERE r.approved_at IS NOT NULL{site} GROUP BY 1, 2, 3"
)
RAW_SQL: dict[str, tuple[str, ...]] = {
    "costs": (RAW_COSTS,),
    "outcomes": (RAW_MEASURES,),
    "value-for-money": (RAW_COSTS, RAW_REACH, RAW_SAVINGS),
    "completeness": (
        "SELECT r.site_id, r.reporting_period_id, r.status, count(m.id), count(m.value) "
        "FROM site_returns r LEFT JOIN measure_values m ON m.site_return_id = r.id "
        "WHERE 1 = 1{site} GROUP BY 1, 2, 3",
    ),
    "learning": (RAW_LEARNING,),
    "journey": (
        "SELECT d.site_id, d.agreement_status, d.requested_on, d.approved_on, d.received_on "
        "FROM data_flows d WHERE 1 = 1{data_flow_site}",
        "SELECT r.site_id, r.reporting_period_id, r.journey_milestone_id FROM site_returns r "
        "WHERE r.approved_at IS NOT NULL{site}",
    ),
    "site": (RAW_COSTS, RAW_REACH, RAW_LEARNING, RAW_MEASURES),
}


class PageFailed(RuntimeError):
    """A page answered something other than 200."""


@dataclass
class StatementRecorder:
    """A `before_cursor_execute` listener keeping (statement, parameters) while `active`."""

    active: bool = False
    statements: list[tuple[str, Any]] = field(default_factory=list)

    def __call__(
        self,
        _connection: Any,
        _cursor: Any,
        statement: str,
        parameters: Any,
        _context: Any,
        executemany: bool,
    ) -> None:
        if self.active and not executemany:
            self.statements.append((statement, parameters))

    def start(self) -> None:
        self.statements = []
        self.active = True

    def stop(self) -> list[tuple[str, Any]]:
        self.active = False
        return [item for item in self.statements if not _is_transaction_control(item[0])]


@dataclass
class Timing:
    """One view at one scale with one filter: server times, SQL times, statements and page size."""

    server_ms: list[float]
    bare_ms: list[float]
    raw_ms: list[float]
    # More than one value when the count differed between requests of the same page.
    query_counts: set[int]
    page_bytes: int

    @property
    def p50(self) -> float:
        return statistics.median(self.server_ms)

    @property
    def p95(self) -> float:
        return percentile(self.server_ms, 0.95)

    @property
    def bare_p95(self) -> float:
        return percentile(self.bare_ms, 0.95)

    @property
    def raw_p95(self) -> float:
        return percentile(self.raw_ms, 0.95)

    @property
    def ratio(self) -> float | None:
        return self.p95 / self.bare_p95 if self.bare_p95 > 0 else None

    @property
    def queries(self) -> str:
        counts = sorted(self.query_counts)
        return f"{counts[0]}" if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"


@dataclass
class Measurement:
    engine: str
    scale: Scale
    view: str
    every_site: Timing
    one_site: Timing


def _is_transaction_control(statement: str) -> bool:
    return statement.lstrip().upper().startswith(TRANSACTION_CONTROL)


def _is_select(statement: str) -> bool:
    return statement.lstrip().upper().startswith(("SELECT", "WITH"))


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest value at least `fraction` of the values are no larger than."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


# ---------------------------------------------------------------------------------------------------------
# Databases.


def database_urls(base_url: str | None) -> dict[Scale, str]:
    """The benchmark database for each scale: the scale's name added to the base URL's database."""
    if base_url is None:
        base_url = f"sqlite:///{DEFAULT_FOLDER / 'benchmark.sqlite'}"
    url = make_url(base_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "benchmark.sqlite")
        return {
            scale: url.set(
                database=str(path.with_name(f"{path.stem}-{scale.name}{path.suffix}"))
            ).render_as_string(hide_password=False)
            for scale in SCALES
        }
    return {
        scale: url.set(database=f"{url.database}_{scale.name}").render_as_string(hide_password=False)
        for scale in SCALES
    }


def ensure_database(database_url: str, scale: Scale, rebuild: bool) -> None:
    """Build the benchmark database unless a finished one of this scale is already there."""
    complete = national_scale.is_complete_benchmark(database_url, scale.sites, scale.quarters, scale.profile)
    if complete and not rebuild:
        return
    shown = make_url(database_url).render_as_string(hide_password=True)
    print(
        f"Building {shown} ({scale.sites} sites × {scale.quarters} quarters, {scale.profile})...", flush=True
    )
    started = time.perf_counter()
    national_scale.build(database_url, sites=scale.sites, quarters=scale.quarters, profile=scale.profile)
    print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)


def largest_site(engine: Engine) -> tuple[int, str]:
    """The site with the most cost lines: the heaviest one-site page."""
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT s.id, s.code FROM sites s JOIN site_returns r ON r.site_id = s.id "
                "JOIN return_cost_totals t ON t.site_return_id = r.id "
                "GROUP BY s.id, s.code ORDER BY sum(t.lines) DESC, s.id LIMIT 1"
            )
        ).one()
    return int(row[0]), str(row[1])


# ---------------------------------------------------------------------------------------------------------
# The application.


def make_app(database_url: str) -> Flask:
    """The app as production runs it (wsgi.py): built, then prepared to serve."""
    app = create_app(
        {
            "ENV": "development",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": database_url,
            "WTF_CSRF_ENABLED": False,
            # Cheap hashing: the benchmark signs in once and times pages, not passwords.
            "ARGON2_TIME_COST": 1,
            "ARGON2_MEMORY_KIB": 1024,
            "ARGON2_PARALLELISM": 1,
            "LOG_LEVEL": "WARNING",
        }
    )
    prepare_to_serve()
    return app


def set_password(app: Flask, email: str, role: Role, full_name: str, password: str) -> None:
    """Give the user (made when missing) a known password, so that a benchmark can sign in as them."""
    session = app.extensions[SESSION_FACTORY_KEY]()
    try:
        with transaction(session):
            user = session.scalar(select(User).where(User.email == email))
            if user is None:
                user = User(
                    email=email, full_name=full_name, role=role.value, session_token=new_session_token()
                )
                session.add(user)
            user.password_hash = hash_password(password)
            user.is_active = True
            session.flush()
            # An evaluator sees only the programmes it is a member of: without a membership every view
            # answers "nothing to compare" and the timings measure an empty page.
            held = set(
                session.scalars(
                    select(ProgrammeMembership.programme_id).where(
                        ProgrammeMembership.user_id == user.id, ProgrammeMembership.ended_at.is_(None)
                    )
                )
            )
            for programme_id in session.scalars(select(Programme.id)):
                if programme_id not in held:
                    session.add(
                        ProgrammeMembership(
                            user_id=user.id, programme_id=programme_id, role=Role.EVALUATOR.value
                        )
                    )
    finally:
        session.close()


def signed_in_evaluator(app: Flask) -> FlaskClient:
    """A test client signed in (through /sign-in) as the benchmark's evaluator, with a new password."""
    password = secrets.token_urlsafe(24)
    set_password(app, national_scale.EVALUATOR_EMAIL, Role.EVALUATOR, "Benchmark evaluator", password)
    client = app.test_client()
    response = client.post("/sign-in", data={"email": national_scale.EVALUATOR_EMAIL, "password": password})
    if response.status_code != 302:
        raise PageFailed(
            f"Could not sign in as the benchmark evaluator: /sign-in answered {response.status_code}"
        )
    return client


def timed_get(
    client: FlaskClient, path: str, recorder: StatementRecorder
) -> tuple[float, list[tuple[str, Any]], int]:
    """Milliseconds to get the page (body included), the statements it sent and its size in bytes;
    PageFailed unless 200. The garbage collector is handled as in a gunicorn worker (gunicorn.conf.py):
    off during the request, run after it by `collect_after_request`, outside the time."""
    recorder.start()
    collecting = gc.isenabled()
    gc.disable()
    try:
        started = time.perf_counter()
        response = client.get(path)
        body = response.get_data()
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        statements = recorder.stop()
        collect_after_request()
        if collecting:
            gc.enable()
    if response.status_code != 200:
        raise PageFailed(f"GET {path} answered {response.status_code}, not 200")
    return elapsed, statements, len(body)


def sql_ms(engine: Engine, statements: Sequence[tuple[str, Any]], repeat: int) -> list[float]:
    """Run the statements on a raw DBAPI connection, fetching every row; milliseconds per round."""
    if not statements:
        return [0.0] * repeat
    raw = engine.raw_connection()
    timings: list[float] = []
    try:
        cursor = raw.cursor()
        for round_number in range(repeat + 1):
            started = time.perf_counter()
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()
            elapsed = (time.perf_counter() - started) * 1000
            if round_number:  # the first round warms the caches, as the first request does
                timings.append(elapsed)
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return timings


def raw_statements(engine: Engine, view: str, site_id: int | None) -> list[tuple[str, Any]]:
    """The view's figures aggregated from the items, in the engine's parameter style."""
    marker = "?" if engine.dialect.name == "sqlite" else "%s"
    statements = []
    for statement in RAW_SQL[view]:
        site = f" AND r.site_id = {marker}" if site_id is not None else ""
        data_flow_site = f" AND d.site_id = {marker}" if site_id is not None else ""
        sql = statement.format(site=site, data_flow_site=data_flow_site)
        statements.append((sql, (site_id,) if site_id is not None else ()))
    return statements


def measure_page(
    client: FlaskClient,
    engine: Engine,
    recorder: StatementRecorder,
    path: str,
    baseline_texts: set[str],
    raw: list[tuple[str, Any]],
    repeat: int,
) -> Timing:
    server_ms: list[float] = []
    counts: set[int] = set()
    statements: list[tuple[str, Any]] = []
    size = 0
    for _ in range(repeat):
        elapsed, statements, size = timed_get(client, path, recorder)
        server_ms.append(elapsed)
        counts.add(len(statements))
    own = [
        (statement, parameters)
        for statement, parameters in statements
        if _is_select(statement) and statement not in baseline_texts
    ]
    return Timing(
        server_ms=server_ms,
        bare_ms=sql_ms(engine, own, repeat),
        raw_ms=sql_ms(engine, raw, repeat),
        query_counts=counts,
        page_bytes=size,
    )


def measure_database(database_url: str, scale: Scale, repeat: int) -> list[Measurement]:
    app = make_app(database_url)
    engine: Engine = app.extensions[ENGINE_KEY]
    recorder = StatementRecorder()
    event.listen(engine, "before_cursor_execute", recorder)
    try:
        site_id, site_code = largest_site(engine)
        client = signed_in_evaluator(app)
        timed_get(client, BASELINE_PATH, recorder)
        _elapsed, baseline, _size = timed_get(client, BASELINE_PATH, recorder)
        baseline_texts = {statement for statement, _parameters in baseline}
        paths = {
            view: (
                f"{path.format(site=site_code)}?{urlencode(QUERY)}",
                f"{path.format(site=site_code)}?{urlencode({**QUERY, 'site': site_code})}",
            )
            for view, path in VIEWS
        }
        # Every page must answer before any is timed, so that a missing route fails at once.
        failures = []
        for pair in paths.values():
            for path in pair:
                try:
                    timed_get(client, path, recorder)
                except PageFailed as failure:
                    failures.append(str(failure))
        if failures:
            raise PageFailed("\n".join(failures))

        measurements = []
        for view, (every_path, one_path) in paths.items():
            every = measure_page(
                client,
                engine,
                recorder,
                every_path,
                baseline_texts,
                raw_statements(engine, view, site_id if view == "site" else None),
                repeat,
            )
            one = measure_page(
                client,
                engine,
                recorder,
                one_path,
                baseline_texts,
                raw_statements(engine, view, site_id),
                repeat,
            )
            measurements.append(Measurement(engine.dialect.name, scale, view, every, one))
            print(
                f"  {view:<16} p95 {every.p95:7.1f} ms, one site {one.p95:7.1f} ms, "
                f"{every.page_bytes / 1000:,.0f} kB",
                flush=True,
            )
        return measurements
    finally:
        event.remove(engine, "before_cursor_execute", recorder)
        engine.dispose()


# ---------------------------------------------------------------------------------------------------------
# The report.


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def report(measurements: list[Measurement]) -> bool:
    """Print the table (Markdown, as the README shows it) and the targets; True when every target is met."""
    print(
        "\n| engine | sites × quarters | view | p50 / p95 ms | bare SQL p95 | p95 ÷ bare | raw SQL p95 "
        "| one site p50 / p95 ms | one site bare / raw p95 | queries | HTML kB | targets |"
    )
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    all_passed = True
    for m in measurements:
        every, one = m.every_site, m.one_site
        misses = []
        if every.p95 > TARGET_P95_MS:
            misses.append("p95")
        if one.p95 > TARGET_ONE_SITE_P95_MS:
            misses.append("one-site p95")
        if every.ratio is None or every.ratio > TARGET_RATIO or one.ratio is None or one.ratio > TARGET_RATIO:
            misses.append("ratio")
        if max(every.page_bytes, one.page_bytes) > TARGET_PAGE_BYTES:
            misses.append("size")
        all_passed &= not misses
        ratio = "/".join(f"{r:.1f}" if r is not None else "n/a" for r in (every.ratio, one.ratio))
        print(
            f"| {m.engine} | {m.scale.sites} × {m.scale.quarters} | {m.view} "
            f"| {every.p50:.0f} / {every.p95:.0f} | {every.bare_p95:.0f} | {ratio} | {every.raw_p95:.0f} "
            f"| {one.p50:.0f} / {one.p95:.0f} | {one.bare_p95:.0f} / {one.raw_p95:.0f} "
            f"| {every.queries} / {one.queries} | {every.page_bytes / 1000:,.0f} "
            f"| {'PASS' if not misses else 'FAIL: ' + ', '.join(misses)} |"
        )
    print(
        f"\nTargets: p95 ≤ {TARGET_P95_MS:.0f} ms (every site), ≤ {TARGET_ONE_SITE_P95_MS:.0f} ms (one site, "
        f"the largest); p95 ≤ {TARGET_RATIO:.0f} × the bare SQL p95 (every site / one site); HTML ≤ "
        f"{TARGET_PAGE_BYTES / 1_000_000:.0f} MB. Bare SQL: the view's own statements over the figures kept "
        "per return; raw SQL: the same figures aggregated from the items."
    )
    print("\nSame number of queries at every scale (every site / one site):")
    for engine in sorted({m.engine for m in measurements}):
        for view, _path in VIEWS:
            rows = [m for m in measurements if m.engine == engine and m.view == view]
            counts = {(m.every_site.queries, m.one_site.queries) for m in rows}
            same = len(counts) == 1 and len(rows) > 1
            all_passed &= same
            shown = ", ".join(f"{m.scale.name}: {m.every_site.queries}/{m.one_site.queries}" for m in rows)
            print(f"  {engine:<10} {view:<16} {shown:<36} {verdict(same)}")
    print(f"\n{'Every target met.' if all_passed else 'Some targets missed.'}")
    return all_passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per view (default 20)")
    parser.add_argument(
        "--database-url",
        action="append",
        help="base URL, once per engine; the scale is added to its database name "
        f"(default: {DEFAULT_FOLDER}/benchmark-<scale>.sqlite)",
    )
    parser.add_argument(
        "--scale",
        action="append",
        choices=[scale.name for scale in SCALES],
        help="only this scale (repeatable; default both)",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the databases again even if present")
    arguments = parser.parse_args(argv)
    if arguments.repeat < 1:
        parser.error("--repeat must be at least 1")

    measurements: list[Measurement] = []
    for base_url in arguments.database_url or [None]:
        for scale, database_url in database_urls(base_url).items():
            if arguments.scale and scale.name not in arguments.scale:
                continue
            try:
                ensure_database(database_url, scale, arguments.rebuild)
            except national_scale.NotABenchmarkDatabase as refusal:
                print(f"Refused: {refusal}", file=sys.stderr)
                return 2
            shown = make_url(database_url).render_as_string(hide_password=True)
            print(f"Timing {shown} ({scale.name}, {arguments.repeat} requests a view)...", flush=True)
            try:
                measurements.extend(measure_database(database_url, scale, arguments.repeat))
            except PageFailed as failure:
                print(f"\nThe dashboards did not answer at {scale.name}:\n{failure}", file=sys.stderr)
                return 2
    return 0 if report(measurements) else 1


if __name__ == "__main__":
    sys.exit(main())
