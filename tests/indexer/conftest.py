"""Fixtures for the indexer specs: the small corpus in a real index under tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ixcorpus import CORPUS, SYNONYMS, BodyText, bodies_of

from indexer import Index


@pytest.fixture
def index_path(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def index(index_path: Path) -> Iterator[Index]:
    """The corpus in a freshly rebuilt index, closed after the test."""
    ix = Index.open(index_path, synonyms=SYNONYMS)
    ix.rebuild(CORPUS, last_change_id=10, procs=1)
    yield ix
    ix.close()


@pytest.fixture
def body_text() -> BodyText:
    return bodies_of(CORPUS)
