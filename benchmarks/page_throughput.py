"""Throughput of the main signed-in pages beside /healthz, through gunicorn, measured with wrk in one run.

    .venv/bin/python benchmarks/page_throughput.py [--database-url URL ...] [--workers 2]
                                                   [--connections 16] [--duration 10] [--port 8766]

For each database (a national_scale.py benchmark; by default the 350-site × 40-quarter SQLite file of
dashboard_speed.py, built when missing) the script:

1. gives the benchmark's evaluator, administrator, a national official and a lead of the largest site
   (made when missing, in the programme the data belongs to) known passwords, and publishes a release of
   the latest quarter when there is none, so that every role has its pages;
2. starts gunicorn with the repository's gunicorn.conf.py and --workers workers (2 by default);
3. signs in as each and runs wrk (--connections connections, --duration seconds) on each page in turn,
   with that person's session cookie, and on /healthz before the pages and again after them;
4. prints each page's requests per second and 99th percentile latency, and its throughput as a share of
   /healthz's (the mean of its two runs; /healthz reads a SQLite file through a new connection and a
   database server through the pool, db.check_database). Target: every page at least a tenth of
   /healthz's, whatever the number of sites and periods (lists paginated or bounded);
5. beside each, the processor time a request took during its run: in gunicorn (master and workers), in
   the database server's processes when it runs on this machine (PostgreSQL; SQLite's work is in the
   workers), and in wrk. On a 2-core machine the three share the budget, so this says what a page must
   shed to meet the target, and whether that is in Python or in the database.

With --in-process N it starts no server: it requests each page N times in this process through the Flask
test client, signed in by session, and prints the SQL statements of its first request, the Python
function calls of one warm request (its fourth) and the median CPU time a request took, beside
/healthz's. On a shared, loaded machine those move far less than requests a second do; the counts do
not move at all.

Times are measured, never asserted: the exit status is 1 only when a page did not answer 200.
wrk is Debian's (`apt-get install wrk`).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import os
import pstats
import re
import resource
import secrets
import shutil
import signal
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from evidence_hub import ENGINE_KEY, create_app
from evidence_hub.db import make_engine, make_session_factory, transaction
from evidence_hub.guards import SESSION_LAST_SEEN_AT, SESSION_SIGNED_IN_AT
from evidence_hub.models import Framework, ReportingPeriod, Role, Site, SiteReturn, User
from evidence_hub.models.releases import Release
from evidence_hub.services.accounts import programmes
from evidence_hub.services.accounts.passwords import hash_password
from evidence_hub.services.accounts.users import new_session_token
from evidence_hub.services.releases import publishing
from evidence_hub.web import SESSION_FACTORY_KEY

if __package__:
    from benchmarks import dashboard_speed, national_scale, soak
else:  # run as a script: python benchmarks/page_throughput.py
    import dashboard_speed  # type: ignore[no-redef]
    import national_scale  # type: ignore[no-redef]
    import soak  # type: ignore[no-redef]

LEAD_EMAIL = "benchmark.lead@evidence-hub.example"
OFFICIAL_EMAIL = "benchmark.official@evidence-hub.example"
TARGET_SHARE = 0.1
# Requests a page before its Python calls are counted, so the count is the page's steady one.
WARM_UP_REQUESTS = 2
LUA_SCRIPT = """
request = function()
  return wrk.format("GET", "%s", {["Cookie"] = "%s"})
end
"""


@dataclass(frozen=True)
class Spent:
    """Processor time a request took during one wrk run, in milliseconds: in the gunicorn master and
    workers, in the database server's processes on this machine (None for SQLite, in the workers, or a
    server elsewhere) and in wrk itself. On two cores, the three share the machine's budget."""

    server: float
    database: float | None
    load: float

    def text(self) -> str:
        database = "in the server" if self.database is None else f"{self.database:.1f}"
        return f"{self.server:.1f} / {database} / {self.load:.1f}"


@dataclass(frozen=True)
class Result:
    label: str
    path: str
    per_second: float
    p99: str
    not_ok: int
    spent: Spent | None = None


# ---------------------------------------------------------------------------------------------------------
# The people and the release.


