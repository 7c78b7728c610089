"""The compose file runs the worker from the web app's image, after the migrations, sharing the web app's
database and release files; and the command it runs exists and refuses SQLite with a clear reason."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from evidence_hub.cli import main

PROJECT = Path(__file__).resolve().parent.parent


def test_the_compose_file_runs_the_worker_from_the_same_image_after_the_migrations() -> None:
    services = yaml.safe_load((PROJECT / "compose.yaml").read_text())["services"]
    worker, web = services["worker"], services["web"]

    assert worker["command"] == ["evidence-hub", "worker"]
    assert worker["image"] == web["image"] == "evidence-hub"
    assert worker["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert worker["environment"] == web["environment"], "one database, one set of folders"
    assert worker["volumes"] == web["volumes"]
    assert any(volume.endswith(":/srv/evidence-hub/release-files") for volume in worker["volumes"])
    assert worker["environment"]["EVIDENCE_HUB_RELEASE_FILES_FOLDER"] == "/srv/evidence-hub/release-files"
    assert worker["restart"] == "unless-stopped"


def test_the_worker_command_explains_that_sqlite_needs_no_worker(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["worker"],
        env={
            "EVIDENCE_HUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hub.sqlite3'}",
            "EVIDENCE_HUB_SECRET_KEY": "k" * 48,
        },
    )

    assert result.exit_code != 0
    assert "The worker's queue lives in PostgreSQL" in result.output
