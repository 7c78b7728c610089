"""`evidence-hub backup FOLDER` and `evidence-hub restore FOLDER`: the database and every stored object."""

from __future__ import annotations

from pathlib import Path

import click

from evidence_hub.cli.app import configured_app, engine_for
from evidence_hub.services.common import backups
from evidence_hub.services.common.object_store import ObjectStore


def _stores() -> dict[str, ObjectStore]:
    from evidence_hub.storage import document_store

    return {"documents": document_store().objects}


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def backup(folder: Path) -> None:
    """Back up the database and every stored document into FOLDER (new or empty)."""
    from evidence_hub import migrations

    app = configured_app()
    engine = engine_for(app)
    with app.app_context():
        try:
            manifest = backups.back_up(engine, _stores(), folder, migrations.current_revision(engine))
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from error
    click.echo(
        f"Backed up the {manifest.engine} database (schema {manifest.schema_revision}) and "
        f"{len(manifest.object_names('documents'))} documents into {folder}."
    )


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore(folder: Path) -> None:
    """Restore a backup from FOLDER into the configured (empty) database and document store."""
    app = configured_app()
    with app.app_context():
        try:
            manifest = backups.restore(engine_for(app), _stores(), folder)
        except backups.BackupError as error:
            raise click.ClickException(str(error)) from error
    click.echo(
        f"Restored the backup taken at {manifest.taken_at} (schema {manifest.schema_revision}) and "
        f"{len(manifest.object_names('documents'))} documents. Run `evidence-hub db upgrade` if this version "
        "is newer, then `evidence-hub check`."
    )
