"""The test databases are what the migrations make: the fixtures copy a migrated template."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, inspect, text

from kb import db
from tests.conftest import POSTGRES_URL, _postgres_schema_url


def _schema(engine: Engine) -> dict[str, Any]:
    """Everything Alembic creates, as the inspector sees it, and the revision."""
    found = inspect(engine)
    tables: dict[str, Any] = {}
    for table in sorted(found.get_table_names()):
        tables[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in found.get_columns(table)
            ],
            "primary key": found.get_pk_constraint(table),
            "foreign keys": sorted(map(repr, found.get_foreign_keys(table))),
            "indexes": sorted(map(repr, found.get_indexes(table))),
            "unique": sorted(map(repr, found.get_unique_constraints(table))),
            "checks": sorted(map(repr, found.get_check_constraints(table))),
        }
    with engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    return {"tables": tables, "revision": revision}


def test_a_test_database_is_the_migrated_schema(database_url: str, tmp_path: Path) -> None:
    given = db.make_engine(database_url)
    if database_url.startswith("sqlite"):
        migrated = db.make_engine(f"sqlite:///{tmp_path / 'migrated-now.sqlite3'}")
        db.upgrade(migrated)
        try:
            assert _schema(given) == _schema(migrated)
        finally:
            given.dispose()
            migrated.dispose()
        return
    assert POSTGRES_URL
    schema = f"kb_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    migrated = db.make_engine(_postgres_schema_url(POSTGRES_URL, schema))
    try:
        db.upgrade(migrated)
        assert _schema(given) == _schema(migrated)
    finally:
        given.dispose()
        migrated.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
