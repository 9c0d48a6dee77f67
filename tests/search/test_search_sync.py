"""The public index follows the database through the change log: at once, across nodes and
processes, through busy locks, crashes and rebuilds."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session
from whoosh import index as whoosh_index

from indexer import Query
from kb import db
from kb.catalogue import practices, taxonomy
from kb.catalogue.reads import get_by_slug, to_data
from kb.search import index_sync as search
from kb.search.service import get_index
from tests.writes import committed

ROOT = Path(__file__).resolve().parents[2]


def found(session: Session, index: Any, text: str) -> list[str]:
    return [
        p.slug
        for p in search.search(session=session, index=index, query=Query(text=text)).practices
    ]


def test_publishing_makes_a_practice_searchable_at_once(
    make_practice: Callable[..., Any], session: Session, index: Any
) -> None:
    practice = make_practice(state="submitted", title_en="Zanzibar listening circles")
    assert found(session, index, "zanzibar") == []
    committed(
        practices.set_state,
        session=session,
        index=index,
        practice_id=practice.id,
        state="published",
        expected_version=1,
    )
    assert found(session, index, "zanzibar") == [practice.slug]


def test_a_draft_never_reaches_the_public_index(
    make_practice: Callable[..., Any], session: Session, index: Any
) -> None:
    make_practice(state="draft", title_en="Quetzal neighbourhood forum")
    assert found(session, index, "quetzal") == []
    assert index.doc_count() == 0


def test_archiving_removes_a_practice_from_search(
    make_practice: Callable[..., Any], session: Session, index: Any
) -> None:
    practice = make_practice(title_en="Okapi youth mediation")
    committed(
        practices.set_state,
        session=session,
        index=index,
        practice_id=practice.id,
        state="archived",
        expected_version=1,
    )
    assert found(session, index, "okapi") == []


def test_an_edit_is_searchable_at_once(
    make_practice: Callable[..., Any], session: Session, index: Any
) -> None:
    practice = make_practice()
    data = replace(to_data(session, practice), title_en="Narwhal dialogue nights")
    committed(
        practices.update,
        session=session,
        index=index,
        practice_id=practice.id,
        data=data,
        expected_version=1,
        vocabulary=taxonomy.load(session),
    )
    assert found(session, index, "narwhal") == [practice.slug]


def test_a_busy_index_delays_an_update_and_never_loses_it(
    make_practice: Callable[..., Any], session: Session, index: Any, app: Flask
) -> None:
    held = whoosh_index.open_dir(str(Path(app.config["KB_INDEX_DIR"]) / "current")).writer()
    try:
        practice = make_practice(title_en="Axolotl community radio")  # commits despite the lock
        assert search.latest_change_id(session) > index.last_change_id()
    finally:
        held.cancel()
    assert found(session, index, "axolotl") == [practice.slug]  # caught up before searching
    assert search.verify(session=session, index=index).ok


def test_two_nodes_with_their_own_index_folders_converge(
    make_app: Callable[..., Flask],
    tmp_path: Path,
    vocabulary_loaded: Any,
    make_practice: Callable[..., Any],
    session: Session,
    index: Any,
) -> None:
    practice = make_practice(title_en="Pangolin street festival")
    other_node = make_app(KB_INDEX_DIR=str(tmp_path / "node-b-index"))
    with Session(db.get_engine(other_node)) as other_session:
        other_index = get_index(other_session, other_node)
        assert found(other_session, other_index, "pangolin") == [practice.slug]
        committed(
            practices.set_state,
            session=other_session,
            index=other_index,
            practice_id=practice.id,
            state="archived",
            expected_version=practice.version,
        )
    assert found(session, index, "pangolin") == []  # node A catches up from the log


WRITER = """
import sys
from kb import create_app, db, uow
from kb.catalogue import practices, taxonomy
from kb.catalogue.data import PracticeData, SourceData
from kb.permissions import Actor
from kb.search.service import get_index
from sqlmodel import Session

app = create_app()
worker, count = sys.argv[1], int(sys.argv[2])
with Session(db.get_engine(app), expire_on_commit=False) as session:
    index = get_index(session, app)
    vocabulary = taxonomy.load(session)
    for i in range(count):
        practices.create(session=session, actor=Actor.system("worker"), vocabulary=vocabulary,
            state="published",
            data=PracticeData(slug=f"w{worker}-{i}", title_fr=f"Pratique {worker} {i}",
                title_en=f"Practice {worker} {i} wombat",
                summary_fr="Résumé.", summary_en="Summary.",
                language="en", cities=("Testville",), country="FR", themes=("hate",),
                lead_organisation="City", status="ongoing", evidence_level="none-found",
                sources=(SourceData("Source", "https://example.org/s"),)))
        uow.commit(session=session, index=index)
