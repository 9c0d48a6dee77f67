"""`kb backup` and `kb restore`: a consistent copy of the database while kb serves."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from kb import db
from kb.cli import running_app
from kb.content import backup
from kb.db import session_scope
from kb.search import index_sync as search
from kb.search.service import get_index, reset

# --- backups ----------------------------------------------------------------------------------


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Back the database up to FILE while kb keeps serving (SQLite backup API, or pg_dump)."""
    size = backup.backup(db.get_engine(running_app()), file)
    click.echo(f"database backed up to {file} ({size / 1e6:.1f} MB)")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds practices.")
@with_appcontext
def restore_command(file: Path, force: bool) -> None:
    """Restore the database from FILE (a `kb backup`), then rebuild this node's search index."""
    app = running_app()
    engine = db.get_engine(app)
    backup.restore(engine, file, force=force)
    db.upgrade(engine)  # a backup from an older release gets the newer schema
    reset(app)
    with session_scope(engine) as session:
        count = search.rebuild(session=session, index=get_index(session, app), procs=1)
    click.echo(f"database restored from {file}; index rebuilt: {count} published practice(s)")


COMMANDS = (backup_command, restore_command,)
