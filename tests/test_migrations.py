"""The migration chain: one head, files numbered in chain order, and databases stamped by a release
from before the renumbering still upgrade."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from kb import db

SCRIPTS = ScriptDirectory(str(db.MIGRATIONS_DIR))

# The chain as releases before the renumbering applied it, by their old revision ids.
OLD_CHAIN = ["0001", "0002", "0003", "0004", "0007", "0006", "0005", "0009", "0008"]


def chain() -> list[str]:
    """The revision ids from the first migration to the head."""
    return [script.revision for script in reversed(list(SCRIPTS.walk_revisions()))]


def test_the_migrations_form_one_chain_numbered_in_order() -> None:
    assert len(SCRIPTS.get_heads()) == 1
    assert len(SCRIPTS.get_bases()) == 1
    revisions = chain()
    files = sorted(p.name for p in (db.MIGRATIONS_DIR / "versions").glob("*.py"))
    assert len(files) == len(revisions)  # no file outside the chain
    previous = None
    for position, revision in enumerate(revisions, start=1):
        script = SCRIPTS.get_revision(revision)
        assert script is not None and script.path is not None
        name = Path(script.path).name
        assert name == files[position - 1]
        assert re.fullmatch(r"\d{4}_[a-z0-9_]+\.py", name), name
        assert int(name[:4]) == position, f"{name} is migration {position} of the chain"
        # The id is the file name: a newcomer's down_revision is the last file's name.
        assert revision == name.removesuffix(".py")
        assert len(revision) <= 32  # Alembic's alembic_version.version_num is a VARCHAR(32)
        assert script.down_revision == previous
        # The header says the same as the code, for whoever reads the file.
        source = Path(script.path).read_text(encoding="utf-8")
        assert f"\nRevision ID: {revision}\n" in source
        assert f"\nRevises: {previous or ''}\n" in source
        previous = revision


def test_each_old_revision_id_maps_to_the_migration_at_its_place_in_the_chain() -> None:
    assert sorted(db.RENAMED_REVISIONS) == sorted(OLD_CHAIN)
    # Revisions added since the renumbering (0010 on) had no old id.
    assert [db.RENAMED_REVISIONS[old] for old in OLD_CHAIN] == chain()[: len(OLD_CHAIN)]
    assert not set(db.RENAMED_REVISIONS) & set(chain())  # the rewrite cannot apply twice


def _engine(database_url: str) -> Engine:
    return db.make_engine(database_url)


def _stamped(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _stamp(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def _schema(engine: Engine) -> dict[str, Any]:
    inspector = inspect(engine)
    return {
        table: (
            sorted(column["name"] for column in inspector.get_columns(table)),
            sorted(str(index["name"]) for index in inspector.get_indexes(table)),
        )
        for table in inspector.get_table_names()
    }


@pytest.mark.parametrize("old", OLD_CHAIN)
def test_a_database_stamped_with_an_old_revision_id_upgrades_to_head(
    database_url: str, old: str
) -> None:
    """A database left at old revision `old` by an earlier release: its schema is the new chain's
    at the migration that took `old`'s place; the upgrade renames the id and runs the rest."""
    engine = _engine(database_url)
    try:
        db.upgrade(engine)
        [head] = SCRIPTS.get_heads()
        at_head = _schema(engine)
        assert _stamped(engine) == [head]

        same = db.RENAMED_REVISIONS[old]
        if same != head:
            engine.dispose()
            command.downgrade(db.alembic_config(engine), same)
            assert _stamped(engine) == [same]
            assert _schema(engine) != at_head
        _stamp(engine, old)

        db.upgrade(engine)
        assert _stamped(engine) == [head]
        assert _schema(engine) == at_head
        db.upgrade(engine)  # again: nothing left to rename or run
        assert _stamped(engine) == [head]
    finally:
        engine.dispose()
