"""How fast, and in how much memory, release tables stream as CSV and data packs are written.

    .venv/bin/python benchmarks/export_speed.py [--rows 1000000] [--sites 150] [--quarters 20]
        [--skip-csv] [--skip-national] [--no-tracemalloc] [--database-url URL] [--keep]

1. CSV of one big table. A database is built by the service's own machinery
   (benchmarks/national_scale.py with one site and one quarter: migrations, framework, periods, users),
   then a release is added holding one table (the costs table's columns) of --rows rows, bulk-inserted as
   ReleaseRow rows through SQLAlchemy Core. Measured in the same run, each as rows a second:
   - the raw limit: a plain SELECT of the same rows' cells in order, written by Python's csv.writer;
   - the CSV as publication builds it into the release file store,
     `iter_csv(definition.columns, reading.iter_rows(...))` (the column kinds, formula escaping);
   - the download: /releases/<reference>/tables/<code>.csv through the app, signed in, which streams the
     stored file (time to the first byte and to the last).
   Also printed: bytes, and the process's peak memory growth (see "Memory" below).
   Targets: the download within 1.5 × the raw limit's time; peak memory growth under 50 MB.

2. Data pack at national scale. A national_scale database (--sites × --quarters; 150 × 20 by default),
   a release of every site and period published with publishing.publish_release (timed), then
   write_xlsx and write_zip of that release to temporary files (each timed).
   Targets: the XLSX in under 20 seconds (issue 16, at 350 sites × 40 quarters), the zip in under 30.

Memory is measured two ways, because each alone can mislead (the databases are built in a separate
process, so that this one starts lean):
- RSS peak growth: the kernel's high-water mark of the process's resident memory (VmHWM) is reset just
  before the step (by writing 5 to /proc/self/clear_refs, Linux) and read just after, less the resident
  memory before the step. It counts everything (Python objects, the database driver's buffers, SQLite's
  page cache), but also memory the allocator keeps after Python frees it. Where the reset is not
  possible the figure is marked "since start" and is the process's peak so far, an upper bound.
- tracemalloc peak: the largest total of Python allocations during the step, exact for Python objects
  but blind to memory allocated in C. tracemalloc slows Python down, so the step is run a second time
  for it and the timed run is not traced (--no-tracemalloc skips the second run).

Targets are printed as PASS or FAIL; nothing asserts on time, and the exit status is 0 unless a step fails.

Databases: by default everything is built in a temporary folder, removed at the end (--keep keeps it). The
national database is copied from instance/benchmark-<sites>.sqlite when a finished one is there
(dashboard_speed.py's cache; the copy is published into, never the cache). With --database-url (SQLite or
PostgreSQL), "_export_csv" and "_national_<sites>" are added to the database's name; national_scale.py
refuses to replace any database that is not one of its own benchmarks.
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from evidence_hub.db import make_engine, make_session_factory, transaction
from evidence_hub.models import Framework, ReportingPeriod, Role, Site, User
from evidence_hub.models.programmes import Programme, ProgrammeMembership
from evidence_hub.models.releases import Release, ReleaseRow, ReleaseStatus
from evidence_hub.services.releases import prebuild, publishing, reading
from evidence_hub.services.releases.release_files import ReleaseFileStore
from evidence_hub.services.releases.render.data_pack.contents import PackSource
from evidence_hub.services.releases.render.data_pack.csv_file import CHUNK_SIZE, iter_csv
from evidence_hub.services.releases.render.data_pack.file_names import pack_filename
from evidence_hub.services.releases.render.data_pack.xlsx import write_xlsx
from evidence_hub.services.releases.render.data_pack.zip_file import write_zip
from evidence_hub.services.releases.table_definitions import TABLES

if __package__:
    from benchmarks import dashboard_speed, national_scale
else:  # run as a script: python benchmarks/export_speed.py
    import dashboard_speed  # type: ignore[no-redef]
    import national_scale  # type: ignore[no-redef]

MEGABYTE = 1024 * 1024
TARGET_CSV_MEMORY_MB = 50.0
TARGET_PACK_SECONDS = {"write_xlsx": 20.0, "write_zip": 30.0}
TARGET_CSV_RATIO = 1.5
BIG_TABLE = "costs"
BIG_RELEASE_REFERENCE = "BENCH-2026-01"
INSERT_BATCH = 20_000
PROC_STATUS = Path("/proc/self/status")
PROC_CLEAR_REFS = Path("/proc/self/clear_refs")

Result = TypeVar("Result")


# ---------------------------------------------------------------------------------------------------------
# Measuring.


def _status_kilobytes(field: str) -> int | None:
    """A "VmRSS:   1234 kB"-style figure from /proc/self/status, in kilobytes."""
    try:
        for line in PROC_STATUS.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (VmHWM) to the current RSS; False where that is not possible."""
    try:
        PROC_CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


