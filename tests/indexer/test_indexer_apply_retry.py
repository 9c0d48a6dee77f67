"""Two processes applying one change log to one folder, run many times: no open ever fails.

Each commit deletes the previous table-of-contents file; a process that listed the folder just
before may then open a TOC that is gone. `apply` retries that open like the search path does
(this once failed 1 run in 72 with FileNotFoundError: a publish that committed, then answered 500).
"""

from __future__ import annotations

import multiprocessing
import random
import time
from pathlib import Path
from typing import Any

import pytest
from ixcorpus import make_document

from indexer import Change, Index, IndexBusy

MP = multiprocessing.get_context("fork")
CHANGES = 24


def small_log() -> list[Change]:
    """Creates and updates of a few documents, one change id each."""
    rng = random.Random(7)
    versions: dict[int, int] = {}
    log: list[Change] = []
    for change_id in range(1, CHANGES + 1):
        doc_id = 500 + rng.randrange(6)
        versions[doc_id] = versions.get(doc_id, 0) + 1
        log.append(Change(change_id, doc_id, make_document(id=doc_id, version=versions[doc_id])))
    return log


def _apply_every_other_prefix(path: str, log: list[Change], offset: int, errors: Any) -> None:
    ix = Index.open(path)
    try:
        for k in range(1 + offset, len(log) + 1, 2):
            while True:
                try:
                    ix.apply(log[:k], timeout=0.05)
                    break
                except IndexBusy:
                    time.sleep(0.001)
    except Exception:  # noqa: BLE001 - the parent fails the test on any error
        with errors.get_lock():
            errors.value += 1
        raise
    finally:
        ix.close()


def run_two_appliers(folder: Path) -> None:
    """Two processes apply interleaved prefixes of the log; both end without an error."""
    Index.open(folder).close()
    log = small_log()
    errors = MP.Value("i", 0)
    workers = [
        MP.Process(target=_apply_every_other_prefix, args=(str(folder), log, n, errors))
        for n in (0, 1)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0] and errors.value == 0
    with Index.open(folder) as ix:
        assert ix.last_change_id() == CHANGES


@pytest.mark.parametrize("run", range(3))
def test_two_processes_applying_at_once_never_fail_to_open_the_index(
    tmp_path: Path, run: int
) -> None:
    run_two_appliers(tmp_path / f"index-{run}")


@pytest.mark.slow
def test_two_processes_applying_at_once_never_fail_to_open_the_index_in_200_runs(
    tmp_path: Path,
) -> None:
    for run in range(200):
        run_two_appliers(tmp_path / f"index-{run}")
