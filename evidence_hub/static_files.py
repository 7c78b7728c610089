"""Static files served fast: compressed with gzip for browsers that accept it, and cacheable.

Every address `url_for('static', ...)` makes carries a fingerprint of the file's content (`?v=` and the
first 12 hex digits of its SHA-256), so a browser may keep it for a year: a changed file gets a new
address. A request without the fingerprint gets `no-cache`, so the browser asks again each time and the
ETag answers 304 when nothing changed. plotly.js is fingerprinted by its version in its own address.

The 4.8 MB plotly.js bundle is about 1.4 MB gzipped. Each file is compressed once per process and kept,
keyed by its ETag (which changes with the file).
"""

from __future__ import annotations

import gzip
import hashlib
import stat
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

FINGERPRINT_ARGUMENT = "v"
YEAR_SECONDS = 365 * 24 * 60 * 60
# Only types that shrink; images such as PNG are compressed already.
COMPRESSIBLE_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "image/x-icon")
SMALLEST_WORTH_COMPRESSING = 1024
STATIC_ENDPOINTS = frozenset({"static", "chart_assets.plotly_js"})


@cache
def _fingerprint(path: Path, modified: float, size: int) -> str:
    # `modified` and `size` are part of the key, so an edited file is hashed again.
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@lru_cache(maxsize=512)
def _within(static_folder: str, filename: str) -> Path | None:
    """The file's resolved path when it lies inside the static folder, else None. Kept per process: each
    page names the same few files, and resolving them took a system call for every folder on the way."""
    folder = Path(static_folder).resolve()
    path = (folder / filename).resolve()
    return path if folder in path.parents else None


def fingerprint(static_folder: str, filename: str) -> str | None:
    """The fingerprint of a file in the static folder; None when there is no such file."""
    path = _within(static_folder, filename)
    if path is None:
        return None
    try:
        status = path.stat()
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return _fingerprint(path, status.st_mtime, status.st_size)


_gzipped_by_etag: dict[str, bytes] = {}


def _gzipped(etag: str, body: bytes) -> bytes:
    """The body compressed, once per ETag (a handful of files, so the store stays small)."""
    if etag not in _gzipped_by_etag:
        # mtime=0: the same file always compresses to the same bytes.
        _gzipped_by_etag[etag] = gzip.compress(body, compresslevel=6, mtime=0)
    return _gzipped_by_etag[etag]


def _accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0 or request.accept_encodings["*"] > 0


def _compress(response: Response) -> Response:
    if (
        request.method != "GET"
        or response.status_code != 200
        or "Content-Encoding" in response.headers
        or not (response.mimetype or "").startswith(COMPRESSIBLE_TYPES)
    ):
        return response
    response.vary.add("Accept-Encoding")
    if not _accepts_gzip():
        return response
    etag, _weak = response.get_etag()
    response.direct_passthrough = False
    body = response.get_data()
    if len(body) < SMALLEST_WORTH_COMPRESSING or etag is None:
        return response
    response.set_data(_gzipped(etag, body))
    response.headers["Content-Encoding"] = "gzip"
    # The compressed bytes differ from the file's: a weak ETag still lets the browser revalidate (304).
    response.set_etag(etag, weak=True)
    return response


def _cache_headers(response: Response) -> Response:
    if request.endpoint == "static":
        if request.args.get(FINGERPRINT_ARGUMENT):
            response.headers["Cache-Control"] = f"public, max-age={YEAR_SECONDS}, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
    return response


def init_static_files(app: Flask) -> None:
    """Fingerprint static addresses and compress and cache what the static routes send."""

    @app.url_defaults
    def _add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and FINGERPRINT_ARGUMENT not in values:
            found = fingerprint(app.static_folder or "", values["filename"])
            if found is not None:
                values[FINGERPRINT_ARGUMENT] = found

    @app.after_request
    def _serve_static(response: Response) -> Response:
        if request.endpoint in STATIC_ENDPOINTS:
            return _compress(_cache_headers(response))
        return response
