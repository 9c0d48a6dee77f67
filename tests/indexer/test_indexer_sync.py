"""Change-log sync, verify, optimize, and recovery from a missing or corrupt index."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ixcorpus import CORPUS, SYNONYMS, make_document
from whoosh import index as whoosh_index

from indexer import Change, Index, IndexBusy, Query


def expected_versions(docs: Any = CORPUS) -> dict[int, int]:
    return {d.id: d.version for d in docs}


def test_a_new_folder_opens_empty_and_asks_for_a_rebuild(index_path: Path) -> None:
    with Index.open(index_path) as ix:
        assert ix.needs_rebuild
        assert ix.doc_count() == 0
        assert ix.last_change_id() == 0


def test_an_existing_index_reopens_without_rebuild(index: Any, index_path: Path) -> None:
    with Index.open(index_path) as again:
        assert not again.needs_rebuild
        assert again.doc_count() == 6
        assert again.last_change_id() == 10


def test_apply_adds_updates_and_removes_documents(index: Any) -> None:
    new = make_document(id=20, title_en="Street football league", version=1)
    changed = make_document(id=1, title_en="Renamed practice", version=2)
    assert index.apply([Change(11, 20, new), Change(12, 1, changed), Change(13, 3, None)]) == 13
    assert index.verify({**expected_versions(), 20: 1, 1: 2, 3: 0}).extra == ()
    assert {h.id for h in index.search(Query(text="football")).hits} == {20}
    assert index.search(Query(text="berlin")).total == 0
    assert index.doc_count() == 6


def test_apply_records_the_last_change_id_in_the_index(index: Any, index_path: Path) -> None:
    index.apply([Change(11, 1, None)])
    with Index.open(index_path) as again:
        assert again.last_change_id() == 11


def test_apply_skips_changes_already_applied(index: Any) -> None:
    index.apply([Change(11, 1, None)])
    # Replaying an old change must not resurrect the document it deleted earlier.
    assert index.apply([Change(5, 1, make_document(id=1)), Change(11, 1, None)]) == 11
    assert index.search(Query(text="strasbourg")).total == 0


def test_apply_is_idempotent(index: Any) -> None:
    changes = [Change(11, 30, make_document(id=30, title_en="Idempotent"))]
    index.apply(changes)
    index.apply(changes)
    assert index.search(Query(text="idempotent")).total == 1
    assert index.doc_count() == 7


def test_several_changes_to_one_document_keep_the_last(index: Any) -> None:
    index.apply(
        [
            Change(11, 30, make_document(id=30, title_en="Zebraone", version=1)),
            Change(12, 30, make_document(id=30, title_en="Zebratwo", version=2)),
        ]
    )
    assert index.search(Query(text="zebraone")).total == 0
    assert index.verify({**expected_versions(), 30: 2}).ok


def test_apply_raises_index_busy_while_another_writer_holds_the_lock(
    index: Any, index_path: Path
) -> None:
    held = whoosh_index.open_dir(str(index_path / "current")).writer()
    try:
        with pytest.raises(IndexBusy):
            index.apply([Change(11, 1, None)], timeout=0.2)
    finally:
        held.cancel()
    # Nothing was lost: the same batch applies once the lock is free.
    assert index.apply([Change(11, 1, None)], timeout=0.2) == 11


def test_a_search_sees_changes_applied_by_another_index_object(
    index: Any, index_path: Path
) -> None:
    index.search(Query(text="football"))  # the long-lived searcher is open
    with Index.open(index_path) as other:
        other.apply([Change(11, 40, make_document(id=40, title_en="Football"))])
    assert index.search(Query(text="football")).total == 1


def test_verify_is_clean_after_a_rebuild(index: Any) -> None:
    assert index.verify(expected_versions()).ok


def test_verify_reports_missing_stale_and_extra(index: Any) -> None:
    expected = expected_versions()
    expected[99] = 1  # in the database, not in the index
    expected[2] = 5  # newer in the database
    del expected[3]  # unpublished in the database, still indexed
    report = index.verify(expected)
    assert (report.missing, report.stale, report.extra) == ((99,), (2,), (3,))
    assert not report.ok


def test_optimize_keeps_every_document(index: Any) -> None:
    index.apply([Change(11, 50, make_document(id=50))])
    index.apply([Change(12, 51, make_document(id=51))])
    index.optimize()
    assert index.doc_count() == 8
    assert index.last_change_id() == 12


def _garble_toc(gen: Path) -> None:
    for toc in gen.glob("*.toc"):
        toc.write_bytes(b"not a table of contents")


def _delete_segments(gen: Path) -> None:
    for seg in gen.iterdir():
        if seg.suffix != ".toc" and not seg.name.endswith(".pid"):
            seg.unlink()


@pytest.mark.parametrize("damage", [_garble_toc, _delete_segments], ids=["toc", "segments"])
def test_a_corrupt_index_is_moved_aside_and_reopened_empty(
    index: Any, index_path: Path, damage: Any
) -> None:
    index.close()
    damage((index_path / "current").resolve())
    with Index.open(index_path, synonyms=SYNONYMS) as reopened:
        assert reopened.needs_rebuild
        assert reopened.doc_count() == 0
        assert list(index_path.glob("corrupt-*"))
        reopened.rebuild(CORPUS, last_change_id=10, procs=1)
        assert not reopened.needs_rebuild
        assert reopened.verify(expected_versions()).ok


def test_a_dangling_current_link_is_replaced(index: Any, index_path: Path) -> None:
    index.close()
    link = index_path / "current"
    link.unlink()
    link.symlink_to("gen-999999")
    with Index.open(index_path) as reopened:
        assert reopened.needs_rebuild
        assert reopened.doc_count() == 0


def test_rebuild_replaces_the_whole_content(index: Any) -> None:
    assert index.rebuild([make_document(id=70)], last_change_id=3, procs=1) == 1
    assert index.verify({70: 1}).ok
    assert index.last_change_id() == 3


def test_rebuild_with_several_processes_builds_the_same_index(index: Any) -> None:
    assert index.rebuild(CORPUS, last_change_id=12, procs=2) == 6
    assert index.verify(expected_versions()).ok
    assert index.search(Query(text="securite")).total == 2


def test_old_generations_are_removed_after_swaps(index: Any, index_path: Path) -> None:
    for n in range(3):
        index.rebuild(CORPUS, last_change_id=20 + n, procs=1)
    assert len(list(index_path.glob("gen-*"))) <= 2


def test_apply_never_merges_and_merge_segments_folds_small_ones(index: Any) -> None:
    before = index.segment_count()
    for k in range(5):
        doc = make_document(id=100 + k, title_en=f"Published zqmerge{k}")
        index.apply([Change(11 + k, doc.id, doc)])
    # Replace one of them, so a small segment carries a deletion into the merge.
    index.apply([Change(16, 101, make_document(id=101, title_en="Republished zqmerge1"))])
    assert index.segment_count() == before + 6  # one cheap segment per commit, no merge
    assert index.merge_segments(max_small=8) is False  # under the threshold: nothing to do
    assert index.merge_segments(max_small=2) is True
    assert index.segment_count() < before + 6
    assert index.search(Query(text="zqmerge1")).total == 1
    assert index.search(Query(text="Republished")).total == 1
    assert {h.id for h in index.search(Query(text="published", per_page=50)).hits} >= {
        100,
        102,
        103,
        104,
    }
    assert index.last_change_id() == 16
    assert index.doc_count() == len(CORPUS) + 5


def test_did_you_mean_knows_words_published_after_the_rebuild(index: Any) -> None:
    doc = make_document(id=120, title_en="Mentoring through skateboarding")
    index.apply([Change(11, doc.id, doc)])
    assert index.search(Query(text="skatebording")).suggestion == "skateboarding"


def test_an_index_built_with_another_schema_version_asks_for_a_rebuild(
    index: Any, index_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An analysis change (such as French stop words) bumps SCHEMA_VERSION: the code that opens
    # an index written before it must rebuild rather than search terms indexed another way.
    import indexer.readers

    index.close()
    monkeypatch.setattr(indexer.readers, "SCHEMA_VERSION", indexer.readers.SCHEMA_VERSION + 1)
    with Index.open(index_path) as reopened:
        assert reopened.needs_rebuild
