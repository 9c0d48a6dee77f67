"""Several processes on one folder converge; rebuilds swap under load and survive kill -9."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ixcorpus import CORPUS, SYNONYMS, make_document

from indexer import Change, Document, Index, IndexBusy, Query

# fork: the children inherit sys.path and need no re-import of the test module.
MP = multiprocessing.get_context("fork")


def change_log(n: int = 60, docs: int = 12) -> list[Change]:
    """A deterministic log of creates, updates and deletions over a few documents."""
    rng = random.Random(4)
    versions: dict[int, int] = {}
    log: list[Change] = []
    for change_id in range(1, n + 1):
        doc_id = 100 + rng.randrange(docs)
        if doc_id in versions and rng.random() < 0.2:
            del versions[doc_id]
            log.append(Change(change_id, doc_id, None))
            continue
        versions[doc_id] = versions.get(doc_id, 0) + 1
        doc = make_document(id=doc_id, version=versions[doc_id], title_en=f"Doc {doc_id}")
        log.append(Change(change_id, doc_id, doc))
    return log


def expected_after(log: list[Change]) -> dict[int, int]:
    state: dict[int, int] = {}
    for change in log:
        if change.document is None:
            state.pop(change.doc_id, None)
        else:
            state[change.doc_id] = change.document.version
    return state


def _writer_process(path: str, log: list[Change], offset: int, busy: Any) -> None:
    """Apply the log in growing prefixes, as a worker catching up after each commit would."""
    ix = Index.open(path)
    rng = random.Random(offset)
    try:
        for k in range(1 + offset, len(log) + 1, 2):
            while True:
                try:
                    ix.apply(log[:k], timeout=0.05)
                    break
                except IndexBusy:
                    with busy.get_lock():
                        busy.value += 1
                    time.sleep(rng.random() * 0.01)
            time.sleep(rng.random() * 0.005)
    finally:
        ix.close()


@pytest.mark.slow
def test_two_processes_applying_interleaved_changes_converge(index_path: Path) -> None:
    Index.open(index_path).close()
    log = change_log()
    busy = MP.Value("i", 0)
    workers = [
        MP.Process(target=_writer_process, args=(str(index_path), log, n, busy)) for n in (0, 1)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    with Index.open(index_path) as ix:
        assert ix.last_change_id() == len(log)
        report = ix.verify(expected_after(log))
    assert report.ok, report


def test_searches_keep_being_served_while_a_rebuild_swaps(index: Any, index_path: Path) -> None:
    errors: list[BaseException] = []
    totals: set[int] = set()
    stop = threading.Event()

    def search_loop() -> None:
        # Another worker's Index object on the same folder, as in a second gunicorn worker.
        with Index.open(index_path, synonyms=SYNONYMS) as reader:
            while not stop.is_set():
                try:
                    totals.add(reader.search(Query(text="")).total)
                except BaseException as exc:  # noqa: BLE001 - any failure fails the test
                    errors.append(exc)

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        bigger = [*CORPUS, *(make_document(id=200 + i) for i in range(4))]
        for round_ in range(3):
            index.rebuild(bigger if round_ % 2 == 0 else CORPUS, last_change_id=20, procs=1)
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(30)
    assert errors == []
    assert totals <= {6, 10} and 10 in totals


def _slow_documents(marker: Path) -> Iterator[Document]:
    for i in range(50):
        if i == 20:
            marker.write_text("halfway")
            time.sleep(60)
        yield make_document(id=300 + i)


def _rebuild_process(path: str, marker: str) -> None:
    ix = Index.open(path)
    ix.rebuild(_slow_documents(Path(marker)), last_change_id=99, procs=1)


@pytest.mark.slow
def test_a_rebuild_killed_midway_leaves_the_previous_generation_serving(
    index: Any, index_path: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "halfway"
    child = MP.Process(target=_rebuild_process, args=(str(index_path), str(marker)))
    child.start()
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert time.monotonic() < deadline, "the rebuild never reached halfway"
        time.sleep(0.02)
    assert child.pid is not None
    os.kill(child.pid, signal.SIGKILL)
    child.join(10)
    assert child.exitcode == -signal.SIGKILL

    # The serving process never noticed.
    assert index.search(Query(text="")).total == 6
    assert index.last_change_id() == 10
    expected = {d.id: d.version for d in CORPUS}
    with Index.open(index_path, synonyms=SYNONYMS) as restarted:
        assert not restarted.needs_rebuild
        assert restarted.verify(expected).ok
        restarted.apply([Change(11, 400, make_document(id=400))])
        assert restarted.verify({**expected, 400: 1}).ok
        restarted.rebuild(CORPUS, last_change_id=11, procs=1)
        assert restarted.verify(expected).ok
    # The crashed build's folder was cleaned up by the next rebuild.
    assert len(list(index_path.glob("gen-*"))) <= 2


def test_two_nodes_with_their_own_folders_converge_on_one_log(tmp_path: Path) -> None:
    log = change_log()
    node_a, node_b = Index.open(tmp_path / "a"), Index.open(tmp_path / "b")
    try:
        for k in range(7, len(log) + 1, 7):  # node A syncs often
            node_a.apply(log[:k])
        node_a.apply(log)
        node_b.apply(log[:25])  # node B was down for a while, then catches up at once
        node_b.apply(log)
        expected = expected_after(log)
        assert node_a.verify(expected).ok and node_b.verify(expected).ok
        assert node_a.last_change_id() == node_b.last_change_id() == len(log)
    finally:
        node_a.close()
        node_b.close()
