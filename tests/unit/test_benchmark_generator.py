"""The national-scale benchmark generator (benchmarks/national_scale.py), built small.

It always writes a SQLite file of its own under tmp_path, whichever database the suite runs on.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from benchmarks.national_scale import (
    DATA_FLOWS_PER_SITE,
    INDICATORS,
    NotABenchmarkDatabase,
    build,
    is_complete_benchmark,
)
from evidence_hub.db import make_engine
from evidence_hub.migrations import current_revision, recorded_head
from evidence_hub.models import MeasureValue, ReturnStatus, SiteReturn
from evidence_hub.models.summary_upkeep import figure_differences


@pytest.fixture(scope="module")
def small_benchmark(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, int]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('benchmark') / 'benchmark-3.sqlite'}"
    return url, build(url, sites=3, quarters=2, seed=7)


def test_the_schema_is_built_by_the_migrations(small_benchmark: tuple[str, dict[str, int]]) -> None:
    engine = make_engine(small_benchmark[0])
    assert current_revision(engine) == recorded_head()
    engine.dispose()


def test_counts_are_proportional_to_sites_and_quarters(small_benchmark: tuple[str, dict[str, int]]) -> None:
    counts = small_benchmark[1]
    returns = 3 * 2
    assert counts["sites"] == 3
    assert counts["reporting_periods"] == 2
    assert counts["indicators"] == INDICATORS
    assert counts["site_returns"] == returns
    assert counts["cost_items"] == 100 * returns
    assert counts["activities"] == 100_000 * returns // 3_000
    assert counts["learning_entries"] == 20_000 * returns // 3_000
    assert counts["measure_values"] == INDICATORS * returns
    assert counts["data_flows"] == DATA_FLOWS_PER_SITE * 3
    assert 0 < counts["baselines"] < INDICATORS * 3, "some baselines are missing on purpose"
    assert counts["site_partners"] >= 2 * 3
    for linked in ("saving_claims", "activity_themes", "activity_partners", "learning_entry_dimensions"):
        assert counts[linked] > 0, linked


def test_there_are_approved_returns_and_unavailable_measures(
    small_benchmark: tuple[str, dict[str, int]],
) -> None:
    engine = make_engine(small_benchmark[0])
    with engine.connect() as connection:
        statuses = dict(
            connection.execute(select(SiteReturn.status, func.count()).group_by(SiteReturn.status)).all()
        )
        unavailable = connection.scalar(
            select(func.count()).select_from(MeasureValue).where(MeasureValue.value.is_(None))
        )
        foreign_key_problems = connection.execute(text("PRAGMA foreign_key_check")).all()
    engine.dispose()
    assert statuses.get(ReturnStatus.APPROVED.value, 0) > 0
    assert set(statuses) <= {status.value for status in ReturnStatus}
    assert unavailable is not None and unavailable > 0
    assert foreign_key_problems == []


def test_the_same_seed_builds_the_same_data(
    tmp_path: Path, small_benchmark: tuple[str, dict[str, int]]
) -> None:
    url = f"sqlite:///{tmp_path / 'again.sqlite'}"
    assert build(url, sites=3, quarters=2, seed=7) == small_benchmark[1]
    assert is_complete_benchmark(url, sites=3, quarters=2)


def test_an_earlier_benchmark_is_replaced_but_anything_else_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'benchmark.sqlite'}"
    build(url, sites=1, quarters=1)
    assert build(url, sites=2, quarters=1)["sites"] == 2

    other = tmp_path / "somebody-elses.sqlite"
    other.write_text("precious")
    with pytest.raises(NotABenchmarkDatabase):
        build(f"sqlite:///{other}", sites=1, quarters=1)
    assert other.read_text() == "precious"


def test_every_returns_kept_figures_equal_its_items(small_benchmark: tuple[str, dict[str, int]]) -> None:
    url, counts = small_benchmark
    assert counts["return_cost_totals"] > 0
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert figure_differences(connection) == []
    finally:
        engine.dispose()


def test_the_skewed_profile_shares_the_national_totals_unevenly_between_sites(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'skewed.sqlite'}"
    counts = build(url, sites=12, quarters=2, seed=3, profile="skewed")
    returns = 12 * 2
    assert counts["cost_items"] == 1_000_000 * returns // 14_000
    assert counts["activities"] == 300_000 * returns // 14_000
    assert is_complete_benchmark(url, sites=12, quarters=2, profile="skewed")
    assert not is_complete_benchmark(url, sites=12, quarters=2)
    engine = make_engine(url)
    with engine.connect() as connection:
        lines = sorted(connection.scalars(text("SELECT count(*) FROM cost_items GROUP BY site_id")).all())
    engine.dispose()
    assert lines[-1] > 3 * lines[0], "the largest site reports several times the lines of the smallest"
