"""A built wheel deploys with no checkout beside it: templates, static files and migrations travel in it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

SERVE_FROM_THE_WHEEL = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import evidence_hub
    from evidence_hub import create_app
    from evidence_hub.db import make_engine
    from evidence_hub.migrations import upgrade

    installed = Path(sys.argv[1])
    assert Path(evidence_hub.__file__).is_relative_to(installed), evidence_hub.__file__
    database = f"sqlite:///{Path.cwd() / 'service.sqlite3'}"
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    app = create_app({"DATABASE_URL": database, "SECRET_KEY": "k" * 40})
    client = app.test_client()
    pages = ("/healthz", "/sign-in", "/static/app.css", "/static/govuk-frontend/govuk-frontend.min.css")
    for address in pages:
        status = client.get(address).status_code
        assert status == 200, (address, status)
    print("served from the wheel")
    """
)


def test_the_wheel_carries_static_files_and_migrations_and_serves_from_anywhere(tmp_path: Path) -> None:
    subprocess.run(  # noqa: S603 (pip and python with arguments of our own)
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path, PROJECT],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("evidence_hub-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "evidence_hub/static/app.css" in names
    assert "evidence_hub/migration_scripts/HEAD" in names
    assert any(name.startswith("evidence_hub/migration_scripts/versions/0001_") for name in names)

    installed = tmp_path / "installed"
    subprocess.run(  # noqa: S603 (pip and python with arguments of our own)
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", installed, wheel],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    served = subprocess.run(  # noqa: S603 (python with arguments of our own)
        [sys.executable, "-c", SERVE_FROM_THE_WHEEL, str(installed)],
        cwd=elsewhere,
        env={"PYTHONPATH": str(installed), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert served.returncode == 0, served.stderr
    assert "served from the wheel" in served.stdout


def test_the_lock_file_pins_every_production_dependency_within_its_declared_range() -> None:
    """The container image installs requirements.lock: it must hold what pyproject.toml asks for."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    declared = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]["dependencies"]
    pinned = {}
    for line in (PROJECT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pinned[canonicalize_name(name)] = version
    for requirement in map(Requirement, declared):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in requirements.lock"
        assert requirement.specifier.contains(pinned[name]), (
            f"{name}=={pinned[name]} is outside {requirement}"
        )


def test_the_compose_file_runs_the_migrations_before_the_web_app_from_one_image() -> None:
    import yaml

    compose = yaml.safe_load((PROJECT / "compose.yaml").read_text())
    services = compose["services"]
    assert services["migrate"]["command"] == ["evidence-hub", "db", "upgrade"]
    assert services["web"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["web"]["image"] == services["migrate"]["image"] == "evidence-hub"
    assert "wsgi:app" in services["web"]["command"]
    dockerfile = (PROJECT / "Dockerfile").read_text()
    assert "USER evidence" in dockerfile
    assert "requirements.lock" in dockerfile
