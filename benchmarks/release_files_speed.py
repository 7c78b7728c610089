"""Publish to downloadable: how long until every file of a new release is stored, in how much memory, and
how soon a stored data pack's first byte leaves the app.

    .venv/bin/python benchmarks/release_files_speed.py [--sites 150 350] [--quarters 20]
        [--database-url URL] [--keep] [--profile uniform|skewed]

For each size a national_scale database (export_speed.py's, built in a process of its own or copied from
the cache) gets a release of every site and period:
1. publish: publishing.publish_release, which now also queues the job (in its own fresh process, timed,
   with its peak resident memory growth);
2. build: the background job (services/releases/prebuild.py) run as the worker runs it, building the PDF,
   Word, XLSX and CSV-zip into a release file store in a temporary folder (a fresh process, timed, peak
   memory growth); publish + build is "publish to downloadable";
3. first byte: the app (as production runs it) serves the XLSX data pack to a signed-in evaluator; the time
   from the request to the first chunk of the body, best and median of 20 requests, and the whole body.
   Target: first byte under 200 ms (the pack is read from the store, never rendered).

Figures are printed side by side for every size; nothing asserts on time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from evidence_hub.db import make_engine, make_session_factory
from evidence_hub.models import Release
from evidence_hub.services.jobs.running import JobContext
from evidence_hub.services.releases import prebuild
from evidence_hub.services.releases.release_files import ReleaseFileStore

if __package__:
    from benchmarks import dashboard_speed, export_speed, national_scale
else:  # run as a script: python benchmarks/release_files_speed.py
    import dashboard_speed  # type: ignore[no-redef]
    import export_speed  # type: ignore[no-redef]
    import national_scale  # type: ignore[no-redef]

TARGET_FIRST_BYTE_MS = 200.0
DOWNLOADS = 20


def build_files(database_url: str, release_id: int, folder: str) -> None:
    """The job's work, as the worker does it (in a process of its own, for an honest memory figure)."""
    engine = make_engine(database_url)
    try:
        session: Session = make_session_factory(engine)()
        with session:
            store = ReleaseFileStore(Path(folder))
            started = time.perf_counter()

            def say(words: str) -> None:
                print(
                    f"      {time.perf_counter() - started:6.1f} s: {words} ({export_speed.load_average()})",
                    flush=True,
                )

            context = JobContext(0, {"release_files": store}, say, lambda _outcome: None)
            prebuild.build_release_files(session, {"release_id": release_id}, context)
    finally:
        engine.dispose()


def build_and_measure(database_url: str, release_id: int, folder: str) -> export_speed.Measured:
    _nothing, measured = export_speed.measure(lambda: build_files(database_url, release_id, folder))
    return measured


def first_bytes(database_url: str, release_reference: str, folder: str) -> tuple[list[float], float, int]:
    """Milliseconds to the first body chunk of each download, the whole last download's, and its size."""
    app = dashboard_speed.make_app(database_url)
    app.config["RELEASE_FILES_FOLDER"] = folder
    app.config["JOBS_RUN_BY"] = "off"
    client = dashboard_speed.signed_in_evaluator(app)
    export_speed.let_the_evaluator_read_releases(database_url)
    timings = []
    whole = 0.0
    size = 0
    for _ in range(DOWNLOADS):
        started = time.perf_counter()
        response = client.get(f"/releases/{release_reference}/data-pack.xlsx", buffered=False)
        if response.status_code != 200:
            raise RuntimeError(f"the stored pack answered {response.status_code}")
        body = iter(response.response)
        first = next(body)
        timings.append((time.perf_counter() - started) * 1000)
        size = len(first) + sum(len(chunk) for chunk in body)
        response.close()
        whole = (time.perf_counter() - started) * 1000
    return timings, whole, size


