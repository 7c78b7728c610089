"""Does a worker survive a site lead's pages of a large return? The kind of request that crashed gunicorn
workers with SIGSEGV (issue 16), in one process without gunicorn, counted in requests and crashes.

    .venv/bin/python benchmarks/crash_soak.py --database-url sqlite:////tmp/bench-150.sqlite
                                              [--requests 300] [--runs 3] [--python PATH] [--bare]
                                              [--section /costs]

For a national_scale.py database (the 150-site × 20-quarter SQLite file is enough), the script gives the
benchmark's lead of the largest site an account (as page_throughput.py does), then --runs times starts a
child Python (--python, this interpreter by default) that runs gunicorn.conf.py's worker hooks (post_fork
after the fork, post_request after each request; --bare leaves them out), builds the app as wsgi.py does,
signs that lead in with Flask's test client and asks for a page of their latest return (--section: the
costs section by default, every cost line of the return) --requests times.
It prints, for each run, how many requests were answered and whether the child died of a signal; with
faulthandler's stack of a crash. The exit status is 1 when any run crashed.

What it showed (docs/investigations/sigsegv.md): on Python 3.11.7 with --bare the child dies of SIGSEGV
within a few requests (the costs section at 350 × 40 after 7; the task list, before it stopped loading
every item, after 6 at 150 × 20); with the hooks (the garbage collector run between requests only), or on
Python 3.12.1 with the same packages, it answers every request.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
# Lines of a crashed child's innermost stack to print: enough to see which request and which call.
STACK_LINES = 16
GUNICORN_SETTINGS = REPOSITORY / "gunicorn.conf.py"

# Run in the child: the app as wsgi.py builds it, the lead signed in, the task list asked for repeatedly.
CHILD = """
import faulthandler, runpy, sys
faulthandler.enable()
from datetime import UTC, datetime
from sqlalchemy import select
from evidence_hub import create_app, guards, prepare_to_serve
from evidence_hub.models import User
email, path, count, hooks = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
settings = runpy.run_path(hooks) if hooks else {}
if settings:
    settings["post_fork"](None, None)
app = create_app()
prepare_to_serve()
factory = app.extensions["evidence_hub.session_factory"]
with factory() as session:
    token = session.scalar(select(User.session_token).where(User.email == email))
client = app.test_client()
with client.session_transaction() as cookie:
    now = datetime.now(UTC).timestamp()
    cookie["_user_id"] = token
    cookie["_fresh"] = True
    cookie[guards.SESSION_SIGNED_IN_AT] = now
    cookie[guards.SESSION_LAST_SEEN_AT] = now
for number in range(1, count + 1):
    answer = client.get(path)
    if answer.status_code != 200:
        raise SystemExit(f"{path} answered {answer.status_code}")
    if settings:
        settings["post_request"](None, None, None, None)
    print(f"answered {number}", flush=True)
"""


def run_child(
    python: str, database_url: str, email: str, path: str, requests: int, hooks: str
) -> tuple[int, int, str]:
    """(requests answered, the child's exit status, its standard error)."""
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPOSITORY),
        "EVIDENCE_HUB_DATABASE_URL": database_url,
        "EVIDENCE_HUB_SECRET_KEY": "crash-soak-" + "x" * 40,
        "EVIDENCE_HUB_LOG_LEVEL": "WARNING",
    }
    child = subprocess.run(  # noqa: S603  (our own command)
        [python, "-c", CHILD, email, path, str(requests), hooks],
        env=environment,
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=False,
    )
    answered = child.stdout.count("answered ")
    return answered, child.returncode, child.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="a national_scale.py database")
    parser.add_argument("--requests", type=int, default=300, help="task lists asked for in each run (300)")
    parser.add_argument("--runs", type=int, default=3, help="child processes, one after another (3)")
    parser.add_argument("--python", default=sys.executable, help="the interpreter of the child (this one)")
    parser.add_argument(
        "--section",
        default="/costs",
        help="the page of the return asked for, after /returns/<id> (default /costs: every cost line; "
        "'' for the task list)",
    )
    parser.add_argument(
        "--bare",
        action="store_true",
        help="without gunicorn.conf.py's worker hooks (post_fork, post_request), applied by default",
    )
    arguments = parser.parse_args(argv)

    if __package__:
        from benchmarks import page_throughput
    else:  # run as a script: python benchmarks/crash_soak.py
        import page_throughput  # type: ignore[no-redef]

    _accounts, site_id = page_throughput.prepare_people(arguments.database_url)
    path = f"/returns/{page_throughput.latest_return(arguments.database_url, site_id)}{arguments.section}"
    versions = "import sys, sqlite3; print(sys.version.split()[0], sqlite3.sqlite_version)"
    version = subprocess.run(  # noqa: S603  (our own command)
        [arguments.python, "-c", versions],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    print(f"Python {version[0]}, SQLite {version[1]}: {arguments.runs} runs of {arguments.requests} x {path}")
    hooks = "" if arguments.bare else str(GUNICORN_SETTINGS)
    print(
        "bare: the automatic garbage collector on" if arguments.bare else f"with the worker hooks of {hooks}"
    )
    crashes = 0
    total = 0
    for run in range(1, arguments.runs + 1):
        answered, status, errors = run_child(
            arguments.python,
            arguments.database_url,
            page_throughput.LEAD_EMAIL,
            path,
            arguments.requests,
            hooks,
        )
        total += answered
        if status < 0:
            crashes += 1
            print(f"  run {run}: died of {signal.Signals(-status).name} after {answered} requests answered")
            lines = (line.strip() for line in errors.splitlines())
            stack = [line for line in lines if line.startswith(("File ", "Garbage"))]
            print("    " + "\n    ".join(stack[:STACK_LINES]))
        elif status:
            crashes += 1
            print(f"  run {run}: exited with status {status} after {answered} requests\n{errors[-2000:]}")
        else:
            print(f"  run {run}: {answered} requests answered, no crash")
    print(f"{total} requests answered, {crashes} of {arguments.runs} runs crashed")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
