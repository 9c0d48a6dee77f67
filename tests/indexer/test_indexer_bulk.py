"""The bulk writer's shortcuts write the index Whoosh's own writer would write."""

from __future__ import annotations

from pathlib import Path

import pytest
from ixcorpus import CORPUS, SYNONYMS
from whoosh import index as windex
from whoosh.codec import default_codec

from indexer import Index, Query
from indexer.analysis import SynonymTable
from indexer.bulk import _Lengths, _SegmentWriter
from indexer.concepts import Concepts
from indexer.schema import build_schema, document_fields

QUERIES = ("securite", "radicalisation", "youth", "dialogue interreligieux", "hate speech")


def _segment_index(path: Path, writer_class: type | None) -> windex.FileIndex:
    path.mkdir()
    ix = windex.create_in(str(path), build_schema())
    writer = writer_class(ix) if writer_class else ix.writer()
    concepts = Concepts(SynonymTable(SYNONYMS))
    for doc in CORPUS:
        writer.add_document(**document_fields(doc, concepts))
    writer.commit()
    return ix


def test_field_lengths_read_once_per_field_equal_whooshs_own(tmp_path: Path) -> None:
    ix = _segment_index(tmp_path / "ix", _SegmentWriter)
    with ix.reader() as reader:
        segment = reader.segment()
    pdr = default_codec().per_document_reader(ix.storage, segment)
    lengths = _Lengths(default_codec().per_document_reader(ix.storage, segment))
    try:
        for fieldname in ix.schema.names():
            for docnum in range(len(CORPUS)):
                assert lengths.doc_field_length(docnum, fieldname) == pdr.doc_field_length(
                    docnum, fieldname
                ), (fieldname, docnum)
    finally:
        pdr.close()
        lengths.close()


def test_segment_written_with_lengths_table_is_byte_identical(tmp_path: Path) -> None:
    ours = _segment_index(tmp_path / "ours", _SegmentWriter)
    theirs = _segment_index(tmp_path / "theirs", None)
    with ours.reader() as a, theirs.reader() as b:
        for fieldname in ours.schema.names():
            if not ours.schema[fieldname].indexed:
                continue
            assert list(a.all_terms()) == list(b.all_terms())
            for term in a.lexicon(fieldname):
                ia, ib = a.term_info(fieldname, term), b.term_info(fieldname, term)
                assert (ia.weight(), ia.doc_frequency(), ia.min_length(), ia.max_length()) == (
                    ib.weight(), ib.doc_frequency(), ib.min_length(), ib.max_length()
                ), (fieldname, term)


@pytest.mark.parametrize("text", QUERIES)
def test_two_processes_rank_and_score_as_one(tmp_path: Path, text: str) -> None:
    with Index.open(tmp_path / "one", synonyms=SYNONYMS) as one, Index.open(
        tmp_path / "two", synonyms=SYNONYMS
    ) as two:
        one.rebuild(CORPUS, last_change_id=1, procs=1)
        two.rebuild(CORPUS, last_change_id=1, procs=2)
        for lang in ("fr", "en"):
            a = one.search(Query(text=text, lang=lang))
            b = two.search(Query(text=text, lang=lang))
            assert a.total == b.total
            assert [h.id for h in a.hits] == [h.id for h in b.hits]
            assert [round(h.score, 6) for h in a.hits] == [round(h.score, 6) for h in b.hits]
