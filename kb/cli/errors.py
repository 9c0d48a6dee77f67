"""Expected failures of `kb` commands as one line saying what to do, with a non-zero exit.

A full disk, a read-only instance, an unreachable database, a held lock or a concurrent import is
not a bug: the command prints `kb: <what happened>; <what to do>` and exits with status 75
(try again later) or 1; the traceback is shown only with `kb --debug …`. Anything unexpected is
one line too, with the hint to rerun with --debug.

`exclusive(engine, name)` serialises one kind of operation (an import) across processes and
nodes: an advisory lock on PostgreSQL, a file lock next to the SQLite file.
"""

from __future__ import annotations

import errno
import fcntl
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from indexer import IndexBusy
from kb.content.backup import BackupError
from kb.errors import Conflict

TRY_AGAIN = 75  # EX_TEMPFAIL: the same command will work once the other one is done
FAILED = 1
F = TypeVar("F", bound=Callable[..., Any])


class Busy(Exception):
    """Another process is doing the same operation right now."""


def describe(exc: BaseException) -> tuple[str, int] | None:
    """The one-line message and exit status of an expected failure, or None."""
    if isinstance(exc, Busy):
        return str(exc), TRY_AGAIN
    if isinstance(exc, BackupError):
        return str(exc), FAILED
    if isinstance(exc, IndexBusy):
        return (
            "the search index is busy (another process holds its writer lock); "
            "nothing was lost, run the command again in a moment",
            TRY_AGAIN,
        )
    if isinstance(exc, Conflict | IntegrityError):
        return (
            "another process changed the same records at the same time (a concurrent import or "
            "edit); nothing was written, run the command again",
            TRY_AGAIN,
        )
    if isinstance(exc, OSError):
        return _describe_os_error(exc)
    if isinstance(exc, OperationalError):
        return _describe_database_error(exc)
    if isinstance(exc, SQLAlchemyError):
        first = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
        return f"database error: {first}; nothing was written", FAILED
    return None


def _describe_os_error(exc: OSError) -> tuple[str, int]:
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno == errno.ENOSPC:
        return f"no space left on the device{where}; free some space and run again", FAILED
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return (
            f"the instance is read-only{where}: {exc.strerror}; run kb with a writable "
            "KB_INSTANCE_DIR / KB_INDEX_DIR, or fix the permissions",
            FAILED,
        )
    return f"{exc.strerror or exc}{where}", FAILED


def _describe_database_error(exc: OperationalError) -> tuple[str, int]:
    original = exc.orig
    message = str(original or exc).strip().splitlines()[0][:200]
    lowered = message.lower()
    if isinstance(original, sqlite3.OperationalError):
        if "locked" in lowered or "busy" in lowered:
            return (
                "the database is locked by another process; run the command again in a moment",
                TRY_AGAIN,
            )
        if "readonly" in lowered or "read-only" in lowered:
            return (
                "the database is read-only; make KB_DATABASE_URL's file and folder writable",
                FAILED,
            )
        if "disk" in lowered and "full" in lowered:
            return "no space left for the database; free some space and run again", FAILED
        if "unable to open" in lowered:
            return f"cannot open the database file: {message}; check KB_DATABASE_URL", FAILED
    return (
        f"cannot reach the database ({message}); check KB_DATABASE_URL and that the server is "
        "running",
        TRY_AGAIN,
    )


def _debugging() -> bool:
    """`kb --debug …` (FlaskGroup's own flag, which sets FLASK_DEBUG)."""
    ctx = click.get_current_context(silent=True)
    flag = ctx.find_root().params.get("debug") if ctx else None
    return bool(flag) or os.environ.get("FLASK_DEBUG") == "1"


def reporting(callback: F) -> F:
    """Wrap a command's callback: expected failures become one line and an exit status."""

    @functools.wraps(callback)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        try:
            return callback(*args, **kwargs)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            if _debugging():
                raise
            found = describe(exc)
            if found is None:
                message = f"unexpected error: {type(exc).__name__}: {str(exc)[:200]}"
                found = (f"{message} (run `kb --debug …` for the traceback)", FAILED)
            click.echo(f"kb: {found[0]}", err=True)
            raise SystemExit(found[1]) from None

    return wrapped  # type: ignore[return-value]


def install(command: click.Command) -> None:
    """Give `command` (and a group's subcommands) the one-line error reports."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            install(sub)
    if command.callback is not None and not getattr(command.callback, "_kb_reporting", False):
        command.callback = reporting(command.callback)
        command.callback._kb_reporting = True  # type: ignore[attr-defined]


@contextmanager
def exclusive(engine: Engine, name: str, *, wait: bool = False) -> Iterator[None]:
    """Hold the `name` lock for the whole operation; raise Busy at once if held (or wait)."""
    if engine.dialect.name == "postgresql":
        key = int.from_bytes(name.encode()[:8].ljust(8, b"\0"), "big") & 0x7FFFFFFFFFFFFFFF
        with engine.connect() as conn:
            sql = "SELECT pg_advisory_lock(:k), true" if wait else "SELECT pg_try_advisory_lock(:k)"
            got = conn.execute(text(sql), {"k": key}).all()[0][-1]
            conn.commit()
            if not got:
                raise Busy(_busy_message(name))
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                conn.commit()
        return
    database = engine.url.database or ""
    folder = Path(database).parent if database and database != ":memory:" else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / f".kb-{name}.lock", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(_busy_message(name)) from None
        yield
    finally:
        os.close(fd)


def _busy_message(name: str) -> str:
    return (
        f"another `kb {name}` is running on this database; nothing was written, wait for it to "
        "finish and run the command again"
    )
