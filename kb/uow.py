"""One unit of work per request or CLI command: domain functions flush, this commits.

After the commit the search index catches up with the change log. The change is already safe in
the database at that point, so a failure to write the index never fails the caller: it is logged
and the next sync (another request, `kb index sync`, the next start) applies the change.
"""

from __future__ import annotations

import logging

from sqlmodel import Session

from indexer import Index
from kb.search import index_sync as search

log = logging.getLogger(__name__)


def commit(*, session: Session, index: Index | None = None) -> None:
    """Commit the session's transaction, then let `index` (if any) catch up."""
    session.commit()
    if index is None:
        return
    try:
        search.sync(session=session, index=index)
    except Exception:  # the change log keeps the change; any later sync applies it
        log.exception("index catch-up after commit failed; the change log keeps the change")