@dataclass
class Measured:
    seconds: float
    rss_growth_mb: float | None
    rss_is_since_start: bool
    traced_peak_mb: float | None = None

    def memory(self) -> str:
        if self.rss_growth_mb is None:
            rss = "RSS peak growth not measurable here (no /proc)"
        else:
            rss = f"RSS peak growth {self.rss_growth_mb:,.1f} MB" + (
                " (since start: the peak could not be reset)" if self.rss_is_since_start else ""
            )
        if self.traced_peak_mb is not None:
            rss += f"; tracemalloc peak {self.traced_peak_mb:,.1f} MB"
        return rss

    def worst_memory_mb(self) -> float | None:
        figures = [figure for figure in (self.rss_growth_mb, self.traced_peak_mb) if figure is not None]
        return max(figures) if figures else None


def measure(step: Callable[[], Result]) -> tuple[Result, Measured]:
    """Run the step once, timing it and taking the growth of the process's peak resident memory."""
    gc.collect()
    reset = _reset_peak_rss()
    before = _status_kilobytes("VmRSS")
    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    peak = _status_kilobytes("VmHWM")
    growth = None if before is None or peak is None else max(0, peak - before) / 1024
    return result, Measured(seconds, growth, rss_is_since_start=not reset)


def traced_peak_mb(step: Callable[[], object]) -> float:
    """Run the step again under tracemalloc: the peak of Python allocations above those before it."""
    gc.collect()
    tracemalloc.start()
    try:
        baseline, _ = tracemalloc.get_traced_memory()
        step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return max(0, peak - baseline) / MEGABYTE


def in_fresh_process(function: Callable[..., Result], *arguments: Any) -> Result:
    """Run a build in a new process, so that the memory it took and freed (which the allocator keeps)
    does not hide the growth measured afterwards in this one."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, arguments)


def load_average() -> str:
    """The machine's load average (1, 5 and 15 minutes): a time measured on a shared machine means little
    without it."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f}"


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


# ---------------------------------------------------------------------------------------------------------
# Databases.


def derived_url(base_url: str | None, folder: Path, suffix: str) -> str:
    """The database for one part: in the temporary folder, or the suffix added to --database-url's name."""
    if base_url is None:
        return f"sqlite:///{folder / f'export{suffix}.sqlite'}"
    url = make_url(base_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "benchmark.sqlite")
        return url.set(database=str(path.with_name(f"{path.stem}{suffix}{path.suffix}"))).render_as_string(
            hide_password=False
        )
    return url.set(database=f"{url.database}{suffix}").render_as_string(hide_password=False)


def shown(database_url: str) -> str:
    return make_url(database_url).render_as_string(hide_password=True)


def benchmark_user(session: Session) -> User:
    return session.scalars(select(User).where(User.email == national_scale.ADMINISTRATOR_EMAIL)).one()


# ---------------------------------------------------------------------------------------------------------
# 1. One big table streamed as CSV.


