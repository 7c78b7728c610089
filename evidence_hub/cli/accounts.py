"""`evidence-hub create-user`: the way to make the first administrator."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from evidence_hub.cli.app import configured_app, session_for
from evidence_hub.db import transaction
from evidence_hub.models import Role, Site
from evidence_hub.services.accounts import users as accounts
from evidence_hub.services.accounts.users import AccountError, AccountSettings


@click.command("create-user")
@click.option("--email", required=True, help="Email address the user signs in with.")
@click.option("--name", "full_name", required=True, help="Full name.")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.ADMINISTRATOR.value,
    show_default=True,
)
@click.option("--site", "site_code", help="Code of the pilot site (site leads only).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email: str, full_name: str, role: str, site_code: str | None, password_stdin: bool) -> None:
    """Create a user: the way to make the first administrator (there is no default account)."""
    app = configured_app()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    session = session_for(app)
    site_id = None
    if site_code:
        site = session.scalar(select(Site).where(Site.code == site_code))
        if site is None:
            raise click.ClickException(f"There is no site with the code {site_code!r}.")
        site_id = site.id
    try:
        with transaction(session):
            user = accounts.create_user(
                session,
                actor=None,
                email=email,
                full_name=full_name,
                role=Role(role),
                password=password,
                settings=AccountSettings.from_config(app.config),
                site_id=site_id,
            )
    except AccountError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Created {user.role_label.lower()} {user.email}.")
