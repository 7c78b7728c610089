"""gunicorn's access log as JSON, one line per request, with the request id the app gave the response.

gunicorn's own format string would put request lines and headers inside quotes unescaped, so a request
with a quote in its address could break the line; this encodes every field properly instead.
"""

from __future__ import annotations

import json
import traceback
from datetime import UTC, datetime
from typing import Any

from gunicorn.glogging import Logger


class JsonAccessLogger(Logger):  # type: ignore[misc]
    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        line = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "request_id": atoms.get("{x-request-id}o", "-"),
            "remote": atoms.get("h", "-"),
            "method": atoms.get("m", "-"),
            "path": atoms.get("U", "-"),
            "status": atoms.get("s", "-"),
            "bytes": atoms.get("B", "-"),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
        }
        try:
            self.access_log.info(json.dumps(line, ensure_ascii=False))
        except Exception:
            self.error(traceback.format_exc())