def _account(session: Session, email: str, role: Role, name: str, password: str, site_id: int | None) -> None:
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, full_name=name, role=role.value, session_token=new_session_token())
        session.add(user)
    user.role = role.value
    user.password_hash = hash_password(password)
    user.is_active = True
    # The second factor is set up afresh on each run: the kept keys (soak.DEMO_TWO_FACTOR_KEYS) are by email
    # alone, so a run on another database with the same accounts replaces this one's key.
    user.totp_secret = user.totp_confirmed_at = user.totp_last_step = None
    session.flush()
    # In the benchmark's one programme, the membership that matches the account's role.
    programmes.follow_account_role(session, actor=None, user=user, site_id=site_id)


def prepare_people(database_url: str) -> tuple[dict[str, tuple[str, str]], int]:
    """Known passwords for each role ({label: (email, password)}) and the id of the lead's site; a release
    of the latest quarter is published when the database has none."""
    engine = make_engine(database_url)
    session = make_session_factory(engine)()
    try:
        site_id, _code = dashboard_speed.largest_site(engine)
        people = {
            "evaluator": (national_scale.EVALUATOR_EMAIL, Role.EVALUATOR, "Benchmark evaluator", None),
            "administrator": (
                national_scale.ADMINISTRATOR_EMAIL,
                Role.ADMINISTRATOR,
                "Benchmark administrator",
                None,
            ),
            "lead": (LEAD_EMAIL, Role.SITE_LEAD, "Benchmark site lead", site_id),
            "official": (OFFICIAL_EMAIL, Role.NATIONAL_OFFICIAL, "Benchmark national official", None),
        }
        accounts = {}
        with transaction(session):
            for label, (email, role, name, site) in people.items():
                password = secrets.token_urlsafe(24)
                _account(session, email, role, name, password, site)
                accounts[label] = (email, password)
        if not session.scalar(select(func.count()).select_from(Release)):
            framework = session.scalars(
                select(Framework).where(Framework.code == national_scale.FRAMEWORK_CODE)
            ).one()
            latest = session.scalars(
                select(ReportingPeriod)
                .where(ReportingPeriod.framework_id == framework.id)
                .order_by(ReportingPeriod.starts_on.desc())
                .limit(1)
            ).one()
            administrator = session.scalars(
                select(User).where(User.email == national_scale.ADMINISTRATOR_EMAIL)
            ).one()
            print(f"Publishing a release of {latest.name} ...", flush=True)
            with transaction(session):
                publishing.publish_release(
                    session,
                    publishing.ReleaseRequest(
                        actor=administrator,
                        framework=framework,
                        version=None,
                        period_from=latest,
                        period_to=latest,
                        sites=list(session.scalars(select(Site))),
                        title=f"Throughput benchmark, {latest.name}",
                    ),
                )
        return accounts, site_id
    finally:
        session.close()
        engine.dispose()


def latest_return(database_url: str, site_id: int) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(
                connection.scalar(
                    select(SiteReturn.id)
                    .join(ReportingPeriod, ReportingPeriod.id == SiteReturn.reporting_period_id)
                    .where(SiteReturn.site_id == site_id)
                    .order_by(ReportingPeriod.starts_on.desc())
                    .limit(1)
                )
                or 0
            )
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------------------------------------
# Load.


def _process_stat(pid: int | str) -> tuple[str, list[str]] | None:
    """A process's name and the fields of /proc/<pid>/stat after it (state first, then parent pid, ...),
    or None when it has ended. The name is read up to the last parenthesis: it may hold spaces or some."""
    try:
        name, rest = Path(f"/proc/{pid}/stat").read_text().split(" (", 1)[1].rsplit(")", 1)
    except (OSError, ValueError):
        return None
    return name, rest.split()


def _processor_seconds(pids: list[int]) -> dict[int, float]:
    """User and system time of each of these processes so far, by pid (those that have ended are left out)."""
    ticks = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for pid in pids:
        stat = _process_stat(pid)
        if stat is not None:
            # utime and stime are the 12th and 13th fields after the name.
            seconds[pid] = (int(stat[1][11]) + int(stat[1][12])) / ticks
    return seconds


