"""The `consult` console command: migrate, seed the demo, create accounts, serve."""

from __future__ import annotations

import os

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from consult.extensions import db, socketio


def main() -> None:
    from consult import create_app

    group = FlaskGroup(create_app=create_app, help="consult: ATT consultations platform.")
    group(prog_name="consult")


def register(app: Flask) -> None:
    app.cli.add_command(init_db)
    app.cli.add_command(demo)
    app.cli.add_command(create_user)
    app.cli.add_command(serve)
    app.cli.add_command(purge_expired)


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema (through the migrations, never create_all)."""
    upgrade()
    click.echo("Database is up to date.")
    from consult.search import index

    # A database that had content before search existed (migration 0037 adds an empty index).
    if index.needs_rebuild(db.session):
        counts = index.rebuild(db.session)
        db.session.commit()
        click.echo(f"Search index built: {sum(counts.values())} rows.")


@click.command("demo")
@click.option("--once", is_flag=True, help="Do nothing if demo data is already there.")
@with_appcontext
def demo(once: bool) -> None:
    """Seed the realistic demo dataset (delegations, office holders, rooms)."""
    from consult import demo as demo_data
    from consult.accounts.models import Delegation

    if db.session.scalar(select(Delegation.id).limit(1)) is not None:
        if once:
            click.echo("Demo data already present; nothing to do.")
            return
        raise click.ClickException("The database already has data; use a fresh database.")
    counts = demo_data.seed(password=current_app.config["DEMO_PASSWORD"])
    db.session.commit()
    click.echo("Demo data seeded: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    click.echo("Every demo account's password is CONSULT_DEMO_PASSWORD (default consult-demo).")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--delegation", "delegation_name", required=True, help="Delegation name.")
@click.password_option()
@with_appcontext
def create_user(email: str, name: str, delegation_name: str, password: str) -> None:
    """Create an active account (for example the first Secretariat administrator)."""
    from consult.accounts import services
    from consult.accounts.models import Delegation, User

    delegation = db.session.scalars(
        select(Delegation).where(Delegation.name == delegation_name)
    ).first()
    if delegation is None:
        raise click.ClickException(f"No delegation named {delegation_name!r}.")
    if services.find_user_by_email(email):
        raise click.ClickException(f"{email} already has an account.")
    if len(password) < services.MIN_PASSWORD_LENGTH:
        raise click.ClickException(
            f"Use at least {services.MIN_PASSWORD_LENGTH} characters for the password."
        )
    user = User(
        delegation=delegation,
        name=name,
        email=email.strip().lower(),
        session_nonce=services.new_session_nonce(),
    )
    services.set_password(user, password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {user.email} in {delegation.name}.")


@click.command("purge-expired")
@with_appcontext
def purge_expired() -> None:
    """Remove confidential posts past their retention period, and kept text past its time
    (run it from cron)."""
    from consult import drafts
    from consult.threads.services import purge_expired as purge

    count = purge()
    kept = drafts.purge_expired()
    db.session.commit()
    click.echo(f"Purged {count} post(s) past their retention period.")
    click.echo(f"Purged {kept} kept text(s) past their time.")


@click.command("serve")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"))
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "5000")))
@with_appcontext
def serve(host: str, port: int) -> None:
    """Serve HTTP and Socket.IO (development and small deployments; see docs/deployment)."""
    click.echo(f"consult is serving at http://{host}:{port}")
    # Flask ignores app.run() inside its own CLI unless this marker is gone; serving is the point.
    os.environ.pop("FLASK_RUN_FROM_CLI", None)
    from consult import jobs

    app = current_app._get_current_object()
    socketio.start_background_task(jobs.run_forever, app)
    socketio.run(
        app,
        host=host,
        port=port,
        allow_unsafe_werkzeug=True,
        use_reloader=False,
        log_output=False,
    )
