"""/healthz: whether this node can serve searches (database, index open, writable, in step,
answering right), with the figures a load balancer and an operator read."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from indexer import Index
from kb.search import index_sync as search

if TYPE_CHECKING:
    from flask import Flask
from kb.search.service import SearchState, index_failed, search_state, usable_index

PROBE_BYTES = 4096  # what /healthz writes into the index folder to know it can be written
# A successful write probe is trusted this long: a load balancer polling /healthz under load
# would otherwise pay a file create, fsync and unlink per poll, each a wait for the GIL.
PROBE_TTL = 2.0


def health(
    session: Session, *, max_lag: int, app: Flask | None = None
) -> tuple[int, dict[str, Any]]:
    """/healthz: 503 with the reason (database, rebuilding, cannot write, lag, wrong answers),
    else 200."""
    state = search_state(app)
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