def _processes(matching: Callable[[str, int], bool]) -> list[int]:
    """This machine's processes for which matching(name, parent pid) holds."""
    found = []
    for entry in Path("/proc").iterdir():
        stat = _process_stat(entry.name) if entry.name.isdigit() else None
        if stat is not None and matching(stat[0], int(stat[1][1])):
            found.append(int(entry.name))
    return found


@dataclass(frozen=True)
class Watched:
    """The processes a run's processor time is split between: gunicorn's, the database server's when it runs
    on this machine, and wrk's (this script's children that have ended)."""

    server_pid: int
    local_database: bool

    @staticmethod
    def of(server_pid: int, database_url: str) -> Watched:
        url = make_url(database_url)
        return Watched(
            server_pid,
            url.get_backend_name() == "postgresql" and url.host in (None, "", "localhost", "127.0.0.1"),
        )

    def seconds(self) -> tuple[dict[int, float], dict[int, float] | None, float]:
        # Looked for afresh each time: a process started during a run counts all its time, one that
        # ended during it (none in a steady run: the workers and the pool's connections stay) counts none.
        server = [self.server_pid, *_processes(lambda _name, parent: parent == self.server_pid)]
        database = _processes(lambda name, _parent: name == "postgres") if self.local_database else None
        load = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (
            _processor_seconds(server),
            None if database is None else _processor_seconds(database),
            load.ru_utime + load.ru_stime,
        )


def _spent(
    before: tuple[dict[int, float], dict[int, float] | None, float],
    after: tuple[dict[int, float], dict[int, float] | None, float],
    requests: float,
) -> Spent:
    def used(start: dict[int, float], end: dict[int, float]) -> float:
        return sum(seconds - start.get(pid, 0.0) for pid, seconds in end.items()) * 1000 / requests

    server_before, database_before, load_before = before
    server_after, database_after, load_after = after
    database = None
    if database_before is not None and database_after is not None:
        database = used(database_before, database_after)
    return Spent(used(server_before, server_after), database, (load_after - load_before) * 1000 / requests)


def wrk(
    base: str,
    path: str,
    cookie: str,
    connections: int,
    duration: int,
    folder: Path,
    watched: Watched | None = None,
) -> Result:
    script = folder / "page.lua"
    script.write_text(LUA_SCRIPT % (path, cookie), encoding="utf-8")
    before = watched.seconds() if watched else None
    output = soak.wrk_output(base, script, connections, duration)
    after = watched.seconds() if watched else None
    per_second = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    not_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    rate = float(per_second.group(1)) if per_second else 0.0
    spent = _spent(before, after, rate * duration) if before and after and rate else None
    return Result(
        label="",
        path=path,
        per_second=rate,
        p99=p99.group(1) if p99 else "n/a",
        not_ok=int(not_ok.group(1)) if not_ok else 0,
        spent=spent,
    )


def wanted_pages(site_id: int, return_id: int, release: list[str]) -> list[tuple[str, str, str]]:
    """(label, path, who) for every page measured; `release` holds the path of a release page, if any."""
    return [
        ("evaluator home", "/", "evaluator"),
        ("lead home", "/", "lead"),
        ("official home", "/", "official"),
        ("administrator home", "/", "administrator"),
        ("lead: site's returns", f"/returns/sites/{site_id}", "lead"),
        ("lead: return task list", f"/returns/{return_id}", "lead"),
        ("lead: costs, page 1", f"/returns/{return_id}/costs", "lead"),
        ("lead: activities", f"/returns/{return_id}/activities", "lead"),
        ("lead: activities, last page", f"/returns/{return_id}/activities?page=999", "lead"),
        ("lead: impact measures", f"/returns/{return_id}/measures", "lead"),
        ("lead: learning", f"/returns/{return_id}/learning", "lead"),
        ("lead: check answers", f"/returns/{return_id}/check", "lead"),
        ("review: one return", f"/review/returns/{return_id}", "evaluator"),
        (
            "review: one return, later pages",
            f"/review/returns/{return_id}?costs_page=20&activities_page=5&learning_page=2",
            "evaluator",
        ),
        ("evaluator: sites", "/returns/", "evaluator"),
        ("review: waiting", "/review/", "evaluator"),
        ("review: all returns", "/review/returns", "evaluator"),
        ("administrator: sites", "/admin/sites", "administrator"),
        ("administrator: users", "/admin/users", "administrator"),
        ("releases", "/releases/", "official"),
        *(("release page", path, "official") for path in release),
        *(("release learning, page 2", f"{path}/learning?page=2", "official") for path in release),
    ]