def big_table_rows(count: int) -> Iterator[list[Any]]:
    """Rows shaped like a release's costs table: varied sites, periods, categories and amounts."""
    categories = ("PILOT-STAFF", "PARTNER-TIME", "IT", "PREMISES", "TRAINING", "EVALUATION", "OTHER")
    for position in range(count):
        site = position % 997 + 1
        quarter = position // 997 % 40
        category = categories[position % len(categories)]
        pence = (position * 7919) % 50_000_000
        recorded = Decimal(pence) / 100
        attributable = Decimal(pence * 3 // 4) / 100
        set_up = Decimal(pence // 4) / 100
        yield [
            f"area-{site:03d}",
            f"Pilot area {site}",
            f"{2009 + quarter // 4}-Q{quarter % 4 + 1}",
            f"{2009 + quarter // 4} Q{quarter % 4 + 1}",
            category,
            category.replace("-", " ").title(),
            str(recorded),
            str(attributable),
            str(set_up),
            str(attributable - set_up),
            str(attributable if position % 3 else Decimal(0)),
            str(Decimal(0) if position % 3 else attributable),
        ]


def add_big_release(session: Session, rows: int) -> Release:
    """A release of one table with `rows` rows, its rows bulk-inserted through Core in batches."""
    definition = replace(TABLES[BIG_TABLE], row_count=rows)
    framework = session.scalars(
        select(Framework).where(Framework.code == national_scale.FRAMEWORK_CODE)
    ).one()
    periods = list(framework.reporting_periods)
    with transaction(session):
        release = Release(
            reference=BIG_RELEASE_REFERENCE,
            title="Export benchmark: one big table",
            framework=framework,
            framework_version=None,
            period_from=periods[0],
            period_to=periods[-1],
            site_codes=[site.code for site in session.scalars(select(Site))],
            threshold=10,
            round_to=None,
            published_at=datetime.now(UTC),
            published_by_id=benchmark_user(session).id,
            content={
                "format": 1,
                "tables": [definition.as_json()],
                "dictionary": {"columns": [], "rows": []},
                "disclosure": [],
                "caveats": [],
                "summary": {},
            },
            fingerprint="0" * 64,
            status=ReleaseStatus.PUBLISHED.value,
        )
        session.add(release)
    statement = insert(ReleaseRow)
    batch: list[dict[str, Any]] = []
    for position, cells in enumerate(big_table_rows(rows)):
        batch.append(
            {"release_id": release.id, "table_code": BIG_TABLE, "position": position, "cells": cells}
        )
        if len(batch) >= INSERT_BATCH:
            with transaction(session):
                session.execute(statement, batch)
            batch = []
    if batch:
        with transaction(session):
            session.execute(statement, batch)
    return release


def build_csv_database(database_url: str, rows: int) -> int:
    """The database of part 1 (in a fresh process): returns the big release's id."""
    national_scale.build(database_url, sites=1, quarters=1)
    engine = make_engine(database_url)
    try:
        session = make_session_factory(engine)()
        try:
            return add_big_release(session, rows).id
        finally:
            session.close()
    finally:
        engine.dispose()


def stream_csv(session: Session, release: Release) -> tuple[int, int]:
    """Stream the big table as the download does, discarding the chunks; (bytes, chunks)."""
    definition = reading.table_definition(release, BIG_TABLE)
    total = chunks = 0
    for chunk in iter_csv(definition.columns, reading.iter_rows(session, release, BIG_TABLE)):
        total += len(chunk)
        chunks += 1
    session.rollback()  # end the read transaction, as a finished request does
    return total, chunks


def raw_limit(session: Session, release: Release) -> int:
    """The same rows by a plain SELECT of their cells, written by csv.writer as they come; bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    total = 0
    statement = (
        select(ReleaseRow.cells)
        .where(ReleaseRow.release_id == release.id, ReleaseRow.table_code == BIG_TABLE)
        .order_by(ReleaseRow.position)
        .execution_options(yield_per=reading.STREAM_BATCH)
    )
    for cells in session.scalars(statement):
        writer.writerow(cells)
        if buffer.tell() >= CHUNK_SIZE:
            total += len(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
    total += len(buffer.getvalue().encode("utf-8"))
    session.rollback()
    return total


def let_the_evaluator_read_releases(database_url: str) -> None:
    """Make the benchmark's evaluator a member of every programme (national_scale.py gives it none since
    programmes came, and a release is only found by a member of its framework's programme)."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session, transaction(session):
            evaluator = session.scalars(
                select(User).where(User.email == national_scale.EVALUATOR_EMAIL)
            ).one_or_none()
            if evaluator is None:
                return  # dashboard_speed.signed_in_evaluator makes it; it is called again after that.
            member_of = set(
                session.scalars(
                    select(ProgrammeMembership.programme_id).where(
                        ProgrammeMembership.user_id == evaluator.id
                    )
                )
            )
            for programme_id in session.scalars(select(Programme.id)):
                if programme_id not in member_of:
                    session.add(
                        ProgrammeMembership(
                            user_id=evaluator.id, programme_id=programme_id, role=Role.EVALUATOR.value
                        )
                    )
    finally:
        engine.dispose()


def download_stored_csv(database_url: str, release_id: int, folder: Path) -> tuple[float, float, int]:
    """Store the table's CSV as publication does, then download it through the app as a reader does:
    (milliseconds to the first byte, seconds to the last, bytes)."""
    store = ReleaseFileStore(folder)
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            stored = session.get_one(Release, release_id)
            reference = stored.reference
            store.store(
                prebuild.table_csv_key(stored, BIG_TABLE),
                prebuild.table_csv_writer(session, stored, BIG_TABLE),
            )
    finally:
        engine.dispose()
    app = dashboard_speed.make_app(database_url)
    app.config["RELEASE_FILES_FOLDER"] = str(folder)
    app.config["JOBS_RUN_BY"] = "off"
    client = dashboard_speed.signed_in_evaluator(app)
    let_the_evaluator_read_releases(database_url)
    address = f"/releases/{reference}/tables/{BIG_TABLE}.csv"
    client.head(address)  # the app's first request loads what every later one finds ready
    started = time.perf_counter()
    response = client.get(address, buffered=False)
    if response.status_code != 200:
        raise RuntimeError(f"{address} answered {response.status_code}")
    body = iter(response.response)
    first = next(body)
    first_byte = (time.perf_counter() - started) * 1000
    size = len(first) + sum(len(chunk) for chunk in body)
    response.close()
    return first_byte, time.perf_counter() - started, size


def run_csv(database_url: str, rows: int, trace: bool) -> bool:
    print(f"\n1. Streamed CSV of one table of {rows:,} rows ({shown(database_url)})", flush=True)
    started = time.perf_counter()
    release_id = in_fresh_process(build_csv_database, database_url, rows)
    print(
        f"   built: migrations, framework and {rows:,} release rows in {time.perf_counter() - started:.1f} s"
    )
    engine = make_engine(database_url)
    try:
        session = make_session_factory(engine)()
        try:
            # Loaded before measuring, as the download view has it before the response starts.
            loaded = session.get(Release, release_id)
            assert loaded is not None
            loaded_release = loaded
            (size, chunks), measured = measure(lambda: stream_csv(session, loaded_release))
            if trace:
                measured.traced_peak_mb = traced_peak_mb(lambda: stream_csv(session, loaded_release))
        finally:
            session.close()
    finally:
        engine.dispose()

    worst = measured.worst_memory_mb()
    passed = worst is not None and worst < TARGET_CSV_MEMORY_MB
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            raw_release = session.get_one(Release, release_id)
            started = time.perf_counter()
            raw_size = raw_limit(session, raw_release)
            raw_seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    store_folder = Path(tempfile.mkdtemp(prefix="export-csv-store-"))
    try:
        first_byte_ms, download_seconds, download_size = download_stored_csv(
            database_url, release_id, store_folder
        )
    finally:
        shutil.rmtree(store_folder, ignore_errors=True)
    print(
        f"   raw limit (SELECT cells, csv.writer): {raw_seconds:.1f} s: "
        f"{rows / raw_seconds:,.0f} rows a second"
    )
    print(
        f"   built as publication stores it (iter_csv): {measured.seconds:.1f} s: "
        f"{rows / measured.seconds:,.0f} rows a second, {measured.seconds / raw_seconds:.2f} × the raw limit"
    )
    print(
        f"   downloaded (the stored file, through the app): first byte {first_byte_ms:.0f} ms, all in "
        f"{download_seconds:.1f} s: {rows / download_seconds:,.0f} rows a second, "
        f"{download_seconds / raw_seconds:.2f} × the raw limit"
    )
    print(
        f"   {size:,} bytes ({size / MEGABYTE:,.1f} MB) in {chunks:,} chunks; "
        f"raw {raw_size:,}; downloaded {download_size:,}"
    )
    print(f"   memory: {measured.memory()}")
    near = download_seconds <= TARGET_CSV_RATIO * raw_seconds
    print(f"   target: the download within {TARGET_CSV_RATIO} × the raw limit: {verdict(near)}")
    print(f"   target: peak memory growth under {TARGET_CSV_MEMORY_MB:.0f} MB: {verdict(passed)}")
    return passed and near


# ---------------------------------------------------------------------------------------------------------
# 2. A data pack at national scale.


def national_database(
    base_url: str | None, folder: Path, sites: int, quarters: int, seed: int, profile: str = "uniform"
) -> str:
    """A finished national_scale database to publish into: a copy of the cache, or built."""
    database_url = derived_url(base_url, folder, f"_national_{sites}")
    if base_url is None:
        cache = national_scale.default_database_url(sites)
        if national_scale.is_complete_benchmark(cache, sites, quarters, profile):
            source = Path(make_url(cache).database or "")
            print(f"   copying the cached {source} ({source.stat().st_size / MEGABYTE:,.0f} MB)", flush=True)
            shutil.copyfile(source, make_url(database_url).database or "")
            return database_url
    elif national_scale.is_complete_benchmark(database_url, sites, quarters, profile):
        print(f"   reusing {shown(database_url)}")
        return database_url
    print(f"   building {shown(database_url)} ({sites} sites × {quarters} quarters)...", flush=True)
    started = time.perf_counter()
    in_fresh_process(national_scale.build, database_url, sites, quarters, seed, profile)
    print(f"   built in {time.perf_counter() - started:.1f} s", flush=True)
    return database_url


def publish_everything(session: Session) -> Release:
    framework = session.scalars(
        select(Framework).where(Framework.code == national_scale.FRAMEWORK_CODE)
    ).one()
    periods = list(
        session.scalars(
            select(ReportingPeriod)
            .where(ReportingPeriod.framework_id == framework.id)
            .order_by(ReportingPeriod.starts_on)
        )
    )
    with transaction(session):
        release = publishing.publish_release(
            session,
            publishing.ReleaseRequest(
                actor=benchmark_user(session),
                framework=framework,
                version=None,
                period_from=periods[0],
                period_to=periods[-1],
                sites=list(session.scalars(select(Site))),
                title="Export benchmark: every site and period",
            ),
        )
    return release


def publish_and_measure(database_url: str) -> tuple[int, Measured]:
    """Publish a release of everything (in a fresh process), timed and measured; returns its id."""
    engine = make_engine(database_url)
    try:
        session = make_session_factory(engine)()
        try:
            release, measured = measure(lambda: publish_everything(session))
            return release.id, measured
        finally:
            session.close()
    finally:
        engine.dispose()


PackWriter = Callable[[PackSource, BinaryIO], None]


def time_pack_file(
    writer: PackWriter, source: PackSource, path: Path, session: Session, trace: bool
) -> tuple[int, Measured]:
    """Write the pack to a file, timed and measured; with `trace`, again under tracemalloc."""

    def write() -> int:
        with path.open("wb") as target:
            writer(source, target)
        return path.stat().st_size

    size, measured = measure(write)
    if trace:
        measured.traced_peak_mb = traced_peak_mb(write)
    # End the read transaction, as a finished request does (only now: it expires the loaded release).
    session.rollback()
    return size, measured


def run_national(
    base_url: str | None, folder: Path, sites: int, quarters: int, seed: int, trace: bool
) -> bool:
    print(f"\n2. Data pack of a release of {sites} sites × {quarters} quarters", flush=True)
    database_url = national_database(base_url, folder, sites, quarters, seed)
    release_id, published = in_fresh_process(publish_and_measure, database_url)
    print(f"   publish_release (in a process of its own): {published.seconds:.1f} s; {published.memory()}")
    engine = make_engine(database_url)
    passed = True
    try:
        session = make_session_factory(engine)()
        try:
            loaded = session.get(Release, release_id)
            assert loaded is not None
            counts = {table.code: table.row_count for table in reading.table_definitions(loaded)}
            print(
                f"   release {loaded.reference}: {sum(counts.values()):,} rows in {len(counts)} tables ("
                + ", ".join(f"{code} {count:,}" for code, count in counts.items())
                + ")"
            )
            # The release (its content: summary, dictionary, notes) is loaded before the writers are
            # measured, as the download view has it before writing.
            source = reading.release_pack_source(session, loaded)
            for label, writer, extension in (
                ("write_xlsx", write_xlsx, "xlsx"),
                ("write_zip", write_zip, "zip"),
            ):
                path = folder / pack_filename(loaded.reference, extension)
                size, measured = time_pack_file(writer, source, path, session, trace)
                fast = measured.seconds < TARGET_PACK_SECONDS[label]
                passed &= fast
                print(
                    f"   {label}: {measured.seconds:.1f} s, {size / MEGABYTE:,.1f} MB file; "
                    f"{measured.memory()}; under {TARGET_PACK_SECONDS[label]:.0f} s: {verdict(fast)}",
                    flush=True,
                )
        finally:
            session.close()
    finally:
        engine.dispose()
    return passed


# ---------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the streamed table (1,000,000)")
    parser.add_argument("--sites", type=int, default=150, help="sites of the national release (150)")
    parser.add_argument("--quarters", type=int, default=20, help="quarters of the national release (20)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the national data (1)")
    parser.add_argument("--skip-csv", action="store_true", help="skip the streamed CSV")
    parser.add_argument("--skip-national", action="store_true", help="skip the national data pack")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the traced second runs")
    parser.add_argument(
        "--database-url", help="SQLite or PostgreSQL URL; each part adds a suffix to its database name"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and say where it is")
    arguments = parser.parse_args(argv)
    if arguments.rows < 1:
        parser.error("--rows must be at least 1")

    folder = Path(tempfile.mkdtemp(prefix="evidence-hub-export-"))
    trace = not arguments.no_tracemalloc
    print(f"Export benchmark (pid {os.getpid()}); files in {folder}")
    results: list[bool] = []
    try:
        if not arguments.skip_csv:
            results.append(
                run_csv(derived_url(arguments.database_url, folder, "_export_csv"), arguments.rows, trace)
            )
        if not arguments.skip_national:
            results.append(
                run_national(
                    arguments.database_url, folder, arguments.sites, arguments.quarters, arguments.seed, trace
                )
            )
    except national_scale.NotABenchmarkDatabase as refusal:
        print(f"Refused: {refusal}", file=sys.stderr)
        return 2
    finally:
        if arguments.keep:
            print(f"\nKept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\n{'Every target met.' if all(results) else 'Some targets missed.'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
