"""Calling the domain's writers the way a request does: act, then commit the unit of work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from kb import uow
from kb.permissions import Actor

OPERATOR = Actor.system("tests")


def committed(
    write: Callable[..., Any],
    *,
    session: Session,
    index: Any = None,
    actor: Actor | None = None,
    **kwargs: Any,
) -> Any:
    """Run a domain writer as `actor` (the operator by default), commit, let `index` catch up."""
    result = write(session=session, actor=actor or OPERATOR, **kwargs)
    uow.commit(session=session, index=index)
    return result
