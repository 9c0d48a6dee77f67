"""The `kb` command line: thin calls into the domain."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import Engine

from indexer import IndexBusy
from kb import db, uow
from kb.cli import accounts as cli_accounts
from kb.cli import backup as cli_backup
from kb.cli import errors as cli_errors
from kb.cli import index as cli_index
from kb.cli import running_app
from kb.cli import webhooks as cli_webhooks
from kb.collections import files as collection_files
from kb.content.export import export
from kb.content.folder import ContentSet, ImportReport, apply, load
from kb.content.source import ContentError, ContentErrors
from kb.db import session_scope
from kb.distribution import exports
from kb.distribution.exports import csvfile, jsonfile
from kb.permissions import Actor
from kb.search import index_sync as search
from kb.search.service import get_index, reset
from kb.web.record_urls import practice_urls
from kb.web.urls import listening_warning


def init_app(app: Flask) -> None:
    """Register the kb commands on the app's CLI (the `kb` script and test runners use it)."""
    groups = (COMMANDS, cli_accounts.COMMANDS, cli_backup.COMMANDS, cli_index.COMMANDS,
              cli_webhooks.COMMANDS)
    for command in (command for group in groups for command in group):
        cli_errors.install(command)  # expected failures: one line, non-zero exit (--debug: trace)
        app.cli.add_command(command)



