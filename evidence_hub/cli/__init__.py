"""The `evidence-hub` command: demo, serve, db upgrade/downgrade, create-user, check, framework,
release audit, send-reminders, worker.

Each module here holds the commands of one topic; `main`, the console script's entry point, gathers them.
"""

from __future__ import annotations

import click

from evidence_hub.cli.accounts import create_user
from evidence_hub.cli.backups import backup, restore
from evidence_hub.cli.database import check, db_group
from evidence_hub.cli.emails import send_reminders
from evidence_hub.cli.framework import framework_cli
from evidence_hub.cli.releases import release_cli
from evidence_hub.cli.serving import demo, serve
from evidence_hub.cli.worker import worker


@click.group(help="Evidence Hub: evidence from policy pilot sites against one evaluation framework.")
def main() -> None:
    """Entry point of the console script."""


for command in (
    db_group,
    create_user,
    check,
    serve,
    demo,
    framework_cli,
    release_cli,
    backup,
    restore,
    worker,
    send_reminders,
):
    main.add_command(command)
