"""Writing the index: apply changes, swap a rebuilt generation in (bulk.py writes it), merge."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh.index import LockError

from .concepts import MIXED, Concepts
from .model import Change, IndexBusy
from .schema import META_ID, build_schema, document_fields, meta_fields, vocab_texts
from .storage import Layout
from .vocab import append_words

SWAP_LOCK_WAIT = 10.0  # seconds a rebuild waits for an in-flight apply before swapping anyway
OPEN_RETRIES = 5  # another process may delete merged segment files while we open the TOC
# apply() never merges (a merge in the publishing request is what made publish -> searchable
# spike); merge_segments() folds the small segments together off the request path once more
# than MAX_SMALL_SEGMENTS have piled up, never touching the big ones.
SMALL_SEGMENT_DOCS = 200
MAX_SMALL_SEGMENTS = 8
# Backstop only: if no caller ever runs merge_segments(), apply() folds the small segments once
# this many have piled up (about 1 s, once per this many publishes) rather than let every
# search and reopen slow down without bound.
APPLY_MERGE_BACKSTOP = 64

# Called with (generation, FileIndex, writer) under the caller's lock; gives the writer a
# searcher from the caller's cached readers and returns the readers to close after the commit.
ReuseReaders = Callable[[Path, Any, Any], list[Any]]


def small_merge_policy(threshold: int) -> Callable[[Any, list[Any]], list[Any]]:
    """Whoosh merge policy: fold small segments together when more than `threshold` exist."""

    def policy(writer: Any, segments: list[Any]) -> list[Any]:
        from whoosh.reading import SegmentReader

        small = [seg for seg in segments if seg.doc_count_all() <= SMALL_SEGMENT_DOCS]
        if len(small) <= max(1, threshold):
            return segments
        for seg in small:
            reader = SegmentReader(writer.storage, writer.schema, seg)
            writer.add_reader(reader)
            reader.close()
        return [seg for seg in segments if seg not in small]

    return policy


def stored_meta(searcher: Any) -> tuple[int, str]:
    """The last change id and the concepts' fingerprint recorded in the meta document."""
    meta = searcher.document(id=META_ID)
    if not meta:
        return 0, ""
    return int(meta.get("last_change_id", 0)), str(meta.get("concepts", ""))


def require_gen(layout: Layout) -> Path:
    """The served generation, or FileNotFoundError when there is none."""
    gen = layout.current()
    if gen is None:
        raise FileNotFoundError(f"no index generation under {layout.root}")
    return gen


def apply(
    layout: Layout,
    changes: Sequence[Change],
    *,
    timeout: float,
    lock: AbstractContextManager[Any],
    reuse: ReuseReaders,
    concepts: Concepts,
) -> int:
    """Apply changes newer than the index's last change id in one commit (see Index.apply)."""
    deadline = time.monotonic() + max(0.0, timeout)
    while True:
        gen, ix, writer = _open_writer(layout, deadline, timeout)
        committed = False
        opened: list[Any] = []
        try:
            if layout.current() != gen:
                continue  # a rebuild swapped generations while we waited: write there
            with lock:
                # The writer's searcher (last id, delete_by_term) from cached readers.
                opened = reuse(gen, ix, writer)
                with writer.searcher() as s:
                    last, stored = stored_meta(s)
                    empty = s.doc_count() <= 1
            pending = sorted((c for c in changes if c.id > last), key=lambda c: c.id)
            if not pending:
                return last
            # Several changes to one document in a batch: only the last state matters, and
            # updating twice in one writer would leave a duplicate.
            latest: dict[int, Change] = {}
            for change in pending:
                latest[change.doc_id] = change
            added: list[str] = []
            with lock:
                for doc_id, change in latest.items():
                    writer.delete_by_term("id", str(doc_id))
                    if change.document is not None:
                        writer.add_document(**document_fields(change.document, concepts))
                        added.extend(vocab_texts(change.document))
            append_words(gen, added)
            new_last = pending[-1].id
            # Documents written with another synonym table than the index's make its concept
            # terms unreliable: every searcher falls back to query-time expansion until a rebuild.
            same = stored == concepts.fingerprint or empty
            writer.update_document(**meta_fields(new_last, concepts.fingerprint if same else MIXED))
            # No merge here (NO_MERGE below the backstop): a one-document segment is cheap
            # to write and to search, and merge_segments() folds them off the request path.
            writer.commit(mergetype=small_merge_policy(APPLY_MERGE_BACKSTOP))
            committed = True
            return new_last
        finally:
            if not committed:
                writer.cancel()
            for reader in opened:
                reader.close()


