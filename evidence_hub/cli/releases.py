"""`evidence-hub release audit REFERENCE...`: the intruder's audit, on demand, of any set of releases."""

from __future__ import annotations

import click
from sqlalchemy import select

from evidence_hub.cli.framework import _session
from evidence_hub.models import Release
from evidence_hub.services.releases.protected_tables import audit_releases

release_cli = click.Group("release", help="Published releases: audit what an intruder could work out.")


@release_cli.command("audit")
@click.argument("references", nargs=-1, required=True)
def audit(references: tuple[str, ...]) -> None:
    """Audit every [c] of the releases REFERENCES, taken together, against an intruder holding all of them.

    Exits with status 1 when any [c] could be worked out exactly, narrowed to fewer values than the
    threshold, or shown to be a small non-empty group."""
    with _session() as session:
        releases = list(session.scalars(select(Release).where(Release.reference.in_(references))))
        missing = sorted(set(references) - {release.reference for release in releases})
        if missing:
            raise click.ClickException(f"There is no release {', '.join(missing)}.")
        result = audit_releases(session, releases)
    click.echo(
        f"{len(result.cells)} [c] in {', '.join(sorted(references))}, audited together "
        f"with a threshold of {result.threshold} "
        f"({result.lp_solves} LP and {result.milp_solves} integer solves)."
    )
    narrowest = result.narrowest
    if narrowest is not None and narrowest.width is not None:
        click.echo(f"Narrowest range: {narrowest.label}, {narrowest.lower} to {narrowest.upper}.")
    failures = result.failures
    for cell in failures:
        click.echo(f"  {cell.verdict.value.upper()}: {cell.reason}.")
    if failures:
        click.echo(f"{len(failures)} [c] could be worked out: the releases do not pass the audit.")
        raise click.exceptions.Exit(1)
    click.echo(
        "Passed: no [c] can be worked out exactly, shown to be a small non-empty group, or narrowed down "
        f"to fewer than {result.threshold} possible values."
    )
