"""How long writing a cost takes with 50 leads writing at once: the form POST through gunicorn, with wrk.

    .venv/bin/python benchmarks/write_speed.py [--database-url URL ...] [--writers 50] [--workers 2]
                                               [--duration 20] [--port 8767] [--in-process 200]
                                               [--compare-upkeep 2]

For each database (a national_scale.py benchmark; by default the 350-site × 40-quarter SQLite file of
dashboard_speed.py, built when missing) the script:

1. makes a lead (a site lead account in the data's programme) for each of --writers sites whose latest
   return is a draft or returned, so still theirs to change, largest sites first;
2. starts gunicorn (the repository's gunicorn.conf.py, --workers workers), signs each lead in and reads
   the CSRF token of their "Add a cost" page;
3. runs wrk with one connection per writer for --duration seconds, each request the form POST that adds
   a cost to that lead's return (the kept figures of the return are rebuilt in the same transaction),
   and prints requests per second and latency percentiles (p50, p90, p99), then checks that every POST
   was a redirect to the section (a saved cost) and that the number of cost lines grew by as many;
4. with --in-process N (200 by default, 0 to skip), adds N costs through the service in one process,
   with the figures kept and again with their upkeep switched off, and prints the median and 99th
   percentile of each: what keeping the figures costs a write, without the server around it.

With --compare-upkeep N it runs step 3 2 × N times instead, alternately against the service as wsgi.py
serves it and against the same service with the kept figures' upkeep switched off
(benchmarks/wsgi_figures_not_kept.py: what a write cost before figures were kept per return), a fresh
gunicorn each time, and prints each run and the median p99 of each side with their ratio. Target (issue
16): the p99 of a form POST with 50 writers at most 1.2 × the p99 without the upkeep. Alternating keeps a
machine's changing load from favouring one side. The figures of the returns written without the upkeep
are rebuilt at the end.

Times are measured, never asserted.
"""

from __future__ import annotations

import argparse
import math
import re
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from evidence_hub.db import make_engine, make_session_factory, transaction
from evidence_hub.models import (
    CostItem,
    ProgrammeMembership,
    ReturnStatus,
    Role,
    SiteReturn,
    User,
    summary_upkeep,
)
from evidence_hub.services.accounts import programmes
from evidence_hub.services.accounts.passwords import hash_password
from evidence_hub.services.accounts.users import new_session_token
from evidence_hub.services.returns.costs import COSTS, CostInput

if __package__:
    from benchmarks import dashboard_speed, national_scale, soak
else:  # run as a script: python benchmarks/write_speed.py
    import dashboard_speed  # type: ignore[no-redef]
    import national_scale  # type: ignore[no-redef]
    import soak  # type: ignore[no-redef]

WRITER_EMAIL = "benchmark.writer-{number:03d}@evidence-hub.example"
PRODUCTION_APPLICATION = "wsgi:app"
FIGURES_NOT_KEPT_APPLICATION = "benchmarks.wsgi_figures_not_kept:app"
# Writing an item at most this much slower (p99 with 50 writers) than without the kept figures' upkeep.
TARGET_SLOWDOWN = 1.2
EDITABLE = (ReturnStatus.DRAFT.value, ReturnStatus.RETURNED.value)
LUA_SCRIPT = """
local posts = {
%s
}
local counter = 0
request = function()
  counter = counter + 1
  local post = posts[(counter %% #posts) + 1]
  return wrk.format("POST", post[1], {
    ["Cookie"] = post[2],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, post[3])
end
"""


def cost_category_id(session: Session, site_return: SiteReturn) -> int:
    """A category priced by amount (not staff time), so that the form needs no hours or rate."""
    return next(
        category.id
        for category in site_return.framework_version.cost_categories
        if category.code not in national_scale.STAFF_TIME_CATEGORIES
    )


def editable_returns(session: Session, count: int) -> list[SiteReturn]:
    """The latest return of each site, where it is still the lead's to change; largest sites first."""
    latest = (
        select(SiteReturn.site_id, func.max(SiteReturn.reporting_period_id).label("period_id"))
        .group_by(SiteReturn.site_id)
        .subquery()
    )
    lines = select(CostItem.site_id, func.count().label("lines")).group_by(CostItem.site_id).subquery()
    return list(
        session.scalars(
            select(SiteReturn)
            .join(
                latest,
                (latest.c.site_id == SiteReturn.site_id)
                & (latest.c.period_id == SiteReturn.reporting_period_id),
            )
            .join(lines, lines.c.site_id == SiteReturn.site_id)
            .where(SiteReturn.status.in_(EDITABLE))
            .order_by(lines.c.lines.desc(), SiteReturn.site_id)
            .limit(count)
        )
    )


