"""A soak test: the demo served by gunicorn with several workers under minutes of load from wrk, signed in
as the people who use it, counting requests per second, latency and worker deaths.

    .venv/bin/python benchmarks/soak.py [--database-url URL] [--workers 4] [--connections 16]
                                        [--duration 300] [--port 8765]

What it does:

1. Prepares the demo (`evidence-hub demo --no-serve`, which writes the demo accounts to instance/) in a
   SQLite file in a new temporary folder, or in the PostgreSQL database named by --database-url (it must
   exist; the demo is added to it, or kept if it is there).
2. Starts gunicorn with the repository's gunicorn.conf.py (faulthandler in every worker) and --workers
   workers, on 127.0.0.1, its error log in the temporary folder.
3. Signs in as a site lead with a draft return, an evaluator and a national official, and runs wrk with
   --connections connections for --duration seconds over their main pages (the lead's home page, task
   list and sections; the evaluator's review list, a return to review and the dashboards; the official's
   releases and a release page), each request with its person's session cookie (a wrk Lua script).
4. Meanwhile asks /healthz once a second and keeps the slowest answer.
5. Prints requests per second, latency percentiles, answers other than 2xx and 3xx, the slowest health
   check, and the number of worker deaths read from gunicorn's log (workers killed by a signal, timed out
   or exited with an error), which must be 0; with faulthandler's stacks of any that crashed.

Times are measured, never asserted: the exit status is 1 only when a worker died or a page did not answer.
wrk is Debian's (`apt-get install wrk`).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyotp

REPOSITORY = Path(__file__).resolve().parent.parent
DEMO_ACCOUNTS = REPOSITORY / "instance" / "demo-accounts.txt"
# The authenticator keys this script set up for demo accounts that need two-factor sign-in (email, key).
DEMO_TWO_FACTOR_KEYS = REPOSITORY / "instance" / "demo-two-factor-keys.txt"
LEAD = "liverpool.lead@demo.evidence-hub.example"
EVALUATOR = "evaluator@demo.evidence-hub.example"
OFFICIAL = "official@demo.evidence-hub.example"
# gunicorn's log lines for a worker that did not end as asked.
WORKER_DEATH = re.compile(r"was sent (?!SIGTERM)\w+|WORKER TIMEOUT|exited with code [1-9]")

LUA_SCRIPT = """
local pages = {
%s
}
local counter = 0
request = function()
  counter = counter + 1
  local page = pages[(counter %% #pages) + 1]
  return wrk.format("GET", page[1], {["Cookie"] = page[2]})
end
"""


@dataclass(frozen=True)
class Figures:
    requests: int
    seconds: float
    per_second: float
    latency: dict[str, str]
    not_ok: int
    socket_errors: str


def run(command: list[str], environment: dict[str, str]) -> str:
    return subprocess.run(  # noqa: S603  (our own commands)
        command, env=environment, check=True, capture_output=True, text=True
    ).stdout


def prepare_demo(environment: dict[str, str]) -> dict[str, str]:
    print("Preparing the demo ...", flush=True)
    run(
        [sys.executable, "-c", "from evidence_hub.cli import main; main()", "demo", "--no-serve"], environment
    )
    accounts = {}
    for line in DEMO_ACCOUNTS.read_text(encoding="utf-8").splitlines():
        email, _, password = line.partition("\t")
        accounts[email.strip()] = password.strip()
    return accounts


def server_environment(database_url: str) -> dict[str, str]:
    """The environment of a gunicorn serving a benchmark database: a fresh secret, quiet logs."""
    return {
        **os.environ,
        "PYTHONPATH": str(REPOSITORY),
        "EVIDENCE_HUB_DATABASE_URL": database_url,
        "EVIDENCE_HUB_SECRET_KEY": secrets.token_urlsafe(48),
        "EVIDENCE_HUB_LOG_LEVEL": "WARNING",
    }


def start_gunicorn(
    environment: dict[str, str],
    workers: int,
    port: int,
    log: Path,
    access_log: Path | None = None,
    application: str = "wsgi:app",
) -> subprocess.Popen[bytes]:
    """gunicorn serving `application` (the production one unless told) on 127.0.0.1:port, its error log in
    `log`; its access log (one JSON line a request, on standard output) in `access_log` when given."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(REPOSITORY / "gunicorn.conf.py"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(log),
        application,
    ]
    if access_log is None:
        server = subprocess.Popen(command, cwd=REPOSITORY, env=environment)  # noqa: S603  (our own command)
    else:
        with access_log.open("wb") as access:
            server = subprocess.Popen(  # noqa: S603  (our own command)
                command, cwd=REPOSITORY, env=environment, stdout=access
            )
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"gunicorn did not start; see {log}")


