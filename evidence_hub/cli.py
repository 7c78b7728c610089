"""The `evidence-hub` command: demo, serve, db upgrade/downgrade, create-user, check, framework."""

from __future__ import annotations

import sys
from typing import Any

import click
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from evidence_hub import create_app, prepare_to_serve
from evidence_hub.config import ConfigurationError
from evidence_hub.db import transaction
from evidence_hub.framework.commands import framework_cli
from evidence_hub.models import Role, Site
from evidence_hub.services.accounts import users as accounts
from evidence_hub.services.accounts.users import AccountError, AccountSettings

DEMO_HOST = "127.0.0.1"
DEMO_PORT = 5000


def _app(**overrides: Any) -> Flask:
    try:
        return create_app(overrides or None)
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from error


def _session(app: Flask) -> Session:
    return app.extensions["evidence_hub.session_factory"]()


def _engine(app: Flask) -> Any:
    return app.extensions["evidence_hub.engine"]


@click.group(help="Evidence Hub: evidence from policy pilot sites against one evaluation framework.")
def main() -> None:
    """Entry point of the console script."""


@main.group("db", help="Database schema migrations (Alembic).")
def db_group() -> None:
    """Group of database commands."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Migrate the database up to REVISION (default: the latest)."""
    from evidence_hub import migrations

    app = _app()
    migrations.upgrade(_engine(app), revision)
    click.echo(f"Database is at revision {migrations.current_revision(_engine(app))}.")


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Migrate the database down to REVISION ('base' removes every table)."""
    from evidence_hub import migrations

    app = _app()
    migrations.downgrade(_engine(app), revision)
    click.echo(f"Database is at revision {migrations.current_revision(_engine(app)) or 'base'}.")


@db_group.command("current")
def db_current() -> None:
    """Show the revision the database is at."""
    from evidence_hub import migrations

    click.echo(migrations.current_revision(_engine(_app())) or "base (no tables)")


@main.command("create-user")
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
    app = _app()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    session = _session(app)
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


@main.command("check")
def check() -> None:
    """Check the configuration and the database; exit 1 when something needs attention."""
    from evidence_hub import migrations

    app = _app()
    engine = _engine(app)
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
    if not app.config["SESSION_COOKIE_SECURE"] and app.config["ENV"] == "production":
        problems.append("EVIDENCE_HUB_SESSION_COOKIE_SECURE should be true when served over HTTPS.")
    for problem in problems:
        click.echo(f"Problem:      {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo("Everything is in order.")


@main.command("serve")
@click.option("--host", default=DEMO_HOST, show_default=True)
@click.option("--port", default=DEMO_PORT, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve on one machine with the built-in server (production uses gunicorn; see the README)."""
    _serve(_app(), host, port)


def _serve(app: Flask, host: str, port: int) -> None:
    from werkzeug.serving import run_simple

    prepare_to_serve()
    click.echo(f"Evidence Hub is running at http://{host}:{port}/ (press Ctrl+C to stop)")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


@main.command("demo")
@click.option("--host", default=DEMO_HOST, show_default=True)
@click.option("--port", default=DEMO_PORT, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare the demo data and accounts, then stop.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Create or update the demo database (SQLite), print the demo accounts and serve."""
    from evidence_hub import demo as demo_data
    from evidence_hub import migrations
    from evidence_hub.demo_evidence import ensure_demo_evidence, ensure_demo_releases
    from evidence_hub.services.framework.demo import ensure_demo_framework

    app = _app()
    engine = _engine(app)
    migrations.upgrade(engine)
    session = _session(app)
    sites = demo_data.ensure_demo_sites(session)
    framework = ensure_demo_framework(session)
    demo_accounts = demo_data.ensure_demo_accounts(
        session, sites, app.instance_path, AccountSettings.from_config(app.config)
    )
    if ensure_demo_evidence(session, framework):
        click.echo("Demo evidence created: eight quarters of returns for the three sites.")
    for reference in ensure_demo_releases(session, framework):
        click.echo(f"Demo release published: {reference}.")
    session.close()
    click.echo(f"Database: {engine.url.render_as_string(hide_password=True)}")
    click.echo("Demo accounts (email / password / role):")
    for account, password in demo_accounts:
        site = f", {sites[account.site_code].name}" if account.site_code else ""
        click.echo(f"  {account.email:42} {password:30} {account.role.label}{site}")
    if not no_serve:
        _serve(app, host, port)


main.add_command(framework_cli)