def prepare_writers(database_url: str, count: int) -> tuple[str, list[tuple[str, int, int]]]:
    """A password and (email, return id, category id) for each writer, made or updated."""
    password = secrets.token_urlsafe(24)
    password_hash = hash_password(password)
    engine = make_engine(database_url)
    session = make_session_factory(engine)()
    try:
        writers = []
        with transaction(session):
            for number, site_return in enumerate(editable_returns(session, count), start=1):
                email = WRITER_EMAIL.format(number=number)
                user = session.scalar(select(User).where(User.email == email))
                if user is None:
                    user = User(
                        email=email,
                        full_name=f"Benchmark writer {number}",
                        role=Role.SITE_LEAD.value,
                        session_token=new_session_token(),
                    )
                    session.add(user)
                user.role = Role.SITE_LEAD.value
                user.password_hash = password_hash
                user.is_active = True
                session.flush()
                programmes.follow_account_role(session, actor=None, user=user, site_id=site_return.site_id)
                writers.append((email, site_return.id, cost_category_id(session, site_return)))
        return password, writers
    finally:
        session.close()
        engine.dispose()


def cost_lines(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(CostItem)) or 0)
    finally:
        engine.dispose()


def form_body(token: str, category_id: int) -> str:
    return urllib.parse.urlencode(
        {
            "csrf_token": token,
            "category": category_id,
            "description": "Room hire for the partners' case review",
            "amount": "125.50",
            "cost_type": "running",
            "funding": "cash",
            "attributable_percent": "100",
            "attribution_reason": "",
            "funder": "",
        }
    )


def run_wrk(base: str, posts: list[tuple[str, str, str]], duration: int, folder: Path) -> str:
    script = folder / "posts.lua"
    rows = ",\n".join(f'  {{"{path}", "{cookie}", "{body}"}}' for path, cookie, body in posts)
    script.write_text(LUA_SCRIPT % rows, encoding="utf-8")
    return soak.wrk_output(base, script, len(posts), duration, timeout=60)


@dataclass(frozen=True)
class WriteRun:
    """One wrk run of the writers against one gunicorn."""

    application: str
    writers: int
    requests: int
    per_second: str
    latency: dict[str, str]
    not_ok: int
    lines_added: int

    @property
    def p99_ms(self) -> float:
        return wrk_milliseconds(self.latency.get("99", "nan"))

    def describe(self, workers: int, duration: int) -> str:
        return (
            f"  {self.writers} writers, {workers} gunicorn workers, {duration} s: {self.requests:,} POSTs "
            f"({self.per_second}/s); latency p50 {self.latency.get('50')}, p90 {self.latency.get('90')}, "
            f"p99 {self.latency.get('99')}; answers not 2xx/3xx: {self.not_ok}; cost lines added "
            f"{self.lines_added:,}"
        )


def wrk_milliseconds(text: str) -> float:
    """wrk's "812.34ms", "1.20s" or "950.00us" in milliseconds."""
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not found:
        return math.nan
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[found.group(2)]
    return float(found.group(1)) * scale


def measure_server(
    database_url: str,
    prepared: tuple[str, list[tuple[str, int, int]]],
    workers: int,
    duration: int,
    port: int,
    application: str = PRODUCTION_APPLICATION,
) -> WriteRun:
    password, writers = prepared
    folder = Path(tempfile.mkdtemp(prefix="evidence-hub-writes-"))
    environment = soak.server_environment(database_url)
    base = f"http://127.0.0.1:{port}"
    server = soak.start_gunicorn(
        environment, workers, port, folder / "gunicorn.log", folder / "access.log", application
    )
    try:
        posts = []
        for email, return_id, category_id in writers:
            cookie, browser = soak.sign_in(base, email, password)
            path = f"/returns/{return_id}/costs/new"
            page = browser.open(f"{base}{path}").read().decode()
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
            posts.append((path, cookie, form_body(token.group(1) if token else "", category_id)))
        before = cost_lines(database_url)
        output = run_wrk(base, posts, duration, folder)
        after = cost_lines(database_url)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
    done = re.search(r"(\d+) requests in", output)
    per_second = re.search(r"Requests/sec:\s+([\d.]+)", output)
    not_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    run = WriteRun(
        application=application,
        writers=len(posts),
        requests=int(done.group(1)) if done else 0,
        per_second=per_second.group(1) if per_second else "?",
        latency=dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.MULTILINE)),
        not_ok=int(not_ok.group(1)) if not_ok else 0,
        lines_added=after - before,
    )
    print(run.describe(workers, duration), flush=True)
    # wrk counts requests still in flight when it stops: a few more lines than counted are fine.
    if run.lines_added < run.requests - len(posts):
        print("  Some POSTs did not save a cost: see the form's answer.", flush=True)
    return run