"""


def _env(app: Flask) -> dict[str, str]:
    env = dict(os.environ)
    for key in ("KB_INSTANCE_DIR", "KB_DATABASE_URL", "KB_INDEX_DIR", "KB_CONTENT_DIR"):
        env[key] = str(app.config[key])
    env["KB_SECRET_KEY"] = "test"
    return env


@pytest.mark.slow
def test_two_processes_writing_to_one_index_converge(
    app: Flask, vocabulary_loaded: Any, session: Session
) -> None:
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, name, "12"],
            env=_env(app),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in ("a", "b")
    ]
    outputs = [w.communicate(timeout=240)[0] for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    index = get_index(session, app)
    search.sync(session=session, index=index)
    assert search.verify(session=session, index=index).ok
    results = search.search(session=session, index=index, query=Query(text="wombat", per_page=100))
    assert results.results.total == 24


def kb_cli(app: Flask, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kb.cli", *args],
        env=_env(app),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_verify_reports_differences_and_rebuild_repairs_them(
    seeded: Flask, runner: Any, session: Session, index: Any
) -> None:
    assert runner.invoke(args=["index", "verify"]).exit_code == 0
    victim = get_by_slug(session, "aarhus-model")
    # Damage the index behind the change log's back: sync cannot see it, verify must.
    writer = whoosh_index.open_dir(str(Path(seeded.config["KB_INDEX_DIR"]) / "current")).writer()
    writer.delete_by_term("id", str(victim.id))
    writer.commit()
    result = runner.invoke(args=["index", "verify"])
    assert result.exit_code == 1 and f"missing: 1 (ids {victim.id})" in result.output
    assert runner.invoke(args=["index", "rebuild"]).exit_code == 0
    assert runner.invoke(args=["index", "verify"]).exit_code == 0


def test_a_missing_index_is_rebuilt_at_start_up(
    seeded: Flask, make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    fresh = make_app(KB_INDEX_DIR=str(tmp_path / "never-built"))
    with Session(db.get_engine(fresh)) as session:
        index = get_index(session, fresh)
        assert index.doc_count() == 37 or index.doc_count() > 30
        assert search.verify(session=session, index=index).ok


def test_a_corrupt_index_is_rebuilt_at_start_up(
    seeded: Flask, make_app: Callable[..., Flask]
) -> None:
    current = Path(seeded.config["KB_INDEX_DIR"]) / "current"
    for path in current.resolve().iterdir():
        if path.suffix in (".toc", ".seg"):
            path.write_bytes(b"garbage")
    restarted = make_app()
    with Session(db.get_engine(restarted)) as session:
        index = get_index(session, restarted)
        assert search.verify(session=session, index=index).ok
        assert found(session, index, "Aarhus")


@pytest.mark.slow
def test_a_rebuild_killed_midway_leaves_search_serving_and_verify_clean_after_restart(
    seeded: Flask, make_app: Callable[..., Flask]
) -> None:
    index_dir = Path(seeded.config["KB_INDEX_DIR"])
    killed = False
    for _attempt in range(5):  # a fast machine may finish a small rebuild before the kill lands
        before = set(index_dir.glob("gen-*"))
        rebuild = subprocess.Popen(
            [sys.executable, "-m", "kb.cli", "index", "rebuild", "--procs", "2"],
            env=_env(seeded),
            cwd=ROOT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while not set(index_dir.glob("gen-*")) - before and time.monotonic() < deadline:
            time.sleep(0.01)  # kill once the new generation is being written, not before
        if rebuild.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it may end just before the kill
                os.killpg(rebuild.pid, signal.SIGKILL)
            rebuild.wait(timeout=30)
            killed = rebuild.returncode == -signal.SIGKILL
        else:
            rebuild.wait(timeout=30)
        if killed:
            break
    assert killed, "every rebuild finished before it could be killed"
    serving = make_app()
    with Session(db.get_engine(serving)) as session:
        index = get_index(session, serving)
        assert found(session, index, "Aarhus")
    assert kb_cli(seeded, "index", "verify").returncode == 0


def test_cached_results_are_never_stale(
    make_practice: Callable[..., Any], session: Session, index: Any
) -> None:
    cache = search.ResultCache(size=8)
    query = Query(text="capybara")
    assert search.search(session=session, index=index, query=query, cache=cache).practices == ()
    assert search.search(session=session, index=index, query=query, cache=cache).practices == ()
    assert (cache.hits, cache.misses) == (1, 1)
    practice = make_practice(title_en="Capybara reading circles")
    found = search.search(session=session, index=index, query=query, cache=cache).practices
    assert [p.slug for p in found] == [practice.slug]
