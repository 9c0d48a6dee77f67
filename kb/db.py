"""The database engine of an app and schema migrations (Alembic); the request's session is
kb.web.database's."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, event, inspect, text
from sqlmodel import Session, create_engine

from kb.text.unicode import read_json

if TYPE_CHECKING:
    from alembic.config import Config
    from flask import Flask

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_engine(url: str, **options: Any) -> Engine:
    """Create an engine with the settings each backend needs to be safe under concurrency."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Pooled: opening a connection and setting its pragmas on every request costs more than
        # the query. Each process builds its own engine in create_app, so nothing crosses a fork.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            json_deserializer=read_json,
            **options,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, json_deserializer=read_json, **options)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers go on while a writer commits; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    """Alembic's configuration for kb's migrations on this engine."""
    # Alembic (and every SQL dialect it registers, ~0.2 s) loads when migrations run, not with kb.
    # Loaded after logging is set up, it would name each of its built-in plugins at INFO: noise
    # before the one line a `kb` command prints.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


# The revision ids of releases before the migrations were renumbered in chain order. The files
# had been numbered in the order they were written, not applied (0004 → 0007 → 0006 → 0005 → 0009
# → 0008), so the next file's number made a second head. A database migrated by such a release
# holds one of these ids; `upgrade` rewrites it to the id of the same migration first. Today's
# ids are the file names, so no old id is a new one and the rewrite can never apply twice; left
# alone, Alembic would read an old "0005" (moderation) as a prefix of "0005_taxonomy_narrower".
RENAMED_REVISIONS: dict[str, str] = {
    "0001": "0001_initial_schema",
    "0002": "0002_accounts",
    "0003": "0003_bilingual_practices",
    "0004": "0004_webhooks",
    "0007": "0005_taxonomy_narrower",
    "0006": "0006_collections",
    "0005": "0007_moderation",
    "0009": "0008_page_edits",
    "0008": "0009_webhook_collections",
}


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision` (creating it on an empty database)."""
    with engine.begin() as connection:
        _rename_old_revisions(connection)
    config = alembic_config(engine)
    from alembic import command

    command.upgrade(config, revision)


def _rename_old_revisions(connection: Connection) -> None:
    if not inspect(connection).has_table("alembic_version"):
        return
    stamped = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    for old in list(stamped):
        if old in RENAMED_REVISIONS:
            connection.execute(
                text("UPDATE alembic_version SET version_num = :new WHERE version_num = :old"),
                {"new": RENAMED_REVISIONS[old], "old": old},
            )


def is_empty(engine: Engine) -> bool:
    """True when the schema has not been created yet."""
    return not inspect(engine).has_table("practice")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session for CLI commands and background work; rolled back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise


def get_engine(app: Flask) -> Engine:
    engine: Engine = app.extensions["kb.engine"]
    return engine