def compare_upkeep(
    database_url: str,
    prepared: tuple[str, list[tuple[str, int, int]]],
    rounds: int,
    workers: int,
    duration: int,
    port: int,
) -> None:
    """Alternate runs with the figures kept and with their upkeep off; print the p99s and their ratio."""
    kept: list[float] = []
    bare: list[float] = []
    try:
        for round_number in range(1, rounds + 1):
            for label, application, p99s in (
                ("figures kept", PRODUCTION_APPLICATION, kept),
                ("upkeep off", FIGURES_NOT_KEPT_APPLICATION, bare),
            ):
                print(f"  round {round_number}, {label}:", flush=True)
                p99s.append(
                    measure_server(database_url, prepared, workers, duration, port, application).p99_ms
                )
    finally:
        rebuild_every_figure(database_url)
    kept_p99, bare_p99 = statistics.median(kept), statistics.median(bare)
    ratio = kept_p99 / bare_p99 if bare_p99 else math.nan
    print(
        f"  p99 of a form POST, median of {rounds} runs each: figures kept {kept_p99:,.0f} ms, upkeep off "
        f"{bare_p99:,.0f} ms; ratio {ratio:.2f} (target at most {TARGET_SLOWDOWN:.1f}): "
        f"{'PASS' if ratio <= TARGET_SLOWDOWN else 'FAIL'}",
        flush=True,
    )


def rebuild_every_figure(database_url: str) -> None:
    """Lines written with the upkeep off left their returns' kept figures behind: rebuild them all."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            summary_upkeep.rebuild_figures(connection)
    finally:
        engine.dispose()


# The ORM events that rebuild a return's kept figures after each flush.
UPKEEP_LISTENERS = (
    ("after_flush", summary_upkeep._note_touched_returns),
    ("after_flush_postexec", summary_upkeep._rebuild_touched_returns),
)


def switch_off_upkeep() -> None:
    for name, listener in UPKEEP_LISTENERS:
        event.remove(Session, name, listener)


@contextmanager
def figures_not_kept() -> Iterator[None]:
    """The kept figures' upkeep switched off meanwhile."""
    switch_off_upkeep()
    try:
        yield
    finally:
        for name, listener in UPKEEP_LISTENERS:
            event.listen(Session, name, listener)


def add_costs(session: Session, writes: int) -> list[float]:
    site_return = editable_returns(session, 1)[0]
    lead = session.scalars(
        select(User)
        .join(ProgrammeMembership, ProgrammeMembership.user_id == User.id)
        .where(ProgrammeMembership.site_id == site_return.site_id, ProgrammeMembership.ended_at.is_(None))
    ).first()
    assert lead is not None, "prepare_writers makes a lead for each site written to"
    category_id = cost_category_id(session, site_return)
    timings = []
    for number in range(writes):
        data = CostInput(
            description=f"In-process benchmark cost {number + 1}",
            amount=Decimal("125.50"),
            cost_type="running",
            funding="cash",
            category_id=category_id,
        )
        started = time.perf_counter()
        with transaction(session):
            COSTS.add(session, lead, site_return, data)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def measure_in_process(database_url: str, writes: int) -> None:
    engine = make_engine(database_url)
    session = make_session_factory(engine)()
    try:
        kept = add_costs(session, writes)
        with figures_not_kept():
            bare = add_costs(session, writes)
        # The second run's lines went round the upkeep: rebuild their return's figures.
        with transaction(session):
            summary_upkeep.rebuild_figures(session.connection())
    finally:
        session.close()
        engine.dispose()
    for label, timings in (("figures kept", kept), ("upkeep off", bare)):
        print(
            f"  in process, {label:<12}: {writes} costs, median {statistics.median(timings):.1f} ms, "
            f"p99 {dashboard_speed.percentile(timings, 0.99):.1f} ms",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", action="append", help="a national_scale.py database, repeatable")
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=20, help="seconds of writing (20)")
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--in-process", type=int, default=200, help="costs added in process (0: skip)")
    parser.add_argument(
        "--compare-upkeep",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="alternate ROUNDS runs each with the figures kept and with their upkeep off (0: one kept run)",
    )
    arguments = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    urls = arguments.database_url
    if not urls:
        scale = dashboard_speed.SCALES[-1]
        url = dashboard_speed.database_urls(None)[scale]
        dashboard_speed.ensure_database(url, scale, rebuild=False)
        urls = [url]
    for url in urls:
        print(f"Writing to {url}", flush=True)
        prepared = prepare_writers(url, arguments.writers)
        if not prepared[1]:
            raise SystemExit("No site's latest return is a draft or returned: nothing to write to")
        if len(prepared[1]) < arguments.writers:
            print(f"  only {len(prepared[1])} sites have a return still theirs to change", flush=True)
        if arguments.compare_upkeep:
            compare_upkeep(
                url, prepared, arguments.compare_upkeep, arguments.workers, arguments.duration, arguments.port
            )
        else:
            measure_server(url, prepared, arguments.workers, arguments.duration, arguments.port)
        if arguments.in_process:
            measure_in_process(url, arguments.in_process)
    return 0


if __name__ == "__main__":
    sys.exit(main())
