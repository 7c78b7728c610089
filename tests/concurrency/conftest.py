"""The app served by a real threaded HTTP server on this machine, and clients that hit it at the same moment.

Races only show under real concurrency: the test client runs one request at a time. Here werkzeug's
threaded server serves the test's app (its database on SQLite or PostgreSQL) on a free port of 127.0.0.1,
and `at_once` starts every request behind one barrier, so that they reach the server together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from tests.factories import DEFAULT_PASSWORD, factory_totp_secret, second_factor_codes

Answer = TypeVar("Answer")
# Long enough for a render queued behind others on a busy two-core machine; a hung request fails the test.
REQUEST_TIMEOUT_SECONDS = 60


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The base address of the app served by a threaded server, stopped when the test ends."""
    app.config["SERVER_NAME"] = None  # Answer for 127.0.0.1:<port>, not only for "localhost".
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def signed_in(base: str, email: str, password: str = DEFAULT_PASSWORD) -> requests.Session:
    browser = requests.Session()
    response = browser.post(
        f"{base}/sign-in",
        data={"email": email, "password": password},
        allow_redirects=False,
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    assert response.status_code == 302, f"could not sign in as {email}: {response.status_code}"
    if response.headers["Location"].endswith("/sign-in/two-factor"):
        for code in second_factor_codes(factory_totp_secret(email)):
            response = browser.post(
                f"{base}/sign-in/two-factor",
                data={"code": code},
                allow_redirects=False,
                timeout=REQUEST_TIMEOUT_SECONDS,
            )
            if response.status_code == 302:
                break
        assert response.status_code == 302, f"could not sign in as {email}: the second factor was refused"
    return browser


def at_once(count: int, request: Callable[[int], Answer]) -> list[Answer]:
    """Run request(0) ... request(count - 1) in threads released together; their answers in order."""
    barrier = threading.Barrier(count)

    def together(number: int) -> Answer:
        barrier.wait()
        return request(number)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(together, range(count)))
