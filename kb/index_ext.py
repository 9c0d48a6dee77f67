"""This process's search index, kept in app.extensions["kb.index"].

The index is opened with the taxonomy's synonym groups; when the taxonomy in the database changes
(an import elsewhere), the index object is reopened with the new groups. A missing or corrupt
index is rebuilt from the database on first use.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from sqlmodel import Session

from indexer import Index
from kb import search, taxonomy
from kb.taxonomy import Vocabulary

VOCABULARY_TTL = 30.0  # seconds between checks that the taxonomy has not changed


@dataclass
class SearchState:
    path: str
    index: Index | None = None
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    checked_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    results: search.ResultCache = field(default_factory=search.ResultCache)


def init_app(app: Flask) -> None:
    app.extensions["kb.index"] = SearchState(
        path=app.config["KB_INDEX_DIR"],
        results=search.ResultCache(size=int(app.config["KB_SEARCH_CACHE_SIZE"])),
    )


def get_index(session: Session, app: Flask | None = None) -> Index:
    """The index for this process, opened (and rebuilt if missing/corrupt) on first use."""
    state: SearchState = (app or current_app).extensions["kb.index"]
    now = time.monotonic()
    if state.index is not None and now - state.checked_at < VOCABULARY_TTL:
        return state.index
    with state.lock:
        if state.index is not None and now - state.checked_at < VOCABULARY_TTL:
            return state.index
        vocabulary = taxonomy.load(session)
        if state.index is None or vocabulary != state.vocabulary:
            with _opening_lock(state.path):
                state.index = Index.open(state.path, synonyms=taxonomy.synonym_groups(vocabulary))
                state.vocabulary = vocabulary
                if state.index.needs_rebuild:
                    # procs=1: forking writer processes from a threaded web worker is unsafe.
                    search.rebuild(session=session, index=state.index, procs=1)
        state.checked_at = now
        return state.index


@contextmanager
def _opening_lock(path: str) -> Iterator[None]:
    """One process at a time opens (and, when missing or corrupt, rebuilds) an index folder.

    Workers that start together on a missing index would otherwise each build and swap in a
    generation while the others already apply changes to theirs.
    """
    folder = Path(path)
    folder.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder.parent / f".{folder.name}.open.lock", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def result_cache(app: Flask | None = None) -> search.ResultCache:
    """This process's cache of search results (see kb.search.ResultCache)."""
    state: SearchState = (app or current_app).extensions["kb.index"]
    return state.results


def vocabulary(app: Flask | None = None) -> Vocabulary:
    state: SearchState = (app or current_app).extensions["kb.index"]
    return state.vocabulary


def reset(app: Flask) -> None:
    """Forget the open index (after an import changed the taxonomy, or a rebuild elsewhere)."""
    state: SearchState = app.extensions["kb.index"]
    with state.lock:
        if state.index is not None:
            state.index.close()
        state.index = None
        state.checked_at = 0.0