# --- database ---------------------------------------------------------------------------------


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest revision."""
    db.upgrade(db.get_engine(running_app()))
    click.echo("database schema is up to date")


# --- content ----------------------------------------------------------------------------------


def _report_errors(errors: list[ContentError]) -> None:
    for error in errors:
        click.echo(str(error), err=True)
    click.echo(f"{len(errors)} problem(s) found; nothing was imported.", err=True)


def _load(folder: Path) -> tuple[ContentSet, list[collection_files.CollectionFile]]:
    """A content folder and its collection files, every problem reported; exits on any."""
    try:
        loaded = load(folder)
    except ContentErrors as exc:
        _report_errors(exc.errors)
        sys.exit(1)
    errors: list[ContentError] = []
    slugs = [p.slug for p in loaded.practices]
    files = collection_files.load(folder, practice_slugs=slugs, errors=errors)
    if errors:
        _report_errors(errors)
        sys.exit(1)
    return loaded, files


@click.command("import")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the files and report problems; write nothing.")
@with_appcontext
def import_command(directory: Path | None, dry_run: bool) -> None:
    """Validate every file of DIRECTORY (default KB_CONTENT_DIR), then import all or nothing."""
    app = running_app()
    folder = directory or Path(app.config["KB_CONTENT_DIR"])
    loaded, files = _load(folder)
    if dry_run:
        click.echo(f"{len(loaded.practices)} practice(s) checked; no problem found.")
        return
    engine = db.get_engine(app)
    with cli_errors.exclusive(engine, "import"):  # the loser of two imports says so, at once
        db.upgrade(engine)
        report, counts = _import(app, loaded, files)
    click.echo(
        f"practices: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged; taxonomy terms: {report.terms[0]} created, "
        f"{report.terms[1]} updated; events: {report.events[0]} created, {report.events[1]} "
        f"updated; pages: {report.pages[0]} created, {report.pages[1]} updated; collections: "
        f"{counts.created} created, {counts.updated} updated, {counts.unchanged} unchanged"
    )


def _import(
    app: Flask, loaded: ContentSet, files: list[collection_files.CollectionFile]
) -> tuple[ImportReport, collection_files.ImportCounts]:
    engine = db.get_engine(app)
    actor = Actor.system("kb import")
    with session_scope(engine) as session:
        show_bar = len(loaded.practices) >= 20 and sys.stderr.isatty()
        with click.progressbar(
            length=len(loaded.practices),
            label="importing",
            file=sys.stderr,
            hidden=not show_bar,
        ) as bar:
            report = apply(
                session=session,
                actor=actor,
                content=loaded,
                progress=bar.update,
            )
        counts = collection_files.apply(session=session, actor=actor, files=files)
        uow.commit(session=session)
    # The taxonomy may have changed: reopen the index with the new synonyms, then catch up.
    reset(app)
    with session_scope(engine) as session:
        search.sync(session=session, index=get_index(session, app))
    return report, counts


@click.group("export")
def export_group() -> None:
    """Export the knowledge base."""


@export_group.command("markdown")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export_markdown(directory: Path) -> None:
    """Write all content to DIRECTORY in the canonical content/ format."""
    with session_scope(db.get_engine(running_app())) as session:
        count = export(session=session, directory=directory)
        kept = collection_files.export_all(session=session, directory=directory)
    click.echo(f"{count} practice(s) and {kept} collection(s) written to {directory}")


@export_group.command("json")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_json(file: Path) -> None:
    """Write the whole published catalogue to FILE as JSON (records plus a manifest)."""
    _export_catalogue(file, "json")


@export_group.command("csv")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--dialect", type=click.Choice(list(csvfile.DIALECTS)), default="standard", show_default=True
)
@with_appcontext
def export_csv(file: Path, dialect: str) -> None:
    """Write the whole published catalogue to FILE as CSV (UTF-8 with BOM)."""
    _export_catalogue(file, "csv", dialect=dialect)


def _export_catalogue(file: Path, fmt: str, dialect: str = "standard") -> None:
    app = running_app()
    # URLs are built by the web tier's one helper, inside a request context of the app.
    with app.test_request_context(), session_scope(db.get_engine(app)) as session:
        selection = exports.catalogue(session)
        batches = selection.batches(session, urls=practice_urls)
        if fmt == "json":
            chunks = jsonfile.render(exports.manifest(selection, url=None, fmt="json"), batches)
        else:
            chunks = csvfile.render(batches, dialect=dialect)
        with file.open("w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
    click.echo(f"{selection.count} practice(s) written to {file}")


# --- serving ----------------------------------------------------------------------------------


def prepare(app: Flask) -> None:
    """Make an instance ready to serve: schema, seed content when empty, index caught up."""
    engine = db.get_engine(app)
    with cli_errors.exclusive(engine, "import", wait=True):  # nodes starting together take turns
        _seed_if_empty(app, engine)
    with session_scope(engine) as session:
        index = get_index(session, app)
        search.sync(session=session, index=index, timeout=30.0)
        with contextlib.suppress(IndexBusy):
            index.merge_segments(timeout=5.0)


def _seed_if_empty(app: Flask, engine: Engine) -> None:
    empty = db.is_empty(engine)
    db.upgrade(engine)
    if empty or not search.published_practices_exist(engine):
        folder = Path(app.config["KB_CONTENT_DIR"])
        if folder.is_dir():
            report, _counts = _import(app, *_load(folder))
            click.echo(f"imported {report.created} practice(s) from {folder}")


def default_workers() -> int:
    """One process per core, at most 4 (each holds its own searcher and caches)."""
    return max(1, min(4, os.cpu_count() or 1))


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Threads per worker.")
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Worker processes on this index folder (default: the number of cores, at most 4).",
)
@with_appcontext
def serve(host: str, port: int, threads: int, workers: int | None) -> None:
    """Serve kb after preparing the instance: gunicorn workers, or waitress where gunicorn is
    not installed (one process)."""
    app = running_app()
    prepare(app)
    warning = listening_warning(app, host)
    if warning:
        click.echo(warning, err=True)
    count = max(1, workers if workers is not None else default_workers())
    try:
        from kb.cli.serve import serve_with_gunicorn
    except ImportError:
        serve_with_gunicorn = None  # type: ignore[assignment]
    if serve_with_gunicorn is None:
        import waitress

        if count > 1:
            click.echo("gunicorn is not installed: serving with one waitress process", err=True)
        click.echo(f"kb serving on http://{host}:{port}/ (waitress, {threads} threads)")
        waitress.serve(app, host=host, port=port, threads=threads, ident="kb")
        return
    click.echo(f"kb serving on http://{host}:{port}/ ({count} workers x {threads} threads)")
    serve_with_gunicorn(app, host=host, port=port, workers=count, threads=threads)


COMMANDS = (db_group, import_command, export_group, serve)
