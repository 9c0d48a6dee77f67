"""The moderation workflow: which state moves are allowed, as one table."""

from __future__ import annotations

from kb.errors import BadRequest

# state -> states it may move to. Seed imports create practices directly as published.
TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"submitted", "archived"}),
    "submitted": frozenset({"draft", "published", "archived"}),
    "published": frozenset({"archived", "draft"}),
    "archived": frozenset({"draft", "published"}),
}


def check_transition(current: str, target: str) -> None:
    """Raise BadRequest unless the workflow allows moving from `current` to `target`."""
    if target not in TRANSITIONS:
        raise BadRequest(
            f"state: unknown state {target!r}; expected one of {', '.join(TRANSITIONS)}"
        )
    if target not in TRANSITIONS.get(current, frozenset()):
        allowed = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "none"
        raise BadRequest(f"state: cannot move from {current} to {target} (allowed: {allowed})")
