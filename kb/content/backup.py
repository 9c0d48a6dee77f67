"""Backups of the database (the source of truth; the index is rebuilt from it after a restore).

SQLite: the online backup API copies a consistent snapshot while the app keeps writing, into a
temporary file renamed into place, so a failed backup never leaves a half-written FILE.
PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean --if-exists`, run when they are on
the PATH (the same commands can be run by hand, see the README). A restore refuses to overwrite a
database that holds practices unless `force` is given.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import unquote

from sqlalchemy import Engine, func, inspect, text
from sqlalchemy.engine import URL
from sqlmodel import Session, select

from kb.models import Practice

# All pages in one step, under one read transaction: a consistent snapshot that WAL lets writers
# go on beside. Copying in steps would restart whenever another connection writes, so under
# steady writes it might never finish.
PAGES_PER_STEP = -1


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says what to do."""


def backup(engine: Engine, target: Path) -> int:
    """Write a backup of the database to `target`; return its size in bytes."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        if engine.dialect.name == "sqlite":
            _sqlite_copy(_sqlite_path(engine.url), partial)
        elif engine.dialect.name == "postgresql":
            _run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}"], engine.url)
        else:
            raise BackupError(f"no backup method for the {engine.dialect.name} database")
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def restore(engine: Engine, source: Path, *, force: bool = False) -> None:
    """Replace the database's content with the backup `source`."""
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    if not force and holds_practices(engine):
        raise BackupError(
            "the database already holds practices; restoring would overwrite them "
            "(use --force to replace them)"
        )
    if engine.dialect.name == "sqlite":
        engine.dispose()  # no pooled connection may keep the old pages
        _sqlite_check(source)
        _sqlite_copy(source, Path(_sqlite_path(engine.url)))
    elif engine.dialect.name == "postgresql":
        _create_schema(engine)
        command = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction"]
        _run([*command, str(source)], engine.url)
        engine.dispose()
    else:
        raise BackupError(f"no restore method for the {engine.dialect.name} database")


def holds_practices(engine: Engine) -> bool:
    if not inspect(engine).has_table("practice"):
        return False
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(Practice)).one()) > 0


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _sqlite_check(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            if conn.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise BackupError(f"{path} is not a sound SQLite backup")
            conn.execute("SELECT count(*) FROM practice").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a kb SQLite backup ({exc})") from exc


def _sqlite_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst, pages=PAGES_PER_STEP)
    finally:
        dst.close()
        src.close()


def libpq_url(url: URL) -> tuple[str, dict[str, str]]:
    """The libpq connection URI of a SQLAlchemy URL, and environment (password, options)."""
    env: dict[str, str] = {}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    query = {k: v if isinstance(v, str) else v[-1] for k, v in url.query.items()}
    if "options" in query:
        env["PGOPTIONS"] = unquote(query.pop("options"))
    plain = url.set(drivername="postgresql", password=None, query=query)
    return plain.render_as_string(hide_password=False), env


def _schema(options: str) -> str | None:
    """The schema a `-csearch_path=x` option selects (the test suite gives each test one)."""
    for part in options.split():
        if part.startswith("-csearch_path="):
            return part.split("=", 1)[1].split(",")[0]
    return None


def _create_schema(engine: Engine) -> None:
    """A `--schema` restore creates tables, not the schema they go in: make sure it exists."""
    schema = _schema(libpq_url(engine.url)[1].get("PGOPTIONS", ""))
    if schema:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))


def _run(command: list[str], url: URL) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not on the PATH; install the PostgreSQL client tools "
            "(same major version as the server) or run the README's commands by hand"
        )
    uri, env = libpq_url(url)
    schema = _schema(env.get("PGOPTIONS", ""))
    if schema:
        command.append(f"--schema={schema}")
    done = subprocess.run(
        [*command, f"--dbname={uri}"], env={**os.environ, **env}, capture_output=True, text=True
    )
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["failed"])[0]
        raise BackupError(f"{command[0]} failed: {first}")