def _post_form(
    browser: urllib.request.OpenerDirector, address: str, fields: dict[str, str]
) -> tuple[str, str]:
    """Fill in the form at `address` and send it (with its CSRF token); where it led, and that page."""
    form = browser.open(address).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    data = {**fields, **({"csrf_token": token.group(1)} if token else {})}
    answer = browser.open(address, urllib.parse.urlencode(data).encode())
    return urllib.parse.urlsplit(answer.geturl()).path, answer.read().decode()


def _second_step(browser: urllib.request.OpenerDirector, base: str, email: str, path: str) -> None:
    """Set up or use the authenticator of an account that needs two-factor sign-in, keeping its key."""
    keys = (
        dict(line.split(" ", 1) for line in DEMO_TWO_FACTOR_KEYS.read_text().splitlines() if " " in line)
        if DEMO_TWO_FACTOR_KEYS.exists()
        else {}
    )
    if path == "/sign-in/two-factor/set-up":
        page = browser.open(f"{base}{path}").read().decode()
        found = re.search(r'id="setup-key">([^<]+)<', page)
        if found is None:
            raise SystemExit(f"Could not read the authenticator key set up for {email}")
        keys[email] = found.group(1).replace(" ", "").strip()
        DEMO_TWO_FACTOR_KEYS.write_text("".join(f"{each} {key}\n" for each, key in keys.items()))
        _post_form(browser, f"{base}{path}", {"code": pyotp.TOTP(keys[email]).now()})
    elif path == "/sign-in/two-factor":
        if email not in keys:
            raise SystemExit(f"{email} has two-factor sign-in set up with a key this script did not keep")
        totp = pyotp.TOTP(keys[email])
        # A code is accepted once: the next step's, if this step's was used by the last run.
        for step in (totp.timecode(datetime.now(UTC)), totp.timecode(datetime.now(UTC)) + 1):
            if _post_form(browser, f"{base}{path}", {"code": totp.generate_otp(step)})[0] != path:
                return


def sign_in(base: str, email: str, password: str) -> tuple[str, urllib.request.OpenerDirector]:
    """The session cookie of a fresh sign-in (taking the second step where the account needs one), and a
    browser that carries it."""
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    path, _page = _post_form(browser, f"{base}/sign-in", {"email": email, "password": password})
    _second_step(browser, base, email, path)
    cookie = "; ".join(f"{each.name}={each.value}" for each in jar)
    if "session" not in cookie:
        raise SystemExit(f"Could not sign in as {email}")
    return cookie, browser


def links(browser: urllib.request.OpenerDirector, base: str, path: str, pattern: str) -> list[str]:
    page = browser.open(f"{base}{path}").read().decode()
    return list(dict.fromkeys(re.findall(pattern, page)))


def pages_to_load(base: str, accounts: dict[str, str]) -> list[tuple[str, str]]:
    lead_cookie, lead = sign_in(base, LEAD, accounts[LEAD])
    site_page = links(lead, base, "/returns/", r'href="(/returns/sites/\d+)"')
    returns = links(lead, base, site_page[0] if site_page else "/returns/", r'href="(/returns/\d+)"')
    draft = max(returns, key=lambda path: int(path.rsplit("/", 1)[1]))  # The latest: a draft in the demo.
    sections = [f"{draft}/costs", f"{draft}/measures", f"{draft}/learning", f"{draft}/journey"]
    evaluator_cookie, evaluator = sign_in(base, EVALUATOR, accounts[EVALUATOR])
    to_review = links(evaluator, base, "/review/", r'href="(/review/returns/\d+)"')[:1]
    official_cookie, official = sign_in(base, OFFICIAL, accounts[OFFICIAL])
    release = links(official, base, "/releases/", r'href="(/releases/[A-Z]+-\d{4}-\d{2})"')[:1]
    return [
        *((path, lead_cookie) for path in ["/", draft, draft, *sections]),
        *((path, evaluator_cookie) for path in ["/review/", *to_review, "/dashboard/costs"]),
        *((path, official_cookie) for path in ["/releases/", *release]),
    ]


