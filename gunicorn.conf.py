"""gunicorn's settings for Evidence Hub, read from the folder gunicorn is started in:

    .venv/bin/gunicorn --workers 4 --bind 127.0.0.1:8000 wsgi:app

Anything given on the command line wins over what is set here.
"""

from __future__ import annotations

import faulthandler
import gc
import sys
from typing import Any

from evidence_hub import collect_after_request

# The app is loaded in each worker, after the fork: nothing the app opens (database connections above
# all) is ever shared between processes.
preload_app = False
# A slow render is bounded by the service's render limits; a request still running after this is stuck.
timeout = 60
graceful_timeout = 30
# One JSON line per request, carrying the request id that the app's own log lines and error pages show.
accesslog = "-"
logger_class = "evidence_hub.cli.gunicorn_logging.JsonAccessLogger"


def post_fork(_server: Any, _worker: Any) -> None:
    """A worker that crashes in C code (a segmentation fault, an abort) writes the Python stack of every
    thread to standard error before it dies, so that its cause can be found."""
    faulthandler.enable(file=sys.stderr, all_threads=True)
    # The garbage collector runs between requests (post_request), never in the middle of one: on Python
    # 3.11.7 a collection that starts while a page is being built (hundreds of ORM objects loaded, the
    # template half rendered) frees objects still in use, and the worker dies of SIGSEGV a few requests
    # later (issue 16; docs/investigations/sigsegv.md, benchmarks/crash_soak.py).
    gc.disable()


def post_request(_worker: Any, _request: Any, _environ: Any, _response: Any) -> None:
    """Collect the request's reference cycles once its response has been sent (the automatic collector is
    off in workers: see post_fork)."""
    collect_after_request()
