"""Security events: refused attempts written to the audit log and to the app log ("kb.security").

Each is written in a session of its own and committed at once: the request that caused it is
usually being refused (401, 403, 429) and its own transaction is rolled back. A database that
cannot take the row never changes the answer: the event is still in the app log.
"""

from __future__ import annotations

import logging

from flask import current_app, g, request
from sqlmodel import Session

from kb import audit, db
from kb.permissions import Actor, truncate_address

log = logging.getLogger("kb.security")


def network() -> str:
    """The client's /24 (IPv4) or /48 (IPv6) network, as the audit log keeps addresses."""
    return truncate_address(request.remote_addr) or "unknown"


def report(event: audit.SecurityEvent, actor: Actor) -> None:
    """Record the event (built with `network()`) of this request by `actor`; never raises."""
    log.warning(
        "%s from %s (%s %s): %s",
        event.action,
        event.network,
        request.method,
        request.path,
        {k: v for k, v in event.detail().items() if k != "network"},
    )
    request_session = g.get("kb_session")
    if request_session is not None:  # the refused request's writes, and its SQLite write lock
        request_session.rollback()
    try:
        with Session(db.get_engine(current_app)) as session:
            audit.record(session, actor, event)
            session.commit()
    except Exception:
        log.exception("could not write %s to the audit log", event.action)