def watch_health(base: str, stop: threading.Event, slowest: list[float]) -> None:
    while not stop.wait(1):
        started = time.monotonic()
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=30):  # noqa: S310
                pass
        except OSError:
            pass
        slowest.append(time.monotonic() - started)


def wrk_output(base: str, script: Path, connections: int, duration: int, timeout: int = 30) -> str:
    """wrk's report of `duration` seconds of the Lua script's requests over `connections` connections."""
    wrk = shutil.which("wrk")
    assert wrk is not None
    return subprocess.run(  # noqa: S603  (wrk on this machine's own server)
        [
            wrk,
            "--threads",
            "2",
            "--connections",
            str(connections),
            "--duration",
            f"{duration}s",
            "--timeout",
            f"{timeout}s",
            "--latency",
            "--script",
            str(script),
            base,
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def run_wrk(
    base: str, pages: list[tuple[str, str]], connections: int, duration: int, folder: Path
) -> Figures:
    script = folder / "pages.lua"
    rows = ",\n".join(f'  {{"{path}", "{cookie}"}}' for path, cookie in pages)
    script.write_text(LUA_SCRIPT % rows, encoding="utf-8")
    output = wrk_output(base, script, connections, duration)
    print(output)
    done = re.search(r"(\d+) requests in ([\d.]+)(m|s)", output)
    assert done is not None, output
    seconds = float(done.group(2)) * (60 if done.group(3) == "m" else 1)
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.MULTILINE))
    not_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return Figures(
        requests=int(done.group(1)),
        seconds=seconds,
        per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        latency=latency,
        not_ok=int(not_ok.group(1)) if not_ok else 0,
        socket_errors=socket_errors.group(1) if socket_errors else "none",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", help="an existing PostgreSQL database (default: SQLite)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=300, help="seconds of load (300)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true", help="keep the instance folder and its logs")
    arguments = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")

    instance = Path(tempfile.mkdtemp(prefix="evidence-hub-soak-"))
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPOSITORY),
        "EVIDENCE_HUB_DATABASE_URL": arguments.database_url or f"sqlite:///{instance / 'soak.sqlite3'}",
        "EVIDENCE_HUB_SECRET_KEY": "soak-test-secret-key-that-is-long-enough-to-pass",
        "EVIDENCE_HUB_LOG_LEVEL": "WARNING",
    }
    log = instance / "gunicorn.log"
    base = f"http://127.0.0.1:{arguments.port}"
    accounts = prepare_demo(environment)
    server = start_gunicorn(environment, arguments.workers, arguments.port, log)
    stop, slowest_health = threading.Event(), [0.0]
    try:
        pages = pages_to_load(base, accounts)
        load = f"{arguments.connections} connections for {arguments.duration} s"
        print(f"Loading {len(set(pages))} pages with {load}")
        watcher = threading.Thread(target=watch_health, args=(base, stop, slowest_health), daemon=True)
        watcher.start()
        figures = run_wrk(base, pages, arguments.connections, arguments.duration, instance)
    finally:
        stop.set()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)

    logged = log.read_text(encoding="utf-8", errors="replace")
    deaths = WORKER_DEATH.findall(logged)
    engine = "PostgreSQL" if arguments.database_url else "SQLite"
    print(f"Engine:                     {engine}, {arguments.workers} gunicorn workers")
    print(f"Requests:                   {figures.requests} in {figures.seconds:.0f} s")
    print(f"Requests per second:        {figures.per_second:.1f}")
    print("Latency percentiles:        " + ", ".join(f"p{p} {v}" for p, v in figures.latency.items()))
    print(f"Answers not 2xx or 3xx:     {figures.not_ok}")
    print(f"Socket errors:              {figures.socket_errors}")
    print(f"Slowest health check:       {max(slowest_health):.2f} s")
    print(f"Worker deaths:              {len(deaths)}")
    if deaths or "Fatal Python error" in logged:
        crashes = [line for line in logged.splitlines() if "Fatal Python" in line or "File " in line]
        print("\n".join(crashes[:80]))
    if arguments.keep:
        print(f"The gunicorn log (and the SQLite database) kept in {instance}")
    else:
        shutil.rmtree(instance, ignore_errors=True)
    return 1 if deaths or figures.not_ok else 0


if __name__ == "__main__":
    sys.exit(main())