RELEASE_LINK = r'href="(/releases/[A-Z]+-\d{4}-\d{2})"'


def pages(
    base: str, accounts: dict[str, tuple[str, str]], site_id: int, return_id: int
) -> list[tuple[str, str, str]]:
    """(label, path, cookie) for every page measured, after checking that each answers 200."""
    cookies = {label: soak.sign_in(base, email, password) for label, (email, password) in accounts.items()}
    _cookie, official = cookies["official"]
    release = soak.links(official, base, "/releases/", RELEASE_LINK)[:1]
    return [(label, path, cookies[who][0]) for label, path, who in wanted_pages(site_id, return_id, release)]


def check_answers(base: str, wanted: list[tuple[str, str, str]]) -> list[str]:
    problems = []
    for label, path, cookie in wanted:
        request = urllib.request.Request(f"{base}{path}", headers={"Cookie": cookie})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                # Sent to sign in, or to the second step of signing in: the page itself was never served.
                if answer.status != 200 or urllib.parse.urlsplit(answer.url).path.startswith("/sign-in"):
                    problems.append(f"{label} {path}: {answer.status} {answer.url}")
        except OSError as error:
            problems.append(f"{label} {path}: {error}")
    return problems


def measure(database_url: str, workers: int, connections: int, duration: int, port: int) -> bool:
    accounts, site_id = prepare_people(database_url)
    return_id = latest_return(database_url, site_id)
    folder = Path(tempfile.mkdtemp(prefix="evidence-hub-throughput-"))
    environment = soak.server_environment(database_url)
    base = f"http://127.0.0.1:{port}"
    server = soak.start_gunicorn(environment, workers, port, folder / "gunicorn.log", folder / "access.log")
    try:
        wanted = pages(base, accounts, site_id, return_id)
        problems = check_answers(base, wanted)
        if problems:
            # Reported, and left out of the load: one page that never answers would stall every other.
            print("Pages that did not answer (not loaded):\n  " + "\n  ".join(problems), flush=True)
            failed = {problem.split(": ", 1)[0] for problem in problems}
            wanted = [page for page in wanted if f"{page[0]} {page[1]}" not in failed]
        watched = Watched.of(server.pid, database_url)
        health_before = wrk(base, "/healthz", "", connections, duration, folder, watched)
        results = []
        for label, path, cookie in wanted:
            result = wrk(base, path, cookie, connections, duration, folder, watched)
            results.append(replace(result, label=label))
            print(f"  {label:<24} {result.per_second:8.1f}/s  p99 {result.p99}", flush=True)
        health_after = wrk(base, "/healthz", "", connections, duration, folder, watched)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)
    health = (health_before.per_second + health_after.per_second) / 2
    shown = make_url(database_url).render_as_string(hide_password=True)
    print(f"\n{shown}: {workers} gunicorn workers, wrk {connections} connections, {duration} s a page")
    print(
        "\n| page | path | requests/s | p99 | share of /healthz | ≥ 1/10 "
        "| CPU ms a request: gunicorn / database / wrk |"
    )
    print("| --- | --- | ---: | ---: | ---: | --- | ---: |")
    print(
        f"| /healthz | /healthz | {health:,.0f} ({health_before.per_second:,.0f} before, "
        f"{health_after.per_second:,.0f} after) | {health_before.p99} | 1 | | {_spent_text(health_before)} "
        f"(before), {_spent_text(health_after)} (after) |"
    )
    answered = not problems
    for result in results:
        share = result.per_second / health if health else 0.0
        answered &= result.not_ok == 0
        print(
            f"| {result.label} | {result.path} | {result.per_second:,.1f} | {result.p99} | {share:.2f} "
            f"| {'PASS' if share >= TARGET_SHARE else 'FAIL'} | {_spent_text(result)} |"
        )
    return answered