def _open_writer(layout: Layout, deadline: float, timeout: float) -> tuple[Path, Any, Any]:
    """The served generation, its FileIndex and a writer holding its lock.

    Retried like the search path's open: another process's commit may delete the TOC file
    (or a merged segment) between our directory listing and our read of it.
    """
    last_error: Exception | None = None
    for attempt in range(OPEN_RETRIES):
        gen = require_gen(layout)
        try:
            ix = windex.open_dir(str(gen))
            writer = ix.writer(timeout=max(0.0, deadline - time.monotonic()), delay=0.02)
        except LockError as exc:
            raise IndexBusy(f"index writer lock busy for {timeout:.1f}s") from exc
        except (OSError, EOFError, ValueError) as exc:
            last_error = exc
            time.sleep(0.01 * (attempt + 1))
            continue
        return gen, ix, writer
    assert last_error is not None
    raise last_error


def create_empty(layout: Layout, fingerprint: str) -> Path:
    """A new empty generation holding only the meta document, swapped in (layout lock held)."""
    new = layout.new_generation()
    ix = windex.create_in(str(new), build_schema())
    writer = ix.writer()
    writer.add_document(**meta_fields(0, fingerprint))
    writer.commit()
    layout.finish(new)
    layout.swap(new)
    return new


def swap_in(layout: Layout, gen: Path) -> None:
    """Swap under the old generation's writer lock, so no apply lands in a retired one."""
    old = layout.current()
    lock: Any = None
    if old is not None and old.is_dir():
        try:
            lock = windex.open_dir(str(old)).lock("WRITELOCK")
            deadline = time.monotonic() + SWAP_LOCK_WAIT
            while not lock.acquire(blocking=False):
                if time.monotonic() > deadline:
                    lock = None  # swap anyway: appliers re-check `current` after locking
                    break
                time.sleep(0.02)
        except Exception:
            lock = None  # the old generation is unreadable; nothing to protect
    try:
        with layout.lock():
            layout.finish(gen)
            layout.swap(gen)
            layout.cleanup()
    finally:
        if lock is not None:
            lock.release()


def optimize(layout: Layout, *, timeout: float) -> None:
    """Merge all segments into one (rewrites the whole index)."""
    ix = windex.open_dir(str(require_gen(layout)))
    try:
        writer = ix.writer(timeout=timeout)
    except LockError as exc:
        raise IndexBusy("index writer lock busy") from exc
    writer.commit(optimize=True)


def merge_segments(layout: Layout, *, max_small: int, timeout: float) -> bool:
    """Fold the small segments together once more than `max_small` exist (see Index)."""
    ix = windex.open_dir(str(require_gen(layout)))
    small = [s for s in ix._segments() if s.doc_count_all() <= SMALL_SEGMENT_DOCS]  # noqa: SLF001
    if len(small) <= max(1, max_small):
        return False
    try:
        writer = ix.writer(timeout=timeout, delay=0.02)
    except LockError as exc:
        raise IndexBusy("index writer lock busy") from exc
    try:
        writer.commit(mergetype=small_merge_policy(max_small))
    except BaseException:
        writer.cancel()
        raise
    return True


def segment_count(layout: Layout) -> int:
    """Number of segments of the served generation."""
    return len(windex.open_dir(str(require_gen(layout)))._segments())  # noqa: SLF001
