"""The served generation: its long-lived searcher and what is cached with it, under one lock.

Whoosh searchers are not thread-safe, and as pure Python they would not run in parallel under
the GIL anyway, so one lock guards the searcher and everything read through it. What a health
check or a cache key needs (last change id, document count) is a snapshot readable without that
lock: a readlink and a directory listing say whether it is still current.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage

from . import writing
from .concepts import Concepts
from .facets import FacetCache, SearcherArrays
from .postings import PostingsStore, segment_id
from .readers import ReaderCache
from .schema import META_ID
from .storage import Layout
from .vocab import Vocabulary

OPEN_RETRIES = writing.OPEN_RETRIES
_TOC_RE = re.compile(r"^_MAIN_([0-9]+)\.toc$")


@dataclass(frozen=True)
class Snapshot:
    """What the last opened searcher saw, readable without the search lock."""

    gen: Path
    toc: int
    last_change_id: int
    doc_count: int


def _latest_toc(gen: Path) -> int:
    """The newest TOC generation in a folder (-1 when there is none): a directory listing."""
    try:
        names = os.listdir(gen)
    except OSError:
        return -1
    return max((int(m.group(1)) for n in names if (m := _TOC_RE.match(n))), default=-1)


class Served:
    """The searcher of the served generation, reopened when another process commits."""

    def __init__(self, layout: Layout, concepts: Concepts) -> None:
        self._layout = layout
        self._concepts = concepts
        self.lock = threading.RLock()
        self.gen: Path | None = None
        self._ix: Any = None
        self._searcher: Any = None
        self.meta_docnum: int | None = None
        # The served searcher's concept terms come from our synonym table (concepts.py).
        self.concepts_on = False
        self._facets = FacetCache()
        self._vocab: Vocabulary | None = None
        self._snapshot: Snapshot | None = None
        self._readers = ReaderCache()
        # Postings and phrase results per segment, bounded (postings.py states the bound).
        self.store = PostingsStore()
        # related() answers of this searcher, by (document id, limit): a practice page asks for
        # the same ones on every view (~3 ms at the seed, more at 10k), and they change only
        # when the index does, which opens a new searcher and empties this.
        self.related: dict[tuple[int, int], list[int]] = {}
        self.closed = False

    def close(self) -> None:
        """Release the searcher and its files."""
        with self.lock:
            self._close_searcher()
            self._readers.close()
            self.closed = True

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            self._searcher.close()  # closereader=False: the readers stay in self._readers
            self._searcher = None
        self.meta_docnum = None

    def _current_ix(self) -> Any:
        """The FileIndex of the served generation, following a swap by another process."""
        gen = writing.require_gen(self._layout)
        if gen != self.gen or self._ix is None:
            self._close_searcher()
            self._readers.close()
            self._facets.clear()
            self.store.clear()
            self._vocab = None
            # No mmap for the serving searcher: mapped index pages counted in the worker's RSS,
            # and each reopen mapped the big segment again before the old map was collected.
            self._ix = FileStorage(str(gen), supports_mmap=False).open_index()
            self.gen = gen
        return self._ix

    def searcher(self) -> Any:
        """The long-lived searcher, reopened (not refresh()-chained) when the index changed.

        The caller holds `lock`.
        """
        if self.closed:
            raise RuntimeError("index is closed")
        last_error: Exception | None = None
        for attempt in range(OPEN_RETRIES):
            try:
                ix = self._current_ix()
                if self._searcher is not None and self._searcher.up_to_date():
                    return self._searcher
                # refresh() shares readers between old and new searchers and leaks file
                # handles when chained; close and open instead.
                self._close_searcher()
                self._searcher, retired = self._readers.open_searcher(ix)
                for reader in retired:
                    reader.close()
                self._opened(self._searcher)
                return self._searcher
            except (OSError, EOFError, ValueError) as exc:
                # A writer in another process merged segments between our TOC read and open.
                last_error = exc
                self._close_searcher()
                self._ix = None
                time.sleep(0.01 * (attempt + 1))
        assert last_error is not None
        raise last_error

    def _opened(self, s: Any) -> None:
        """Keep the caches of segments still served; read the meta document into a snapshot."""
        self.related = {}
        self.store.retain(
            seg for sub, _o in s.leaf_searchers() if (seg := segment_id(sub.reader())) is not None
        )
        self.meta_docnum = s.document_number(id=META_ID)
        meta = s.stored_fields(self.meta_docnum) if self.meta_docnum is not None else {}
        stored = str(meta.get("concepts", ""))
        self.concepts_on = bool(self._concepts) and stored == self._concepts.fingerprint
        assert self.gen is not None
        count = int(s.doc_count()) - (self.meta_docnum is not None)
        last = int(meta.get("last_change_id", 0))
        self._snapshot = Snapshot(self.gen, s.reader().generation(), last, count)

    def arrays(self, searcher: Any) -> SearcherArrays:
        return self._facets.arrays(searcher)

    def vocabulary(self) -> Vocabulary:
        """The served generation's word list, loaded on the first "did you mean" only."""
        if self._vocab is None:
            assert self.gen is not None
            self._vocab = Vocabulary(self.gen)
        return self._vocab

    def reuse_readers(self, gen: Path, ix: Any, writer: Any) -> list[Any]:
        """The writer's searcher from the served generation's cached readers (lock held)."""
        if gen != self.gen:
            return []
        return self._readers.writer_searcher(ix, writer)

    # -- snapshot, never waiting for a search -----------------------------------------------

    def snapshot(self) -> Snapshot:
        """While the index is unchanged since the searcher opened, what it read then; after a
        commit, a reopened searcher, or, when a search holds the lock, a private reader's."""
        snap = self._snapshot
        if snap is not None and self._unchanged(snap):
            return snap
        if self.lock.acquire(blocking=False):
            try:
                self.searcher()
                assert self._snapshot is not None
                return self._snapshot
            finally:
                self.lock.release()
        return self._private_snapshot()

    def _unchanged(self, snap: Snapshot) -> bool:
        return (
            not self.closed
            and self._layout.current() == snap.gen
            and _latest_toc(snap.gen) == snap.toc
        )

    def _private_snapshot(self) -> Snapshot:
        """The meta document read through a reader of our own, while a search holds the lock."""
        from whoosh import index as windex

        last_error: Exception | None = None
        for attempt in range(OPEN_RETRIES):
            try:
                gen = writing.require_gen(self._layout)
                with windex.open_dir(str(gen)).searcher() as s:
                    last, _fp = writing.stored_meta(s)
                    count = int(s.doc_count()) - (s.document_number(id=META_ID) is not None)
                    return Snapshot(gen, s.reader().generation(), last, count)
            except (OSError, EOFError, ValueError) as exc:
                last_error = exc
                time.sleep(0.01 * (attempt + 1))
        assert last_error is not None
        raise last_error
