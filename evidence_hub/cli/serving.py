"""`evidence-hub serve`, and `evidence-hub demo`, which prepares the demo data and accounts first."""

from __future__ import annotations

import errno
import socket

import click
from flask import Flask

from evidence_hub import prepare_to_serve
from evidence_hub.cli.app import configured_app, engine_for, session_for
from evidence_hub.job_running import take_on_unfinished_jobs
from evidence_hub.services.accounts.two_factor import TwoFactorSettings
from evidence_hub.services.accounts.users import AccountSettings

DEMO_HOST = "127.0.0.1"
DEMO_PORT = 5000


@click.command("serve")
@click.option("--host", default=DEMO_HOST, show_default=True)
@click.option("--port", default=DEMO_PORT, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Serve on one machine with the built-in server (production uses gunicorn; see the README)."""
    require_free_port("serve", host, port)
    _serve(configured_app(), "serve", host, port)


def _port_in_use(command: str, host: str, port: int, error: OSError) -> click.ClickException:
    return click.ClickException(
        f"Cannot serve on {host}:{port}: {error.strerror or error}. Another program is probably using that "
        f"port. Stop it, or choose another port: evidence-hub {command} --port {port + 1}"
    )


def require_free_port(command: str, host: str, port: int) -> None:
    """Fail at once, naming --port, when the address cannot be served on: before minutes of preparation
    and before anything says the service is running."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as error:
        raise _port_in_use(command, host, port, error) from error


def _serve(app: Flask, command: str, host: str, port: int) -> None:
    from werkzeug.serving import make_server

    prepare_to_serve()
    try:
        # Bound here, before the message: "running at" is printed only once it is true.
        server = make_server(host, port, app, threaded=True)
    except OSError as error:
        raise _port_in_use(command, host, port, error) from None
    except SystemExit:
        # werkzeug exits when the address is taken (by another program since the check above).
        taken = OSError(errno.EADDRINUSE, "address already in use")
        raise _port_in_use(command, host, port, taken) from None
    take_on_unfinished_jobs(app)  # With SQLite: e.g. building the files of the demo's releases.
    click.echo(f"Evidence Hub is running at http://{host}:{port}/ (press Ctrl+C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        server.server_close()


@click.command("demo")
@click.option("--host", default=DEMO_HOST, show_default=True)
@click.option("--port", default=DEMO_PORT, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare the demo data and accounts, then stop.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Create or update the demo database (SQLite), print the demo accounts and serve."""
    from evidence_hub import demo as demo_data
    from evidence_hub import migrations
    from evidence_hub.demo_evidence import ensure_demo_evidence, ensure_demo_impact, ensure_demo_releases
    from evidence_hub.services.framework.demo import ensure_demo_framework

    if not no_serve:
        require_free_port("demo", host, port)
    app = configured_app()
    engine = engine_for(app)
    migrations.upgrade(engine)
    session = session_for(app)
    sites = demo_data.ensure_demo_sites(session)
    framework = ensure_demo_framework(session)
    demo_accounts = demo_data.ensure_demo_accounts(
        session, sites, app.instance_path, AccountSettings.from_config(app.config)
    )
    programmes = demo_data.ensure_demo_programmes(session, sites)
    if ensure_demo_evidence(session, framework):
        click.echo("Demo evidence created: eight quarters of returns for the three sites.")
    if ensure_demo_impact(session, framework):
        click.echo("Demo comparison areas and synthetic comparison series loaded for the three sites.")
    for reference in ensure_demo_releases(session, framework):
        click.echo(f"Demo release published: {reference}.")
    session.close()
    click.echo(f"Database: {engine.url.render_as_string(hide_password=True)}")
    click.echo("Demo accounts (email / password / role / programmes):")
    for account, password in demo_accounts:
        site = f", {sites[account.site_code].name}" if account.site_code else ""
        belongs = " and ".join(programmes[code].name for code in account.programmes) or "every programme"
        click.echo(f"  {account.email:46} {password:30} {account.role.label}{site}: {belongs}")
    required = TwoFactorSettings.from_config(app.config).required_roles
    if required:
        roles = " and ".join(sorted(f"{role.label.lower()}s" for role in required))
        click.echo(
            f"Two-factor sign-in: {roles} set up an authenticator app at their first sign-in (the set-up "
            "page shows a QR code and the key to type in), then enter its code each time they sign in."
        )
    if not no_serve:
        _serve(app, "demo", host, port)
