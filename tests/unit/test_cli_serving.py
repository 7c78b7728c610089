"""`evidence-hub demo` and `serve` with the port already taken: they stop at once and name --port, and
never say the service is running."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from evidence_hub.cli.serving import demo, serve


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        yield taken.getsockname()[1]


@pytest.mark.parametrize(("command", "name"), [(demo, "demo"), (serve, "serve")])
def test_a_busy_port_stops_the_command_before_it_says_it_is_running(
    busy_port: int, command: object, name: str
) -> None:
    result = CliRunner().invoke(command, ["--port", str(busy_port)])  # type: ignore[arg-type]
    assert result.exit_code != 0
    assert f"Cannot serve on 127.0.0.1:{busy_port}" in result.output
    assert f"evidence-hub {name} --port {busy_port + 1}" in result.output
    assert "running at" not in result.output
    assert "Demo accounts" not in result.output, "nothing is prepared before the port is checked"
