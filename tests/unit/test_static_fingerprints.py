"""Fingerprints of static files (static_files.fingerprint): only files inside the static folder have one,
and an edited file gets a new one."""

from __future__ import annotations

import os
from pathlib import Path

from evidence_hub.static_files import fingerprint


def test_a_file_in_the_folder_has_a_fingerprint_that_changes_when_it_is_edited(tmp_path: Path) -> None:
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    sheet = folder / "css" / "app.css"
    sheet.write_text("body { color: black; }")
    first = fingerprint(str(folder), "css/app.css")
    assert first is not None and len(first) == 12
    assert fingerprint(str(folder), "css/app.css") == first

    sheet.write_text("body { color: #0b0c0c; }")
    os.utime(sheet, (sheet.stat().st_atime, sheet.stat().st_mtime + 10))
    assert fingerprint(str(folder), "css/app.css") not in (None, first)


def test_no_fingerprint_for_a_missing_file_a_folder_or_a_file_outside_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("not static")
    assert fingerprint(str(folder), "css/missing.css") is None
    assert fingerprint(str(folder), "css") is None
    assert fingerprint(str(folder), "../secret.txt") is None

    # A file that appears later is fingerprinted then.
    (folder / "css" / "missing.css").write_text("p {}")
    assert fingerprint(str(folder), "css/missing.css") is not None
