"""gunicorn's settings for Evidence Hub, read from the folder gunicorn is started in:

    .venv/bin/gunicorn --workers 4 --bind 127.0.0.1:8000 wsgi:app

Anything given on the command line wins over what is set here.
"""

from __future__ import annotations

import faulthandler
import sys
from typing import Any

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
    thread to the error log before it dies, so that its cause can be found."""
    faulthandler.enable(file=sys.stderr, all_threads=True)