def release_loading_ms(database_url: str, release_reference: str) -> tuple[float, float]:
    """Median milliseconds to load the release with its content (the summary's JSON) and without it: what a
    download of a stored file used to spend, and now spends, before its first byte."""
    engine = make_engine(database_url)
    try:
        medians = []
        for options in ((), (defer(Release.content),)):
            times = []
            for _ in range(5):
                with make_session_factory(engine)() as session:
                    started = time.perf_counter()
                    statement = select(Release).where(Release.reference == release_reference)
                    session.scalars(statement.options(*options)).one()
                    times.append((time.perf_counter() - started) * 1000)
            medians.append(statistics.median(times))
        return medians[0], medians[1]
    finally:
        engine.dispose()


def run(base_url: str | None, folder: Path, sites: int, quarters: int, profile: str) -> dict[str, Any]:
    print(f"\n{sites} sites × {quarters} quarters ({profile})", flush=True)
    database_url = export_speed.national_database(base_url, folder, sites, quarters, seed=1, profile=profile)
    release_id, published = export_speed.in_fresh_process(export_speed.publish_and_measure, database_url)
    print(
        f"   publish (and queue the job): {published.seconds:.1f} s; {published.memory()}; "
        f"{export_speed.load_average()}",
        flush=True,
    )
    files_folder = str(folder / f"release-files-{sites}")
    built = export_speed.in_fresh_process(build_and_measure, database_url, release_id, files_folder)
    print(
        f"   build every file (the job): {built.seconds:.1f} s; {built.memory()}; "
        f"{export_speed.load_average()}",
        flush=True,
    )
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        release = session.get_one(Release, release_id)
        reference = release.reference
        sizes = {file.kind: file.size_bytes for file in prebuild.recorded_files(session, release)}
    engine.dispose()
    with_content, without_content = release_loading_ms(database_url, reference)
    print(
        f"   loading the release: {with_content:.1f} ms with its content, {without_content:.1f} ms without "
        "(a stored file's download loads it without)",
        flush=True,
    )
    timings, whole, size = first_bytes(database_url, reference, files_folder)
    print(
        f"   stored XLSX pack ({size / 1024:,.0f} KB): first byte best {min(timings):.1f} ms, "
        f"median {statistics.median(timings):.1f} ms; whole file {whole:.1f} ms",
        flush=True,
    )
    return {
        "sites": sites,
        "publish_s": published.seconds,
        "publish_mb": published.worst_memory_mb(),
        "build_s": built.seconds,
        "build_mb": built.worst_memory_mb(),
        "first_byte_ms": statistics.median(timings),
        "files_kb": {kind: round(bytes_ / 1024) for kind, bytes_ in sorted(sizes.items())},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, nargs="+", default=[150, 350])
    parser.add_argument("--quarters", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--profile", choices=national_scale.PROFILES, default="uniform", help="national_scale.py's data shape"
    )
    options = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="release-files-speed-"))
    results = [
        run(options.database_url, folder, sites, options.quarters, options.profile) for sites in options.sites
    ]

    print("\nSide by side")
    print(
        f"{'sites':>6} {'publish s':>10} {'MB':>7} {'build s':>9} {'MB':>7} "
        f"{'to downloadable s':>18} {'first byte ms':>14}"
    )
    for result in results:
        print(
            f"{result['sites']:>6} {result['publish_s']:>10.1f} {result['publish_mb'] or 0:>7.0f} "
            f"{result['build_s']:>9.1f} {result['build_mb'] or 0:>7.0f} "
            f"{result['publish_s'] + result['build_s']:>18.1f} {result['first_byte_ms']:>14.1f}"
        )
    worst = max(result["first_byte_ms"] for result in results)
    print(
        f"target: first byte of a stored pack under {TARGET_FIRST_BYTE_MS:.0f} ms: "
        f"{export_speed.verdict(worst < TARGET_FIRST_BYTE_MS)}"
    )
    if options.keep:
        print(f"kept: {folder}")
    else:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
