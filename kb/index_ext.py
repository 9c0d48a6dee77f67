"""This process's search index, kept in app.extensions["kb.index"], and how pages outlive it.

The index is opened with the taxonomy's synonym groups; when the taxonomy in the database changes
(an import elsewhere), the index object is reopened with the new groups. A missing or corrupt
index found when the process first opens it is rebuilt from the database there and then (that is
start-up: `kb serve` does it before listening).

Degrade, never fail: on a request path (`usable_index`, `run_search`), any error of the index is
logged and the page is served without it. A failed catch-up write (a full disk) leaves the
current searcher serving (kb.search.ensure_fresh); when no searcher opens (a deleted or corrupt
folder), searches fall back to kb.search_fallback and one background thread repairs the index:
it reopens the folder (which moves a corrupt generation aside) and rebuilds it from the database.
`health` gives /healthz its answer.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from indexer import Index, Query
from kb import catalogue, db, search, search_fallback, taxonomy
from kb.taxonomy import Vocabulary

log = logging.getLogger(__name__)
T = TypeVar("T")
VOCABULARY_TTL = 30.0  # seconds between checks that the taxonomy has not changed
REPAIR_BACKOFF = 60.0  # seconds before a failed repair is tried again
RETRY_DELAY = 0.02  # seconds before a failed index read is tried again
PROBE_BYTES = 4096  # what /healthz writes into the index folder to know it can be written
# A successful write probe is trusted this long: a load balancer polling /healthz under load
# would otherwise pay a file create, fsync and unlink per poll, each a wait for the GIL.
PROBE_TTL = 2.0


@dataclass
class SearchState:
    path: str
    keep_corrupt: int = 3
    index: Index | None = None
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    vocabulary_at: float = float("-inf")
    checked_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    results: search.ResultCache = field(default_factory=search.ResultCache)
    # Why the index is not serving (None when it is); set on a request path, cleared by a repair.
    problem: str | None = None
    repair: threading.Thread | None = None
    repair_failed_at: float = float("-inf")
    probed_at: float = float("-inf")  # when /healthz last wrote its probe successfully
    # The answers' audit (search.audit) and the index state it was made on: audited once per
    # change, so a load balancer's polling costs nothing more between changes.
    audited: tuple[tuple[str, int], tuple[str, ...]] | None = None


@dataclass(frozen=True)
class Searched:
    """A search's results and whether they come from the database fallback."""

    found: search.PracticeResults
    degraded: bool
    corrected_from: str | None = None  # what the reader typed, when a typo was corrected


def init_app(app: Flask) -> None:
    app.extensions["kb.index"] = SearchState(
        path=app.config["KB_INDEX_DIR"],
        keep_corrupt=int(app.config["KB_INDEX_KEEP_CORRUPT"]),
        results=search.ResultCache(size=int(app.config["KB_SEARCH_CACHE_SIZE"])),
    )


def _state(app: Flask | None) -> SearchState:
    state: SearchState = (app or current_app).extensions["kb.index"]
    return state


def get_index(session: Session, app: Flask | None = None) -> Index:
    """The index for this process, opened (and rebuilt if missing/corrupt) on first use."""
    state = _state(app)
    now = time.monotonic()
    if state.index is not None and now - state.checked_at < VOCABULARY_TTL:
        return state.index
    with state.lock:
        if state.index is not None and now - state.checked_at < VOCABULARY_TTL:
            return state.index
        vocabulary = taxonomy.load(session)
        if state.index is None or vocabulary != state.vocabulary:
            if state.index is not None:
                state.index.close()
                state.index = None
            state.index = _open(state, session, vocabulary)
            state.vocabulary = vocabulary
        state.vocabulary_at = state.checked_at = now
        return state.index


def _open(state: SearchState, session: Session, vocabulary: Vocabulary) -> Index:
    with _opening_lock(state.path):
        index = Index.open(state.path, synonyms=taxonomy.synonym_groups(vocabulary))
        prune_corrupt(state.path, keep=state.keep_corrupt)
        if index.needs_rebuild:
            # procs=1: forking writer processes from a threaded web worker is unsafe.
            search.rebuild(session=session, index=index, procs=1)
        return index


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


