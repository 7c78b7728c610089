"""`evidence-hub db ...` (schema migrations) and `evidence-hub check` (the configuration and the database)."""

from __future__ import annotations

import click
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from evidence_hub.cli.app import configured_app, engine_for


@click.group("db", help="Database schema migrations (Alembic).")
def db_group() -> None:
    """Group of database commands."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the latest)."""
    from evidence_hub import migrations

    app = configured_app()
    migrations.upgrade(engine_for(app), revision)
    click.echo(f"Database is at revision {migrations.current_revision(engine_for(app))}.")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ('base' removes every table)."""
    from evidence_hub import migrations

    app = configured_app()
    migrations.downgrade(engine_for(app), revision)
    click.echo(f"Database is at revision {migrations.current_revision(engine_for(app)) or 'base'}.")


@db_group.command("current")
def db_current() -> None:
    """Show the revision the database is at."""
    from evidence_hub import migrations

    click.echo(migrations.current_revision(engine_for(configured_app())) or "base (no tables)")


@click.command("check")
@click.option(
    "--figures",
    is_flag=True,
    help="Also recompute every return's kept figures from its items and compare them.",
)
@click.option("--rebuild", is_flag=True, help="With --figures: rebuild any figures that differ.")
def check(figures: bool, rebuild: bool) -> None:
    """Check the configuration and the database; exit 1 when something needs attention."""
    from evidence_hub import migrations
    from evidence_hub.models.summary_upkeep import figure_differences, rebuild_figures

    app = configured_app()
    engine = engine_for(app)
    problems: list[str] = []
    click.echo(f"Environment:  {app.config['ENV']}")
    click.echo(f"Database:     {engine.url.render_as_string(hide_password=True)}")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        problems.append(f"The database cannot be reached ({type(error).__name__}).")
    else:
        current = migrations.current_revision(engine)
        head = migrations.recorded_head()
        click.echo(f"Schema:       {current or 'empty'} (latest {head})")
        if current != head:
            problems.append("The database is not at the latest migration: run `evidence-hub db upgrade`.")
        elif figures:
            with engine.begin() as connection:
                differences = figure_differences(connection)
                if differences and rebuild:
                    rebuild_figures(connection)
                    click.echo(f"Figures:      rebuilt ({len(differences)} kinds differed)")
                    differences = figure_differences(connection)
            click.echo(f"Figures:      {'equal to their items' if not differences else 'differ'}")
            problems.extend(differences)
    if not app.config["SESSION_COOKIE_SECURE"] and app.config["ENV"] == "production":
        problems.append("EVIDENCE_HUB_SESSION_COOKIE_SECURE should be true when served over HTTPS.")
    for problem in problems:
        click.echo(f"Problem:      {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo("Everything is in order.")
