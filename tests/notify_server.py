"""A stand-in for GOV.UK Notify's API on a local port, for tests of the Notify backend through the real
client (notifications-python-client) over real HTTP: it checks that each request carries a signed token,
records what was sent, and answers as Notify does, or with the error a test asks for."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SERVICE_ID = str(uuid.UUID(int=1))
SECRET = str(uuid.UUID(int=2))
API_KEY = f"evidence_hub_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = str(uuid.UUID(int=3))


@dataclass
class FakeNotify:
    base_url: str = ""
    sent: list[dict[str, Any]] = field(default_factory=list)
    # An error to answer every send with: (HTTP status, Notify's JSON body); None to accept.
    refuse_with: tuple[int, dict[str, Any]] | None = None
    # What Notify says of each notification it has, by its id.
    statuses: dict[str, str] = field(default_factory=dict)


def _handler(notify: FakeNotify) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _signed(self) -> bool:
            return self.headers.get("Authorization", "").startswith("Bearer ")

        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if not self._signed():
                self._answer(403, {"errors": [{"error": "AuthError", "message": "Unauthorized"}]})
                return
            if notify.refuse_with is not None:
                self._answer(*notify.refuse_with)
                return
            notification_id = str(uuid.uuid4())
            notify.sent.append(request)
            notify.statuses[notification_id] = "sending"
            self._answer(
                201,
                {"id": notification_id, "reference": request.get("reference"), "content": {}, "uri": ""},
            )

        def do_GET(self) -> None:
            notification_id = self.path.rsplit("/", 1)[-1]
            if notification_id not in notify.statuses:
                self._answer(404, {"errors": [{"error": "NoResultFound", "message": "No result found"}]})
                return
            self._answer(200, {"id": notification_id, "status": notify.statuses[notification_id]})

    return Handler


@contextmanager
def fake_notify() -> Iterator[FakeNotify]:
    notify = FakeNotify()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(notify))
    notify.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield notify
    finally:
        server.shutdown()
        server.server_close()
