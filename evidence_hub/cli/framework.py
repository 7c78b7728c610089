"""`evidence-hub framework ...`: check, import, publish and list framework versions from the command line."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import click
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from evidence_hub import create_app
from evidence_hub.cli.app import engine_for, session_for
from evidence_hub.db import transaction
from evidence_hub.formatting import date_uk
from evidence_hub.models import FrameworkVersion, PeriodKind
from evidence_hub.services.accounts import programmes as programme_service
from evidence_hub.services.framework import finding, lifecycle
from evidence_hub.services.framework.differences import FrameworkDifference
from evidence_hub.services.framework.errors import FrameworkError, FrameworkFileInvalid, Problem
from evidence_hub.services.framework.periods import add_reporting_periods
from evidence_hub.services.framework.reading.framework_file import check_framework_text, decode_file
from evidence_hub.services.framework.wording import count_phrase

COMMAND_LINE = "Command line"

framework_cli = click.Group(
    "framework",
    help="The shared evaluation framework: check a framework file, import it as a draft, publish it.",
)

FILE_ARGUMENT = click.argument(
    "file", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)
)


NOT_SET_UP = "The database has not been set up. Run `evidence-hub db upgrade` first."


@contextmanager
def _database(*, required: bool = True) -> Iterator[Session | None]:
    """A session on the configured database for one command; None if it is not set up and not required."""
    app = create_app()
    session = session_for(app)
    try:
        if inspect(session.get_bind()).has_table(FrameworkVersion.__tablename__):
            yield session
        elif required:
            raise click.ClickException(NOT_SET_UP)
        else:
            yield None
    finally:
        session.close()
        engine_for(app).dispose()


@contextmanager
def _session() -> Iterator[Session]:
    """A session on a database that has been set up; the command stops with advice if it has not."""
    with _database() as session:
        assert session is not None
        yield session


def _read(file: Path) -> str:
    text, problems = decode_file(file.read_bytes())
    if problems:
        _report_problems(file, problems)
    return text


def _report_problems(file: Path, problems: Sequence[Problem]) -> None:
    count = len(problems)
    click.echo(f"{file}: {count} problem{'' if count == 1 else 's'}. Nothing has been saved.")
    for problem in problems:
        click.echo(f"  {problem.location}: {problem.message}")
    raise click.exceptions.Exit(1)


def _echo_difference(difference: FrameworkDifference) -> None:
    if difference.previous_version is None:
        counts = ", ".join(
            count_phrase(len(section.added), section.title.lower()) for section in difference.changed_sections
        )
        click.echo(f"This is the first version of the framework: everything in it is new ({counts}).")
        return
    if difference.is_empty:
        click.echo(f"Nothing has changed compared with version {difference.previous_version}.")
        return
    summary = difference.summary()
    click.echo(
        f"Compared with version {difference.previous_version}: {summary['added']} added, "
        f"{summary['removed']} removed, {summary['changed']} changed."
    )
    for change in difference.framework_changes:
        click.echo(f"  Framework {change.label.lower()} changed.")
    for section in difference.changed_sections:
        click.echo(f"{section.title}:")
        for item in section.added:
            click.echo(f"  + {item.code}  {item.name}")
        for item in section.removed:
            click.echo(f"  - {item.code}  {item.name}")
        for changed in section.changed:
            fields = ", ".join(change.label.lower() for change in changed.fields)
            click.echo(f"  ~ {changed.code}  {changed.name} ({fields})")


@framework_cli.command("validate")
@FILE_ARGUMENT
@click.option(
    "--without-database",
    is_flag=True,
    help="Check only the file itself, not how it fits the versions already imported.",
)
def validate(file: Path, without_database: bool) -> None:
    """Check FILE and list every problem, each with where it is in the file."""
    text = _read(file)
    definition, problems = check_framework_text(text)
    if definition is not None and not without_database:
        with _database(required=False) as session:
            if session is None:
                click.echo("Not checked against the versions already imported. " + NOT_SET_UP)
            else:
                problems = lifecycle.problems_against_registered(session, definition)
    if problems or definition is None:
        _report_problems(file, problems)
        return
    click.echo(f"{file} is a valid framework file: {definition.name}, version {definition.version}.")
    click.echo(f"It holds {definition.describe_contents()}.")


@framework_cli.command("import")
@FILE_ARGUMENT
@click.option(
    "--programme",
    "programme_code",
    help="The code of the programme the framework belongs to (needed once the service runs several).",
)
def import_file(file: Path, programme_code: str | None) -> None:
    """Import FILE as a draft version, and show what it changes compared with the previous version."""
    text = _read(file)
    with _session() as session:
        programme = None
        if programme_code is not None:
            programme = programme_service.programme_by_code(session, programme_code)
            if programme is None:
                raise click.ClickException(f"There is no programme with the code {programme_code}.")
        try:
            with transaction(session):
                outcome = lifecycle.import_framework(
                    session, text, actor=None, filename=file.name, reason=COMMAND_LINE, programme=programme
                )
        except FrameworkFileInvalid as invalid:
            _report_problems(file, invalid.problems)
            return
        version = outcome.version
        action = "Replaced the draft" if outcome.replaced_draft else "Imported"
        click.echo(f"{action} version {version.version} of {version.framework.name} as a draft.")
        _echo_difference(outcome.difference)
        click.echo(
            f"To make it live: evidence-hub framework publish {version.framework.code} {version.version}"
        )


@framework_cli.command("publish")
@click.argument("name")
@click.argument("version", type=click.IntRange(min=1))
def publish(name: str, version: int) -> None:
    """Publish VERSION of the framework NAME (its name or code); the live version is retired."""
    with _session() as session:
        try:
            found = finding.find_version(session, name, version)
            live = found.framework.published_version
            with transaction(session):
                lifecycle.publish_version(session, found, actor=None, reason=COMMAND_LINE)
        except FrameworkError as error:
            raise click.ClickException(error.message) from error
        click.echo(f"Version {version} of {found.framework.name} is now live.")
        if live is not None:
            click.echo(f"Version {live.version} has been retired.")


@framework_cli.command("delete-draft")
@click.argument("name")
@click.argument("version", type=click.IntRange(min=1))
def delete_draft(name: str, version: int) -> None:
    """Delete the draft VERSION of the framework NAME. Published versions are never deleted."""
    with _session() as session:
        try:
            found = finding.find_version(session, name, version)
            framework_name = found.framework.name
            with transaction(session):
                lifecycle.delete_draft(session, found, actor=None, reason=COMMAND_LINE)
        except FrameworkError as error:
            raise click.ClickException(error.message) from error
        click.echo(f"Deleted the draft version {version} of {framework_name}.")


@framework_cli.command("add-periods")
@click.argument("name")
@click.option("--kind", type=click.Choice([kind.value for kind in PeriodKind]), required=True)
@click.option(
    "--first", "first_starts_on", required=True, help="First day of the first period, as YYYY-MM-DD."
)
@click.option("--count", type=click.IntRange(1, 120), required=True, help="How many periods to add.")
@click.option("--closed", type=click.IntRange(min=0), default=0, help="How many of them are already closed.")
def add_periods(name: str, kind: str, first_starts_on: str, count: int, closed: int) -> None:
    """Add reporting periods (quarters or months) to the framework NAME. Existing periods are kept."""
    try:
        first = date.fromisoformat(first_starts_on)
    except ValueError as error:
        raise click.BadParameter(
            "Give the date as YYYY-MM-DD, for example 2009-04-01.", param_hint="--first"
        ) from error
    with _session() as session:
        found = finding.find_framework(session, name)
        if found is None:
            raise click.ClickException(f"There is no framework called {name!r}.")
        try:
            with transaction(session):
                added = add_reporting_periods(
                    session,
                    found,
                    kind=PeriodKind(kind),
                    first_starts_on=first,
                    count=count,
                    closed_count=closed,
                    actor=None,
                    reason=COMMAND_LINE,
                )
        except FrameworkError as error:
            raise click.ClickException(error.message) from error
        click.echo(f"Added {len(added)} reporting period{'' if len(added) == 1 else 's'} to {found.name}.")
        for period in added:
            click.echo(f"  {period.name}: returns due by {date_uk(period.returns_due_on)} ({period.status})")


@framework_cli.command("list")
def list_frameworks() -> None:
    """List every framework with its versions and reporting periods."""
    with _session() as session:
        listed = finding.list_frameworks(session)
        if not listed:
            click.echo("No framework has been imported yet.")
            return
        for item in listed:
            click.echo(f"{item.name} (code: {item.code})")
            for version in item.versions:
                published = (
                    f", published {date_uk(version.published_at.date())}" if version.published_at else ""
                )
                click.echo(
                    f"  version {version.version}: {version.status}, takes effect from "
                    f"{date_uk(version.effective_from)}{published}"
                )
            periods = item.reporting_periods
            if periods:
                open_periods = sum(1 for period in periods if period.status == "open")
                click.echo(
                    f"  {len(periods)} reporting periods, {periods[0].name} to {periods[-1].name} "
                    f"({open_periods} open)"
                )
