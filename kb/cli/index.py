"""`kb index`: sync, rebuild, verify and optimize this node's search index."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from indexer import IndexBusy
from kb import db
from kb.cli import running_app
from kb.db import session_scope
from kb.search import index_sync as search
from kb.search.service import get_index

# --- search index -----------------------------------------------------------------------------


@click.group("index")
def index_group() -> None:
    """Search index commands."""


@index_group.command("sync")
@with_appcontext
def index_sync() -> None:
    """Apply the change-log rows this node's index has not applied yet."""
    app = running_app()
    with session_scope(db.get_engine(app)) as session:
        index = get_index(session, app)
        before = index.last_change_id()
        after = search.sync(session=session, index=index, timeout=30.0)
        # Publishing commits never merge; fold the small segments here, off the request path.
        try:
            index.merge_segments(timeout=30.0)
        except IndexBusy:
            click.echo("index busy: small segments left for the next sync", err=True)
    click.echo(f"index at change {after} (was {before})")


@index_group.command("rebuild")
@click.option("--procs", default=2, show_default=True, help="Indexing processes.")
@with_appcontext
def index_rebuild(procs: int) -> None:
    """Rebuild the index from the database into a new folder and swap it in."""
    app = running_app()
    with session_scope(db.get_engine(app)) as session:
        count = search.rebuild(session=session, index=get_index(session, app), procs=procs)
    click.echo(f"index rebuilt: {count} published practice(s)")


@index_group.command("verify")
@with_appcontext
def index_verify() -> None:
    """Compare the database and the index; exit 1 on any difference."""
    app = running_app()
    with session_scope(db.get_engine(app)) as session:
        index = get_index(session, app)
        search.sync(session=session, index=index, timeout=30.0)
        report = search.verify(session=session, index=index)
    for name in ("missing", "stale", "extra", "duplicated"):
        ids = getattr(report, name)
        click.echo(
            f"{name}: {len(ids)}" + (f" (ids {', '.join(map(str, ids[:20]))})" if ids else "")
        )
    click.echo(f"wrong answers: {len(report.searches)}")
    for line in report.searches[:20]:
        click.echo(f"  {line}")
    if not report.ok:
        click.echo("index differs from the database; run `kb index rebuild`", err=True)
        sys.exit(1)
    click.echo("index matches the database")


@index_group.command("optimize")
@with_appcontext
def index_optimize() -> None:
    """Merge the index's segments (run off-peak)."""
    app = running_app()
    with session_scope(db.get_engine(app)) as session:
        get_index(session, app).optimize()
    click.echo("index optimized")


COMMANDS = (index_group,)
