"""`kb backup` while kb keeps writing, `kb restore` into a new instance: the index verifies clean
and every record equals the source's."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlmodel import Session, col, select

from kb import create_app, db
from kb.catalogue import practices, taxonomy
from kb.catalogue.data import PracticeData, SourceData
from kb.catalogue.reads import to_data
from kb.models import ChangeLog, Practice
from kb.search.service import reset
from tests.conftest import BASE_PRACTICE, CONTENT_DIR, POSTGRES_URL, _postgres_schema_url
from tests.writes import committed


def _data(n: int) -> PracticeData:
    values = {**BASE_PRACTICE, "slug": f"load-{n}", "title_en": f"Load practice number {n}"}
    values["sources"] = tuple(SourceData(*s) for s in values["sources"])
    return PracticeData(**values)


def _writes(app: Flask, stop: threading.Event, written: list[int]) -> None:
    """Create practices one by one until told to stop (append-only, so snapshots can be checked)."""
    engine = db.get_engine(app)
    n = 0
    while not stop.is_set():
        with Session(engine, expire_on_commit=False) as session:
            practice = committed(
                practices.create,
                session=session,
                index=None,
                data=_data(n),
                vocabulary=taxonomy.load(session),
                state="published",
            )
            written.append(practice.id or 0)
        n += 1


def _records(app: Flask) -> dict[str, Any]:
    with Session(db.get_engine(app)) as session:
        rows = session.exec(select(Practice).order_by(col(Practice.id))).all()
        changes = session.exec(select(ChangeLog.id, ChangeLog.practice_id)).all()
        return {
            "practices": {
                p.id: to_data(session, p).snapshot() | {"v": p.version} for p in rows
            },
            "changes": sorted(changes),
        }


@pytest.fixture
def new_instance_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database for the restored instance, on the same backend as the source."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    assert POSTGRES_URL
    name = f"kb_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    schema = database_url.split("search_path%3D", 1)[1]
    base = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield _postgres_schema_url(base, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_backup_under_write_load_restores_into_a_new_instance(
    seeded: Flask, tmp_path: Path, new_instance_url: str
) -> None:
    file = tmp_path / "backups" / "kb.backup"
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_writes, args=(seeded, stop, written))
    writer.start()
    try:
        while len(written) < 5:
            threading.Event().wait(0.05)
        result = seeded.test_cli_runner().invoke(args=["backup", str(file)])
        during = len(written)
        while len(written) < during + 5:
            threading.Event().wait(0.05)
    finally:
        stop.set()
        writer.join(60)
    assert result.exit_code == 0, result.output
    assert file.is_file() and not list(file.parent.glob(".*partial"))

    restored = create_app(
        {
            "TESTING": True,
            "KB_INSTANCE_DIR": str(tmp_path / "restored"),
            "KB_DATABASE_URL": new_instance_url,
            "KB_INDEX_DIR": str(tmp_path / "restored" / "index"),
            "KB_CONTENT_DIR": str(CONTENT_DIR),
        }
    )
    try:
        runner = restored.test_cli_runner()
        done = runner.invoke(args=["restore", str(file)])
        assert done.exit_code == 0, done.output
        verify = runner.invoke(args=["index", "verify"])
        assert verify.exit_code == 0, verify.output

        source, copy = _records(seeded), _records(restored)
        assert copy["practices"] and len(copy["practices"]) < len(source["practices"])
        # A consistent snapshot: every restored record equals the source's, and nothing older
        # than the newest restored record is missing.
        newest = max(copy["practices"])
        assert copy["practices"] == {i: r for i, r in source["practices"].items() if i <= newest}
        assert set(copy["changes"]) <= set(source["changes"])
        refused = runner.invoke(args=["restore", str(file)])
        assert refused.exit_code != 0 and "--force" in refused.output
        assert runner.invoke(args=["restore", "--force", str(file)]).exit_code == 0
    finally:
        reset(restored)
        db.get_engine(restored).dispose()
