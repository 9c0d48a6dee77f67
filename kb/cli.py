"""The `kb` command line: thin calls into the domain."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import Engine

from indexer import IndexBusy
from kb import (
    backup,
    cli_accounts,
    cli_errors,
    collection_files,
    content,
    db,
    exports,
    search,
    uow,
    webhooks,
)
from kb.db import session_scope
from kb.errors import ValidationError
from kb.exports import csvfile, jsonfile
from kb.index_ext import get_index, reset
from kb.permissions import Actor
from kb.views.urls import practice_urls, record_url


def init_app(app: Flask) -> None:
    """Register the kb commands on the app's CLI (the `kb` script and test runners use it)."""
    commands = (
        db_group, import_command, export_group, index_group, serve, backup_command,
        restore_command, webhook_group,
    )
    for command in (*commands, *cli_accounts.COMMANDS):
        cli_errors.install(command)  # expected failures: one line, non-zero exit (--debug: trace)
        app.cli.add_command(command)


def _app() -> Flask:
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return app


# --- database ---------------------------------------------------------------------------------


@click.group("db")
def db_group() -> None:
    """Database schema commands."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest revision."""
    db.upgrade(db.get_engine(_app()))
    click.echo("database schema is up to date")


# --- content ----------------------------------------------------------------------------------


def _report_errors(errors: list[content.ContentError]) -> None:
    for error in errors:
        click.echo(str(error), err=True)
    click.echo(f"{len(errors)} problem(s) found; nothing was imported.", err=True)


def _load(folder: Path) -> tuple[content.ContentSet, list[collection_files.CollectionFile]]:
    """A content folder and its collection files, every problem reported; exits on any."""
    try:
        loaded = content.load(folder)
    except content.ContentErrors as exc:
        _report_errors(exc.errors)
        sys.exit(1)
    errors: list[content.ContentError] = []
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
    app = _app()
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
    app: Flask, loaded: content.ContentSet, files: list[collection_files.CollectionFile]
) -> tuple[content.ImportReport, collection_files.ImportCounts]:
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
            report = content.apply(
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
    with session_scope(db.get_engine(_app())) as session:
        count = content.export(session=session, directory=directory)
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
    app = _app()
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


# --- webhooks ---------------------------------------------------------------------------------


@click.group("webhook")
def webhook_group() -> None:
    """Webhooks: signed POSTs of every public change (admins also use /<lang>/admin/webhooks)."""


@webhook_group.command("add")
@click.argument("url")
@click.option("--secret-stdin", is_flag=True, required=True, help="Read the secret from stdin.")
@with_appcontext
def webhook_add(url: str, secret_stdin: bool) -> None:
    """Register URL; the secret (16+ characters) is read from standard input, never argv."""
    secret = sys.stdin.readline().strip() if secret_stdin else ""
    with session_scope(db.get_engine(_app())) as session:
        try:
            hook = webhooks.add(
                session=session, actor=Actor.system("kb webhook add"), url=url, secret=secret
            )
        except ValidationError as exc:
            click.echo(f"webhook not added: {exc.message}", err=True)
            sys.exit(1)
        uow.commit(session=session)
        click.echo(f"webhook {hook.id} added for {hook.url} (changes after {hook.cursor})")


@webhook_group.command("list")
@with_appcontext
def webhook_list() -> None:
    """List webhooks with their pending deliveries and last failure."""
    with session_scope(db.get_engine(_app())) as session:
        for row in webhooks.status(session):
            retry = f", next try {row.next_attempt_at.isoformat()}" if row.next_attempt_at else ""
            error = f", last error: {row.last_error}" if row.last_error else ""
            click.echo(
                f"{row.webhook.id}\t{row.webhook.url}\tcursor {row.webhook.cursor}\t"
                f"{row.delivered} delivered, {row.pending} pending{error}{retry}"
            )


@webhook_group.command("deliver")
@with_appcontext
def webhook_deliver() -> None:
    """Queue the new public changes for every webhook and send what is due (run from cron)."""
    app = _app()
    with app.test_request_context(), session_scope(db.get_engine(app)) as session:
        queued = webhooks.enqueue(
            session=session, urls=practice_urls, collection_url=record_url
        )
        report = webhooks.deliver(session=session)
    click.echo(
        f"{queued} queued; {report.delivered} delivered, {report.failed} failed, "
        f"{report.waiting} waiting"
    )


# --- search index -----------------------------------------------------------------------------


@click.group("index")
def index_group() -> None:
    """Search index commands."""


@index_group.command("sync")
@with_appcontext
def index_sync() -> None:
    """Apply the change-log rows this node's index has not applied yet."""
    app = _app()
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
    app = _app()
    with session_scope(db.get_engine(app)) as session:
        count = search.rebuild(session=session, index=get_index(session, app), procs=procs)
    click.echo(f"index rebuilt: {count} published practice(s)")


@index_group.command("verify")
@with_appcontext
def index_verify() -> None:
    """Compare the database and the index; exit 1 on any difference."""
    app = _app()
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
    app = _app()
    with session_scope(db.get_engine(app)) as session:
        get_index(session, app).optimize()
    click.echo("index optimized")


# --- backups ----------------------------------------------------------------------------------


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Back the database up to FILE while kb keeps serving (SQLite backup API, or pg_dump)."""
    size = backup.backup(db.get_engine(_app()), file)
    click.echo(f"database backed up to {file} ({size / 1e6:.1f} MB)")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds practices.")
@with_appcontext
def restore_command(file: Path, force: bool) -> None:
    """Restore the database from FILE (a `kb backup`), then rebuild this node's search index."""
    app = _app()
    engine = db.get_engine(app)
    backup.restore(engine, file, force=force)
    db.upgrade(engine)  # a backup from an older release gets the newer schema
    reset(app)
    with session_scope(engine) as session:
        count = search.rebuild(session=session, index=get_index(session, app), procs=1)
    click.echo(f"database restored from {file}; index rebuilt: {count} published practice(s)")


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
    app = _app()
    prepare(app)
    count = max(1, workers if workers is not None else default_workers())
    try:
        from kb.gunicorn_app import serve_with_gunicorn
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
