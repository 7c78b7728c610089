"""How fast the cross-site dashboards answer at 10 and at 150 sites, against the bare SQL they run.

    .venv/bin/python benchmarks/dashboard_speed.py [--repeat 20] [--database-url URL] [--rebuild]

For each dashboard view and each database size the script requests the page through the application
(Flask test client, signed in as an evaluator, default filters: every site, every period, approved
evidence) and prints:

- the server time, median and 95th percentile over --repeat requests (after one warm-up request);
- the bare SQL time: the SELECT statements the view sent (recorded with a SQLAlchemy
  `before_cursor_execute` listener, less those a plain signed-in page also sends, such as loading the
  user) run again with the same parameters on a raw DBAPI connection, fetching every row, timed the same way;
- the number of statements one request sends (transaction control such as BEGIN not counted), and
  beside it how many of those are the view's own (the total less the count for /account, a signed-in
  page that reads nothing but the user).

Targets, each marked PASS or FAIL: p95 at most 300 ms; p95 at most 3 × the bare SQL p95; the same
number of statements at 10 and at 150 sites (no query per site or per row). The exit status is 0 when
every target is met, 1 when one is missed and 2 when a page does not answer 200.

Databases: instance/benchmark-10.sqlite and instance/benchmark-150.sqlite (10 and 150 sites, 20 quarters
each), built by benchmarks/national_scale.py when missing or incomplete, or always with --rebuild. With
--database-url, the size is added to the name given: postgresql+psycopg://postgres@127.0.0.1:5432/bench
means databases bench_10 and bench_150; sqlite:///path/bench.sqlite means bench-10.sqlite and
bench-150.sqlite beside it.
"""

from __future__ import annotations

import argparse
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
from sqlalchemy import Engine, event, select
from sqlalchemy.engine import make_url

from evidence_hub import ENGINE_KEY, create_app, prepare_to_serve
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

SIZES = (10, 150)
QUARTERS = 20
FIRST_SITE = "area-001"
VIEWS: tuple[tuple[str, str], ...] = (
    ("costs", "/dashboard/costs"),
    ("outcomes", "/dashboard/outcomes"),
    ("value-for-money", "/dashboard/value-for-money"),
    ("completeness", "/dashboard/completeness"),
    ("learning", "/dashboard/learning"),
    ("journey", "/dashboard/journey"),
    ("site", f"/dashboard/sites/{FIRST_SITE}"),
)
# Default filters: every site, every period, approved evidence only.
QUERY = {"framework": national_scale.FRAMEWORK_CODE, "state": "approved"}
# A signed-in page that reads only the user: what the sign-in machinery costs on every request.
BASELINE_PATH = "/account"
TARGET_P95_MS = 300.0
TARGET_RATIO = 3.0
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


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
class Measurement:
    view: str
    sites: int
    server_ms: list[float]
    bare_ms: list[float]
    queries: int
    baseline_queries: int
    # More than one value when the count differed between requests of the same page.
    query_counts: set[int]

    @property
    def p50(self) -> float:
        return statistics.median(self.server_ms)

    @property
    def p95(self) -> float:
        return percentile(self.server_ms, 0.95)

    @property
    def bare_p50(self) -> float:
        return statistics.median(self.bare_ms)

    @property
    def bare_p95(self) -> float:
        return percentile(self.bare_ms, 0.95)

    @property
    def ratio(self) -> float | None:
        return self.p95 / self.bare_p95 if self.bare_p95 > 0 else None


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


def database_urls(base_url: str | None) -> dict[int, str]:
    """The benchmark database for each size: the default SQLite files, or the size added to base_url."""
    if base_url is None:
        return {size: national_scale.default_database_url(size) for size in SIZES}
    url = make_url(base_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "benchmark.sqlite")
        return {
            size: url.set(database=str(path.with_name(f"{path.stem}-{size}{path.suffix}"))).render_as_string(
                hide_password=False
            )
            for size in SIZES
        }
    return {
        size: url.set(database=f"{url.database}_{size}").render_as_string(hide_password=False)
        for size in SIZES
    }


def ensure_database(database_url: str, sites: int, rebuild: bool) -> None:
    """Build the benchmark database unless a finished one of this size is already there."""
    if not rebuild and national_scale.is_complete_benchmark(database_url, sites, QUARTERS):
        return
    shown = make_url(database_url).render_as_string(hide_password=True)
    print(f"Building {shown} ({sites} sites × {QUARTERS} quarters)...", flush=True)
    started = time.perf_counter()
    national_scale.build(database_url, sites=sites, quarters=QUARTERS)
    print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)


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


