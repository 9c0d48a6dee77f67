"""Segment readers cached across searcher reopens, and the checks run when a folder is opened.

Opening a segment reader costs ~2 ms, which 30 small segments turned into 60 ms per publish; a
reopen after a commit opens only the new segment (and the one that got deletions).
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from whoosh import index as windex

from .schema import META_ID, SCHEMA_VERSION, build_schema


def _check_readable(gen: Path) -> tuple[bool, str]:
    """Open the generation and touch its TOC, segments and lexicon; whether its schema is this
    one, and the fingerprint of the synonym table its concept terms come from."""
    ix = windex.open_dir(str(gen))
    expected = set(build_schema().names())
    with ix.searcher() as s:
        s.doc_count()
        meta = s.document(id=META_ID) or {}
        for _term in s.reader().field_terms("id"):
            pass
        ok = set(ix.schema.names()) == expected and meta.get("schema_version") == SCHEMA_VERSION
        return ok, str(meta.get("concepts", ""))


def readable(gen: Path) -> tuple[bool, str] | None:
    """_check_readable, with None for "corrupt" instead of an exception."""
    # Whoosh leaves the file it failed to parse open; its ResourceWarning is expected here and
    # would otherwise surface later at an arbitrary place, so collect it inside this block.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return _check_readable(gen)
        except Exception:
            return None
        finally:
            gc.collect()


class ReaderCache:
    """Open segment readers by (segment id, deletions); the caller serialises access."""

    def __init__(self) -> None:
        self._readers: dict[tuple[str, int], Any] = {}

    def close(self) -> None:
        """Close every cached reader (the searchers built on them must be closed first)."""
        for reader in self._readers.values():
            reader.close()
        self._readers = {}

    def segment_readers(
        self, ix: Any, segments: Sequence[Any], generation: int, *, keep: bool
    ) -> tuple[Any, list[Any]]:
        """A reader over `segments` reusing cached segment readers; returns it and the readers
        opened here that the cache does not own (keep=False), for the caller to close.

        keep=True makes these segments the cache's whole content; the list returned then holds
        the readers of segments no longer listed, for the caller to close once no searcher
        uses them.
        """
        from whoosh.reading import EmptyReader, MultiReader, SegmentReader

        if not segments:
            return EmptyReader(ix.schema), []
        readers: list[Any] = []
        used: dict[tuple[str, int], Any] = {}
        opened: list[Any] = []
        for seg in segments:
            key = (seg.segment_id(), seg.deleted_count())
            reader = self._readers.get(key)
            if reader is None:
                reader = SegmentReader(ix.storage, ix.schema, seg, generation=generation)
                opened.append(reader)
            used[key] = reader
            readers.append(reader)
        retired: list[Any] = []
        if keep:
            retired = [r for key, r in self._readers.items() if key not in used]
            self._readers = used
            opened = retired
        if len(readers) == 1 and keep:
            readers[0]._gen = generation  # noqa: SLF001 - up_to_date() compares it to the TOC
            return readers[0], opened
        return MultiReader(readers, generation=generation), opened

    def open_searcher(self, ix: Any) -> tuple[Any, list[Any]]:
        """A searcher over the latest TOC from cached readers, and the readers it retired."""
        from whoosh.searching import Searcher

        toc = ix._read_toc()  # noqa: SLF001
        reader, retired = self.segment_readers(ix, toc.segments, toc.generation, keep=True)
        return Searcher(reader, fromindex=ix, closereader=False), retired

    def writer_searcher(self, ix: Any, writer: Any) -> list[Any]:
        """Give the writer a searcher over its segments built from cached readers; returns the
        readers opened for it, to close after the commit."""
        from whoosh.searching import Searcher

        if not hasattr(writer, "_searcher") or writer._searcher is not None:  # noqa: SLF001
            return []
        reader, opened = self.segment_readers(
            ix, writer.segments, writer.generation, keep=False
        )
        searcher = Searcher(reader, fromindex=ix, closereader=False)
        # What SegmentWriter.searcher() does with the searcher it caches: close() is a no-op
        # until the writer finishes, which calls _orig_close.
        searcher._orig_close = searcher.close  # noqa: SLF001
        searcher.close = lambda: None
        writer._searcher = searcher  # noqa: SLF001
        return opened