def prune_corrupt(path: str, *, keep: int) -> None:
    """Keep the `keep` newest generations moved aside as corrupt; delete older ones.

    They are kept to be inspected, not served, and each is the size of a whole index.
    (Old good generations are already bounded by the indexer's own clean-up.)
    """
    root = Path(path)
    if not root.is_dir():
        return
    aside = sorted(
        (p for p in root.iterdir() if p.name.startswith("corrupt-") and p.is_dir()),
        key=lambda p: p.stat().st_mtime,
    )
    for old in aside[: max(0, len(aside) - keep)]:
        shutil.rmtree(old, ignore_errors=True)


# --- request paths: degrade, never fail ----------------------------------------------------


def load_vocabulary(session: Session, app: Flask | None = None) -> Vocabulary:
    """The taxonomy, refreshed every VOCABULARY_TTL seconds, whether or not the index opens."""
    state = _state(app)
    now = time.monotonic()
    if now - state.vocabulary_at >= VOCABULARY_TTL and usable_index(session, app) is None:
        # get_index refreshes it along with the index; without an index, read it here.
        state.vocabulary, state.vocabulary_at = taxonomy.load(session), now
    return state.vocabulary


def usable_index(session: Session, app: Flask | None = None) -> Index | None:
    """The index if it can serve; None (and a repair under way) when it cannot."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    state = _state(app)
    if state.problem is not None:
        _start_repair(app, state)  # no-op while one runs or soon after one failed
        return None
    try:
        index = get_index(session, app)
        _retrying(session, index.last_change_id)  # opens the searcher: a deleted folder fails
        return index
    except Exception as exc:  # any index failure: the page is served without the index
        session.rollback()
        index_failed(exc, app)
        return None


def _retrying(session: Session, call: Callable[[], T]) -> T:
    """`call()`, tried a second time after a failure: a reader racing a writer over a shared
    segment file fails once and then reads fine; only a second failure means a broken index."""
    try:
        return call()
    except Exception as exc:
        log.info("search index read failed once (%s: %s); retrying", type(exc).__name__, exc)
        session.rollback()
        time.sleep(RETRY_DELAY)
        return call()


def index_failed(exc: BaseException, app: Flask | None = None) -> None:
    """Record that the index cannot serve, log why, and start a background repair."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    state = _state(app)
    if state.problem is None:
        log.warning(
            "search index failed (%s: %s); serving from the database and repairing it",
            type(exc).__name__,
            exc,
            exc_info=exc,
        )
    state.problem = f"{type(exc).__name__}: {exc}"
    _start_repair(app, state)


def run_search(
    session: Session,
    query: Query,
    app: Flask | None = None,
    *,
    correct: bool = False,
    within: list[int] | None = None,
) -> Searched:
    """Search with the index (correcting a typo that finds nothing when `correct`); with the
    database fallback when the index cannot serve."""
    index = usable_index(session, app)
    if index is not None:
        try:
            cache = _state(app).results
            found, corrected_from = _retrying(
                session,
                lambda: catalogue.search_correcting(
                    session=session,
                    index=index,
                    query=query,
                    cache=cache,
                    correct=correct,
                    within=within,
                ),
            )
            return Searched(found, degraded=False, corrected_from=corrected_from)
        except Exception as exc:  # an index failure mid-search: same as one at open
            session.rollback()
            index_failed(exc, app)
    return Searched(search_fallback.database_search(session=session, query=query), degraded=True)


# --- background repair ---------------------------------------------------------------------


def _start_repair(app: Flask, state: SearchState) -> None:
    with state.lock:
        if state.repair is not None or time.monotonic() - state.repair_failed_at < REPAIR_BACKOFF:
            return
        state.repair = threading.Thread(
            target=_repair, args=(app, state), name="kb-index-repair", daemon=True
        )
        state.repair.start()


def _repair(app: Flask, state: SearchState) -> None:
    try:
        with state.lock:
            if state.index is not None:
                state.index.close()
            state.index = None
        with db.session_scope(db.get_engine(app)) as session:
            vocabulary = taxonomy.load(session)
            index = _open(state, session, vocabulary)
            search.sync(session=session, index=index, timeout=30.0)
            index.last_change_id()
        with state.lock:
            state.index, state.vocabulary = index, vocabulary
            state.vocabulary_at = state.checked_at = time.monotonic()
            state.problem = None
        log.info("search index repaired: %d document(s)", index.doc_count())
    except Exception:
        state.repair_failed_at = time.monotonic()
        log.exception("search index repair failed; next try in %.0f s", REPAIR_BACKOFF)
    finally:
        state.repair = None


