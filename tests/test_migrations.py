"""The schema comes only from the migrations: one head, recorded; models match; down and up again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from evidence_hub import migrations
from evidence_hub.db import Base, make_engine
from tests.conftest import create_postgres_database, postgres_base_url, worker_name


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    """A database with no tables at all, on the engine this run tests."""
    if postgres_base_url():
        url = create_postgres_database(f"migrations_{worker_name()}")
    else:
        url = f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
    engine = make_engine(url)
    yield engine
    engine.dispose()


def schema_differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        # The queue library's tables (migration 0012, PostgreSQL) have no models: they are its own.
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_name": lambda name, type_, _parents: (
                    not (type_ == "table" and (name or "").startswith("procrastinate_"))
                ),
            },
        )
        return list(compare_metadata(context, Base.metadata))


def test_there_is_one_head_and_it_is_recorded(empty_engine: Engine) -> None:
    assert migrations.script_heads(empty_engine) == [migrations.recorded_head()]


def test_migration_files_are_numbered_in_sequence() -> None:
    names = sorted(path.name for path in (migrations.MIGRATIONS_FOLDER / "versions").glob("*.py"))
    numbers = [name[:4] for name in names]
    assert numbers == [f"{index:04d}" for index in range(1, len(names) + 1)]
    assert all(name[4] == "_" for name in names)


def test_upgrade_matches_the_models_then_downgrades_and_upgrades_again(empty_engine: Engine) -> None:
    migrations.upgrade(empty_engine)
    assert migrations.current_revision(empty_engine) == migrations.recorded_head()
    assert schema_differences(empty_engine) == []

    migrations.downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}

    migrations.upgrade(empty_engine)
    assert schema_differences(empty_engine) == []


# Migration 0011: programmes.
# The migration before programmes, and the one that adds them (re-chain both together if renumbered).
BEFORE_PROGRAMMES = "0010"
PROGRAMMES = "0011"


def _data_as_before_programmes(engine: Engine) -> None:
    """Two sites, one framework and one user of each role, as the service held them before 0011."""
    with engine.begin() as connection:
        for code, name in (("kent", "Kent"), ("leeds", "Leeds")):
            connection.execute(
                text(
                    "INSERT INTO sites (code, name, region, local_authorities, is_active, created_at) "
                    "VALUES (:code, :name, '', '[]', :yes, CURRENT_TIMESTAMP)"
                ),
                {"code": code, "name": name, "yes": True},
            )
        kent = connection.execute(text("SELECT id FROM sites WHERE code = 'kent'")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO frameworks (code, name, created_at, cross_site_sharing) "
                "VALUES ('worklessness-data-sharing', 'Worklessness', CURRENT_TIMESTAMP, :no)"
            ),
            {"no": False},
        )
        for number, (role, site_id) in enumerate(
            (("administrator", None), ("evaluator", None), ("site_lead", kent), ("national_official", None))
        ):
            connection.execute(
                text(
                    "INSERT INTO users (email, full_name, password_hash, role, site_id, is_active, "
                    "session_token, created_at, password_changed_at) VALUES (:email, :name, 'x', :role, "
                    ":site, :yes, :token, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {
                    "email": f"{role}@example.gov.uk",
                    "name": role,
                    "role": role,
                    "site": site_id,
                    "yes": True,
                    "token": f"token-{number}",
                },
            )


def test_existing_data_becomes_the_worklessness_programme_with_the_same_roles_and_back(
    empty_engine: Engine,
) -> None:
    migrations.upgrade(empty_engine, BEFORE_PROGRAMMES)
    _data_as_before_programmes(empty_engine)

    migrations.upgrade(empty_engine, PROGRAMMES)

    with empty_engine.connect() as connection:
        programmes = connection.execute(text("SELECT id, code, name FROM programmes")).all()
        assert [(code, name) for _, code, name in programmes] == [("worklessness", "Worklessness pilots")]
        programme_id = programmes[0][0]
        assert connection.execute(text("SELECT DISTINCT programme_id FROM frameworks")).scalars().all() == [
            programme_id
        ]
        assert connection.execute(text("SELECT count(*) FROM programme_sites")).scalar_one() == 2
        memberships = connection.execute(
            text(
                "SELECT users.role, programme_memberships.role, sites.code, programme_memberships.ended_at "
                "FROM programme_memberships JOIN users ON users.id = programme_memberships.user_id "
                "LEFT JOIN sites ON sites.id = programme_memberships.site_id ORDER BY users.role"
            )
        ).all()
        # Administrators stay service administrators; everyone else holds their role in the programme.
        assert [tuple(row) for row in memberships] == [
            ("evaluator", "evaluator", None, None),
            ("national_official", "national_official", None, None),
            ("site_lead", "site_lead", "kent", None),
        ]
        assert connection.execute(
            text(
                "SELECT departments.code FROM users JOIN departments ON departments.id = users.department_id"
            )
        ).scalars().all() == ["dwp"]

    migrations.downgrade(empty_engine, BEFORE_PROGRAMMES)
    tables = set(inspect(empty_engine).get_table_names())
    assert not tables & {"programmes", "programme_memberships", "programme_sites", "departments"}
    assert "programme_id" not in {
        column["name"] for column in inspect(empty_engine).get_columns("frameworks")
    }
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM users")).scalar_one() == 4

    migrations.upgrade(empty_engine, PROGRAMMES)
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM programme_memberships")).scalar_one() == 3


def test_an_empty_database_gets_no_programme_until_a_framework_is_imported(empty_engine: Engine) -> None:
    migrations.upgrade(empty_engine, PROGRAMMES)
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM programmes")).scalar_one() == 0


# Migration 0016: a lead's sites come from their memberships alone; programmes can be archived.
# The migration before it, and itself (re-chain both together if renumbered).
BEFORE_MEMBERSHIP_SITES = "0015"
MEMBERSHIP_SITES = "0016"


def test_the_accounts_site_goes_and_comes_back_from_the_memberships(empty_engine: Engine) -> None:
    migrations.upgrade(empty_engine, BEFORE_PROGRAMMES)
    _data_as_before_programmes(empty_engine)
    migrations.upgrade(empty_engine, BEFORE_MEMBERSHIP_SITES)

    migrations.upgrade(empty_engine, MEMBERSHIP_SITES)
    assert "site_id" not in {column["name"] for column in inspect(empty_engine).get_columns("users")}
    with empty_engine.begin() as connection:
        # The Kent lead also comes to lead Leeds in a second programme, and that programme is archived.
        connection.execute(
            text(
                "INSERT INTO programmes (code, name, department_id, description, status, created_at) "
                "SELECT 'libraries', 'Libraries', id, '', 'archived', CURRENT_TIMESTAMP FROM departments"
            )
        )
        connection.execute(
            text(
                "INSERT INTO programme_memberships (user_id, programme_id, role, site_id, started_at) "
                "SELECT users.id, programmes.id, 'site_lead', sites.id, CURRENT_TIMESTAMP "
                "FROM users, programmes, sites WHERE users.role = 'site_lead' "
                "AND programmes.code = 'libraries' AND sites.code = 'leeds'"
            )
        )

    migrations.downgrade(empty_engine, BEFORE_MEMBERSHIP_SITES)
    with empty_engine.connect() as connection:
        # The account takes the site of its earliest current site-lead membership: Kent.
        assert connection.execute(
            text("SELECT sites.code FROM users JOIN sites ON sites.id = users.site_id")
        ).scalars().all() == ["kent"]
        assert (
            connection.execute(text("SELECT status FROM programmes WHERE code = 'libraries'")).scalar_one()
            == "closed"
        )

    migrations.upgrade(empty_engine, MEMBERSHIP_SITES)
    with empty_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM programme_memberships")).scalar_one() == 4
    migrations.upgrade(empty_engine)
    assert schema_differences(empty_engine) == []


BEFORE_VOUCHED_FIGURES = "0016"
VOUCHED_FIGURES = "0017"


def test_only_an_evaluators_existing_comparison_figures_keep_counting(empty_engine: Engine) -> None:
    migrations.upgrade(empty_engine, BEFORE_PROGRAMMES)
    _data_as_before_programmes(empty_engine)
    migrations.upgrade(empty_engine, BEFORE_VOUCHED_FIGURES)
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO framework_versions (framework_id, version, status, description, effective_from, "
                "source_yaml, source_sha256, source_filename, imported_at) "
                "SELECT id, 1, 'draft', '', '2009-04-01', '', '', '', CURRENT_TIMESTAMP FROM frameworks"
            )
        )
        for role, area in (("evaluator", "E10000016"), ("site_lead", "E10000030")):
            connection.execute(
                text(
                    "INSERT INTO comparison_series (framework_version_id, area_code, area_name, period_code, "
                    "indicator_code, value, source, extracted_on, uploaded_at, uploaded_by_id) "
                    "SELECT framework_versions.id, :area, 'An area', '2009-Q2', 'WL-JOB-ENTRY-RATE', 12.5, "
                    "'ONS Nomis', '2009-07-14', CURRENT_TIMESTAMP, users.id "
                    "FROM framework_versions, users WHERE users.role = :role"
                ),
                {"area": area, "role": role},
            )

    migrations.upgrade(empty_engine, VOUCHED_FIGURES)
    with empty_engine.connect() as connection:
        accepted = connection.execute(
            text(
                "SELECT area_code, accepted_at IS NOT NULL, accepted_by_id = uploaded_by_id "
                "FROM comparison_series ORDER BY area_code"
            )
        ).all()
    assert [(code, bool(is_accepted), by) for code, is_accepted, by in accepted] == [
        ("E10000016", True, True),
        ("E10000030", False, None),
    ]

    migrations.downgrade(empty_engine, BEFORE_VOUCHED_FIGURES)
    assert "accepted_at" not in {
        column["name"] for column in inspect(empty_engine).get_columns("comparison_series")
    }
    migrations.upgrade(empty_engine)
    assert schema_differences(empty_engine) == []
