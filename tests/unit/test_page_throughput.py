"""The throughput benchmark's split of processor time (benchmarks/page_throughput.py): what each request
cost in gunicorn, in the database server and in wrk, worked out from process times read before and after a
run."""

from __future__ import annotations

import os

import pytest

from benchmarks.page_throughput import Watched, _processor_seconds, _spent


def test_each_process_counts_what_it_used_during_the_run_and_one_started_during_it_counts_all() -> None:
    before = ({10: 1.0, 11: 2.0}, {20: 5.0}, 0.5)
    # Worker 12 started during the run; database process 21 too.
    after = ({10: 1.1, 11: 2.9, 12: 0.5}, {20: 5.2, 21: 0.3}, 0.7)

    spent = _spent(before, after, requests=100)

    assert spent.server == pytest.approx((0.1 + 0.9 + 0.5) * 1000 / 100)
    assert spent.database == pytest.approx((0.2 + 0.3) * 1000 / 100)
    assert spent.load == pytest.approx(0.2 * 1000 / 100)
    assert spent.text() == "15.0 / 5.0 / 2.0"


def test_without_a_database_server_on_this_machine_its_time_is_said_to_be_in_the_server() -> None:
    spent = _spent(({1: 0.0}, None, 0.0), ({1: 0.9}, None, 0.1), requests=300)

    assert spent.database is None
    assert spent.text() == "3.0 / in the server / 0.3"


@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("postgresql+psycopg://postgres@127.0.0.1:5432/bench", True),
        ("postgresql+psycopg://postgres@localhost/bench", True),
        ("postgresql+psycopg://postgres@db.example.org/bench", False),
        ("sqlite:////tmp/bench.sqlite", False),
    ],
)
def test_only_a_postgresql_server_on_this_machine_is_watched(url: str, local: bool) -> None:
    assert Watched.of(1, url).local_database is local


def test_a_running_process_has_a_time_and_an_ended_one_none() -> None:
    # Above Linux's largest process id (2**22), so never a running process.
    times = _processor_seconds([os.getpid(), 2**22 + 7])

    assert set(times) == {os.getpid()}
    assert times[os.getpid()] > 0