def wait_for_repair(app: Flask, timeout: float = 60.0) -> bool:
    """Wait for a running repair to end; True when the index serves again."""
    thread = _state(app).repair
    if thread is not None:
        thread.join(timeout)
    return _state(app).problem is None


# --- /healthz ------------------------------------------------------------------------------


def health(
    session: Session, *, max_lag: int, app: Flask | None = None
) -> tuple[int, dict[str, Any]]:
    """/healthz: 503 with the reason (database, rebuilding, cannot write, lag, wrong answers),
    else 200."""
    state = _state(app)
    try:
        latest = search.latest_change_id(session)  # also proves the database answers
    except SQLAlchemyError as exc:
        return 503, {"status": "error", "reason": f"database unreachable: {_short(exc)}"}
    index = usable_index(session, app)
    if index is None:
        reason = f"search index is being rebuilt ({state.problem})"
        return 503, {"status": "rebuilding", "reason": reason, "database": "ok"}
    try:
        problem = _write_problem(session, index, state)
        applied = index.last_change_id()
        documents = index.doc_count()
        wrong = _wrong_answers(index, state)
    except Exception as exc:
        index_failed(exc, app)
        return 503, {"status": "rebuilding", "reason": f"search index failed: {_short(exc)}"}
    figures: dict[str, Any] = {
        "database": "ok",
        "index_documents": documents,
        "index_lag": latest - applied,
        "index_change": applied,
        "latest_change": latest,
    }
    if problem:
        reason = f"search index cannot be written: {problem}"
        return 503, {"status": "error", "reason": reason, **figures}
    if wrong:
        reason = f"search answers are wrong ({len(wrong)}): {wrong[0]}; run `kb index verify`"
        return 503, {"status": "error", "reason": reason, **figures}
    if latest - applied > max_lag:
        reason = f"search index is {latest - applied} changes behind (KB_HEALTH_MAX_LAG={max_lag})"
        return 503, {"status": "lagging", "reason": reason, **figures}
    return 200, {"status": "ok", **figures}


def _wrong_answers(index: Index, state: SearchState) -> tuple[str, ...]:
    """search.audit of the index, redone only when the index changed since the last one."""
    at = index.state()
    done = state.audited
    if done is None or done[0] != at:
        done = state.audited = (at, search.audit(index))
    return done[1]


def _write_problem(session: Session, index: Index, state: SearchState) -> str | None:
    """Why the index cannot be written (catch up, then write and sync a small probe), or None.

    A failure is always probed again at the next call; a success is trusted for PROBE_TTL.
    """
    try:
        search.sync(session=session, index=index, timeout=0.5)  # a busy lock is not a problem
        if time.monotonic() - state.probed_at < PROBE_TTL:
            return None
        probe = Path(state.path) / f".healthz-{os.getpid()}-{threading.get_ident()}"
        try:
            with open(probe, "wb") as handle:
                handle.write(b"\0" * PROBE_BYTES)
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            probe.unlink(missing_ok=True)
    except OSError as exc:
        session.rollback()
        state.probed_at = float("-inf")
        return _short(exc)
    state.probed_at = time.monotonic()
    return None


def _short(exc: BaseException) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


# --- accessors -----------------------------------------------------------------------------


def result_cache(app: Flask | None = None) -> search.ResultCache:
    """This process's cache of search results (see kb.search.ResultCache)."""
    return _state(app).results


def vocabulary(app: Flask | None = None) -> Vocabulary:
    return _state(app).vocabulary


def reset(app: Flask) -> None:
    """Forget the open index (after an import changed the taxonomy, or a rebuild elsewhere)."""
    state = _state(app)
    thread = state.repair
    if thread is not None:
        thread.join(60)
    with state.lock:
        if state.index is not None:
            state.index.close()
        state.index = None
        state.checked_at = 0.0
