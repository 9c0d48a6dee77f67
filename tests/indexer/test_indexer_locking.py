"""A search waiting on the caller's database holds nothing: other threads search and read state."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from ixcorpus import CORPUS, BodyText, make_document

from indexer import Change, Index, Query


def test_other_searches_and_state_reads_go_on_while_one_search_loads_its_bodies(
    index: Index, body_text: BodyText
) -> None:
    loading, release = threading.Event(), threading.Event()

    def slow_bodies(ids: Sequence[int]) -> Mapping[int, str]:
        loading.set()
        assert release.wait(10)
        return body_text(ids)

    slow = threading.Thread(target=index.search, args=(Query(text="haine"),),
                            kwargs={"body_text": slow_bodies})
    slow.start()
    try:
        assert loading.wait(10)
        done: list[int] = []
        other = threading.Thread(target=lambda: done.append(index.search(Query(text="")).total))
        other.start()
        other.join(5)
        assert done == [len(CORPUS)]
        assert index.last_change_id() == 10 and index.doc_count() == len(CORPUS)
    finally:
        release.set()
        slow.join(10)


def test_state_reads_follow_a_commit_made_through_another_index_object(
    index: Index, index_path: object
) -> None:
    assert index.last_change_id() == 10
    with Index.open(str(index_path)) as other:  # another worker on the same folder
        other.apply([Change(11, 70, make_document(id=70))])
    assert index.last_change_id() == 11 and index.doc_count() == len(CORPUS) + 1