def _spent_text(result: Result) -> str:
    return result.spent.text() if result.spent else "n/a"


def measure_in_process(database_url: str, times: int) -> bool:
    """Each page requested `times` times in this process, signed in by session (no password, no second
    step): the SQL statements of one request, and the median CPU time a request took (the database is
    SQLite in this process, or PostgreSQL's client side), beside /healthz's."""
    accounts, site_id = prepare_people(database_url)
    return_id = latest_return(database_url, site_id)
    app = create_app(
        {"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "SECRET_KEY": secrets.token_hex(32)}
    )
    engine = app.extensions[ENGINE_KEY]
    statements = [0]

    def count(*_arguments: object) -> None:
        statements[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    clients = {label: _signed_in_client(app, email) for label, (email, _password) in accounts.items()}
    listing = clients["official"].get("/releases/").get_data(as_text=True)
    release = list(dict.fromkeys(re.findall(RELEASE_LINK, listing)))[:1]
    wanted = [("/healthz", "/healthz", "official"), *wanted_pages(site_id, return_id, release)]
    shown = make_url(database_url).render_as_string(hide_password=True)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"\n{shown}: {times} requests a page, in one process; load average {load}")
    print("\n| page | path | SQL statements | Python calls | CPU ms a request (median) | HTML KB |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    answered = True
    for label, path, who in wanted:
        client = clients[who]
        statements[0] = 0
        response = client.get(path)
        if response.status_code != 200:
            print(f"| {label} | {path} | answered {response.status_code} | | | |")
            answered = False
            continue
        counted = statements[0]
        # A page's second request can still compile a statement its first did not finish caching (the
        # evaluator's home page: about 32,000 calls on its second request, 21,500 from its third on).
        for _ in range(WARM_UP_REQUESTS):
            client.get(path)
        calls = python_calls(functools.partial(client.get, path))
        spent = []
        for _ in range(times):
            started = time.process_time()
            client.get(path)
            spent.append((time.process_time() - started) * 1000)
        print(
            f"| {label} | {path} | {counted} | {calls:,} | {statistics.median(spent):,.1f} | "
            f"{len(response.get_data()) / 1024:,.0f} |",
            flush=True,
        )
    engine.dispose()
    return answered


def python_calls(request: Callable[[], object]) -> int:
    """The Python function calls one request makes (cProfile's count): unlike its time, the same on a
    loaded machine as on a quiet one, so a change's effect shows however busy the machine is."""
    profile = cProfile.Profile()
    profile.enable()
    request()
    profile.disable()
    return int(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]


def _signed_in_client(app: Flask, email: str) -> FlaskClient:
    """A test client whose session is signed in as this account, as the sign-in pages would leave it."""
    factory = app.extensions[SESSION_FACTORY_KEY]
    with factory() as session:
        token = session.scalar(select(User.session_token).where(User.email == email))
    client = app.test_client()
    with client.session_transaction() as browser:
        now = time.time()
        browser["_user_id"] = token
        browser["_fresh"] = True
        browser[SESSION_SIGNED_IN_AT] = now
        browser[SESSION_LAST_SEEN_AT] = now
    return client


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--database-url",
        action="append",
        help="a national_scale.py database, once per database (default: the 350x40 SQLite benchmark)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load a page (10)")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--in-process",
        type=int,
        metavar="N",
        help="instead of gunicorn and wrk, request each page N times in one process through the Flask test "
        "client and print its SQL statements and CPU time (steadier than wrk on a loaded machine)",
    )
    arguments = parser.parse_args(argv)
    if arguments.in_process is None and shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    urls = arguments.database_url
    if not urls:
        scale = dashboard_speed.SCALES[-1]
        url = dashboard_speed.database_urls(None)[scale]
        dashboard_speed.ensure_database(url, scale, rebuild=False)
        urls = [url]
    answered = True
    for url in urls:
        if arguments.in_process is not None:
            answered &= measure_in_process(url, max(1, arguments.in_process))
            continue
        answered &= measure(url, arguments.workers, arguments.connections, arguments.duration, arguments.port)
    return 0 if answered else 1


if __name__ == "__main__":
    sys.exit(main())