def signed_in_evaluator(app: Flask) -> FlaskClient:
    """A test client signed in (through /sign-in) as the benchmark's evaluator, with a new password."""
    password = secrets.token_urlsafe(24)
    session = app.extensions[SESSION_FACTORY_KEY]()
    try:
        with transaction(session):
            user = session.scalar(select(User).where(User.email == national_scale.EVALUATOR_EMAIL))
            if user is None:
                user = User(
                    email=national_scale.EVALUATOR_EMAIL,
                    full_name="Benchmark evaluator",
                    role=Role.EVALUATOR.value,
                    session_token=new_session_token(),
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
    client = app.test_client()
    response = client.post("/sign-in", data={"email": national_scale.EVALUATOR_EMAIL, "password": password})
    if response.status_code != 302:
        raise PageFailed(
            f"Could not sign in as the benchmark evaluator: /sign-in answered {response.status_code}"
        )
    return client


def timed_get(
    client: FlaskClient, path: str, recorder: StatementRecorder
) -> tuple[float, list[tuple[str, Any]]]:
    """Milliseconds to get the page (body included) and the statements it sent; PageFailed unless 200."""
    recorder.start()
    started = time.perf_counter()
    response = client.get(path)
    response.get_data()
    elapsed = (time.perf_counter() - started) * 1000
    statements = recorder.stop()
    if response.status_code != 200:
        raise PageFailed(f"GET {path} answered {response.status_code}, not 200")
    return elapsed, statements


def bare_sql_ms(engine: Engine, statements: Sequence[tuple[str, Any]], repeat: int) -> list[float]:
    """Run the statements again on a raw DBAPI connection, fetching every row; milliseconds per round."""
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


def measure_database(database_url: str, sites: int, repeat: int) -> list[Measurement]:
    app = make_app(database_url)
    engine: Engine = app.extensions[ENGINE_KEY]
    recorder = StatementRecorder()
    event.listen(engine, "before_cursor_execute", recorder)
    try:
        client = signed_in_evaluator(app)
        timed_get(client, BASELINE_PATH, recorder)
        _elapsed, baseline = timed_get(client, BASELINE_PATH, recorder)
        baseline_texts = {statement for statement, _parameters in baseline}
        paths = {view: f"{path}?{urlencode(QUERY)}" for view, path in VIEWS}
        # Every page must answer before any is timed, so that a missing route fails at once.
        failures = []
        for path in paths.values():
            try:
                timed_get(client, path, recorder)
            except PageFailed as failure:
                failures.append(str(failure))
        if failures:
            raise PageFailed("\n".join(failures))

        measurements = []
        for view, path in paths.items():
            server_ms: list[float] = []
            counts: set[int] = set()
            statements: list[tuple[str, Any]] = []
            for _ in range(repeat):
                elapsed, statements = timed_get(client, path, recorder)
                server_ms.append(elapsed)
                counts.add(len(statements))
            own = [
                (statement, parameters)
                for statement, parameters in statements
                if _is_select(statement) and statement not in baseline_texts
            ]
            measurements.append(
                Measurement(
                    view=view,
                    sites=sites,
                    server_ms=server_ms,
                    bare_ms=bare_sql_ms(engine, own, repeat),
                    queries=len(statements),
                    baseline_queries=len(baseline),
                    query_counts=counts,
                )
            )
            print(f"  {view:<16} {sites:>4} sites: p95 {measurements[-1].p95:8.1f} ms", flush=True)
        return measurements
    finally:
        event.remove(engine, "before_cursor_execute", recorder)
        engine.dispose()


# ---------------------------------------------------------------------------------------------------------
# The report.


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def report(measurements: list[Measurement]) -> bool:
    """Print the table and the targets; True when every target is met."""
    header = (
        f"{'view':<16} {'sites':>5} {'p50 ms':>8} {'p95 ms':>8} {'bare SQL p50/p95 ms':>20} "
        f"{'p95/bare':>8} {'queries':>7} {'own':>4}  {'p95≤300':<7} {'p95≤3×bare':<10}"
    )
    print()
    print(header)
    print("-" * len(header))
    all_passed = True
    for m in measurements:
        fast = m.p95 <= TARGET_P95_MS
        close_to_sql = m.ratio is not None and m.ratio <= TARGET_RATIO
        all_passed &= fast and close_to_sql
        ratio = f"{m.ratio:.1f}" if m.ratio is not None else "n/a"
        queries = (
            f"{m.queries}" if len(m.query_counts) == 1 else f"{min(m.query_counts)}-{max(m.query_counts)}"
        )
        bare = f"{m.bare_p50:.1f} / {m.bare_p95:.1f}"
        print(
            f"{m.view:<16} {m.sites:>5} {m.p50:>8.1f} {m.p95:>8.1f} {bare:>20} {ratio:>8} {queries:>7} "
            f"{m.queries - m.baseline_queries:>4}  {verdict(fast):<7} {verdict(close_to_sql):<10}"
        )
    baseline = {m.baseline_queries for m in measurements}
    print(
        f"\nqueries: statements in one request; own: less the {'/'.join(map(str, sorted(baseline)))} "
        f"that {BASELINE_PATH} sends (signed-in user)"
    )
    print("\nSame number of queries at " + " and ".join(map(str, SIZES)) + " sites:")
    for view, _path in VIEWS:
        counts = {m.sites: m.query_counts for m in measurements if m.view == view}
        every = set().union(*counts.values())
        same = len(every) == 1 and len(counts) == len(SIZES)
        all_passed &= same
        shown = ", ".join(f"{sites} sites: {'/'.join(map(str, sorted(c)))}" for sites, c in counts.items())
        print(f"  {view:<16} {shown:<40} {verdict(same)}")
    print(f"\n{'Every target met.' if all_passed else 'Some targets missed.'}")
    return all_passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per view (default 20)")
    parser.add_argument(
        "--database-url",
        help="base URL; the size is added to its database name (default: instance/benchmark-<size>.sqlite)",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the databases again even if present")
    arguments = parser.parse_args(argv)
    if arguments.repeat < 1:
        parser.error("--repeat must be at least 1")

    measurements: list[Measurement] = []
    for sites, database_url in database_urls(arguments.database_url).items():
        try:
            ensure_database(database_url, sites, arguments.rebuild)
        except national_scale.NotABenchmarkDatabase as refusal:
            print(f"Refused: {refusal}", file=sys.stderr)
            return 2
        shown = make_url(database_url).render_as_string(hide_password=True)
        print(f"Timing {shown} ({sites} sites, {arguments.repeat} requests a view)...", flush=True)
        try:
            measurements.extend(measure_database(database_url, sites, arguments.repeat))
        except PageFailed as failure:
            print(f"\nThe dashboards did not answer at {sites} sites:\n{failure}", file=sys.stderr)
            return 2
    return 0 if report(measurements) else 1


if __name__ == "__main__":
    sys.exit(main())
