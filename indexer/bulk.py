"""Bulk indexing: write a whole generation with one process per core.

Three costs of Whoosh's own bulk path are avoided here (profiled on the 10k benchmark corpus):
- each child computes a document's fields itself (analysis, concept terms), so the parent only
  pickles plain documents and both cores do the indexing;
- the posting pool's memory limit is high enough that 10,000 documents are sorted in memory
  instead of spilled to disk in runs, pickled and merged back (a third of a child's time);
- when a segment's postings are written, Whoosh looks up each posting's field length through a
  column reader and a file-exists check per call (a million calls at 10k); the lengths are read
  once per field into a list instead. The values are the same, so the index is the same.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh import index as windex
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from .concepts import Concepts
from .model import Document
from .schema import build_schema, document_fields, meta_fields, vocab_texts
from .storage import Layout
from .vocab import VocabularyBuilder

# Per bulk-writer process (Whoosh's estimate of the posting pool, about half the real growth):
# a 10k rebuild sorts in memory (~5,000 documents per child); larger ones spill, bounded.
LIMIT_MB = 384

# The synonym table's concepts for the bulk writer's children, which fork with this module.
_BULK: dict[str, Concepts] = {}
_DOCUMENT = 1  # job-file code: a Document whose fields the child computes (0: a fields dict)


class _Lengths:
    """Field lengths of a finished segment, read once per field (what `add_postings` asks)."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._tables: dict[str, list[int | None] | None] = {}

    def _table(self, fieldname: str) -> list[int | None] | None:
        lenfield = f"_{fieldname}_len"  # whoosh3's name for a field's lengths column
        if not self._reader.has_column(lenfield):
            return None
        column = self._reader.column_reader(lenfield, LENGTHS_COLUMN)
        # As W3PerDocReader.doc_field_length: a zero byte gives None.
        return [byte_to_length(b) if b else None for b in column]

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        try:
            table = self._tables[fieldname]
        except KeyError:
            table = self._tables[fieldname] = self._table(fieldname)
        return default if table is None else table[docnum]

    def close(self) -> None:
        self._reader.close()


class _SegmentWriter(SegmentWriter):  # type: ignore[misc]
    """Whoosh's segment writer, handing `add_postings` the lengths read once per field."""

    def per_document_reader(self) -> Any:
        return _Lengths(super().per_document_reader())


class _DocumentTask(SubWriterTask):  # type: ignore[misc]
    """A bulk-writer child: maps documents to fields itself and writes one segment."""

    def run(self) -> None:
        # SubWriterTask.run in its multisegment form, with the writer above.
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = _SegmentWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            job = self.jobqueue.get()
            if job is None:
                break
            self._process_file(*job)
        if not self.running:
            writer.cancel()
            return
        fieldnames = writer.pool.fieldnames
        segment = writer._finalize_segment()  # noqa: SLF001
        self.resultqueue.put((None, fieldnames, segment), timeout=5)

    def _process_file(self, filename: str, doc_count: int) -> None:
        writer = self.writer
        storage = writer.temp_storage()
        concepts = _BULK.get("concepts")
        with storage.open_file(filename).raw_file() as f:
            for _ in range(doc_count):
                code, args = pickle.load(f)
                fields = document_fields(args, concepts) if code == _DOCUMENT else args
                writer.add_document(**fields)
        storage.delete_file(filename)


class _BulkWriter(MpWriter):  # type: ignore[misc]
    """Whoosh's multi-process writer, fed documents rather than fields."""

    def _new_task(self) -> Any:
        task = _DocumentTask(
            self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task

    def add_plain(self, doc: Document) -> None:
        self.docbuffer.append((_DOCUMENT, doc))
        if len(self.docbuffer) >= self.batchsize:
            self._enqueue()
        self._added_sub = True


def build_generation(
    layout: Layout,
    documents: Iterable[Document],
    *,
    last_change_id: int,
    procs: int,
    concepts: Concepts,
) -> tuple[Path, int]:
    """Write every document into a new generation with the bulk writer (not swapped in)."""
    gen = layout.new_generation()
    ix = windex.create_in(str(gen), build_schema())
    bulk: _BulkWriter | None = None
    if procs > 1:
        _BULK["concepts"] = concepts
        writer = bulk = _BulkWriter(ix, procs=procs, limitmb=LIMIT_MB, multisegment=True)
    else:
        writer = _SegmentWriter(ix, limitmb=LIMIT_MB)
    count = 0
    vocab = VocabularyBuilder()
    try:
        for doc in documents:
            if bulk is not None:
                bulk.add_plain(doc)
            else:
                writer.add_document(**document_fields(doc, concepts))
            vocab.add(vocab_texts(doc))
            count += 1
        writer.add_document(**meta_fields(last_change_id, concepts.fingerprint))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    vocab.write(gen)
    return gen, count
