"""Search: one box in the header; rooms, papers (every revision's text), comments,
discussions, meetings and agenda items, case studies, and confidential threads behind the
gate, found through the visible filters, kept up to date in the same transaction as the write
(`consult reindex` rebuilds it)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext


def register(app: Flask) -> None:
    """The blueprint, the index's flush listener, and `consult reindex`."""
    from consult.search import index, routes

    app.register_blueprint(routes.bp)
    index.install()
    app.cli.add_command(reindex)


@click.command("reindex")
@with_appcontext
def reindex() -> None:
    """Rebuild the search index from every searchable row (after an import or a key change)."""
    from consult.extensions import db
    from consult.search import index

    counts = index.rebuild(db.session, echo=click.echo)
    db.session.commit()
    click.echo(f"Search index rebuilt: {sum(counts.values())} rows.")
