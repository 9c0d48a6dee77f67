"""The states of a practice (its place in the public catalogue), their labels and moves, as one
table. A proposal's statuses are the moderation workflow's (`kb.moderation.workflow`)."""

from __future__ import annotations

from kb.errors import N_, BadRequest

# Every state, with its label (translated where shown).
STATES: dict[str, str] = {
    "draft": N_("draft"),
    "submitted": N_("awaiting review"),
    "published": N_("published"),
    "archived": N_("archived"),
}
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
            N_("state: unknown state %(target)r; expected one of %(choices)s"),
            target=target,
            choices=", ".join(TRANSITIONS),
        )
    if target not in TRANSITIONS.get(current, frozenset()):
        allowed = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "none"
        raise BadRequest(
            N_("state: cannot move from %(current)s to %(target)s (allowed: %(allowed)s)"),
            current=current,
            target=target,
            allowed=allowed,
        )
