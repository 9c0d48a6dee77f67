"""A practice's history: every published version and every proposal, diffs, restore, archive.

Restoring a version creates a new proposal from its snapshot, reviewed like any other. Archiving
and restoring the live practice are an admin's decision, done directly (no second person is
asked: it changes no text); they go through `kb.catalogue.practices.set_state`, so the change log
takes the practice out of (or back into) every index, and the audit log names the admin.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from kb.catalogue import diff, practices
from kb.catalogue import json_io as practice_json
from kb.catalogue.reads import get_by_slug
from kb.errors import N_, NotFound
from kb.models import Practice, Proposal, Revision, User
from kb.moderation import practice_subject as proposals
from kb.permissions import Actor, allowed, require


@dataclass(frozen=True)
class Entry:
    """One line of the history: a version of the practice, or a proposal on it."""

    kind: str  # "version" or "proposal"
    version: int | None
    proposal: Proposal | None
    author: str
    created_at: object
    note: str
    status: str


def _require_reader(actor: Actor) -> None:
    """Writers read a history to edit and restore; admins to archive."""
    if not allowed(actor, "practice.archive"):
        require(actor, "proposal.create")


def practice_of(session: Session, slug: str) -> Practice:
    return get_by_slug(session, slug, published_only=False)


def history(session: Session, actor: Actor, slug: str) -> tuple[Practice, list[Entry]]:
    """Versions newest first, then every proposal on the practice (any status)."""
    _require_reader(actor)
    practice = practice_of(session, slug)
    names = dict(session.exec(select(User.id, User.display_name)).all())
    revisions = session.exec(
        select(Revision)
        .where(Revision.practice_id == practice.id)
        .order_by(col(Revision.version).desc())
    ).all()
    entries = [
        Entry(
            "version",
            r.version,
            None,
            names.get(r.author_id, "kb") if r.author_id else "kb",
            r.created_at,
            r.note or r.action,
            str(r.snapshot.get("state", "")),
        )
        for r in revisions
    ]
    rows = session.exec(
        select(Proposal)
        .where((Proposal.practice_id == practice.id) | (Proposal.slug == practice.slug))
        .where(Proposal.kind == "practice")
        .order_by(col(Proposal.id).desc())
    ).all()
    entries += [
        Entry(
            "proposal",
            p.published_version,
            p,
            names.get(p.author_id, "—"),
            p.updated_at,
            # A note is to the reviewers: its author and moderators read it, other writers not.
            p.note if allowed(actor, "proposal.read", p.author_id) else "",
            p.status,
        )
        for p in rows
    ]
    return practice, entries


def version_snapshot(session: Session, practice: Practice, version: int) -> dict[str, object]:
    assert practice.id is not None
    snapshot = proposals.snapshot_at(session, practice.id, version)
    if snapshot is None:
        raise NotFound(
            N_("practice %(slug)r has no version %(version)s"), slug=practice.slug, version=version
        )
    return snapshot


def compare_versions(
    session: Session, actor: Actor, slug: str, a: int, b: int
) -> list[diff.FieldDiff]:
    _require_reader(actor)
    practice = practice_of(session, slug)
    return diff.compare(
        version_snapshot(session, practice, a), version_snapshot(session, practice, b)
    )


def restore_version(*, session: Session, actor: Actor, slug: str, version: int) -> Proposal:
    """A new proposal whose text is version `version`, based on the live version."""
    practice = practice_of(session, slug)
    data = practice_json.from_snapshot(version_snapshot(session, practice, version))
    return proposals.start(
        session=session,
        actor=actor,
        data=replace(data, slug=practice.slug),
        base_slug=practice.slug,
        note=f"restore version {version}",
        restored_from_version=version,
    )


def _acting_as_moderator(actor: Actor) -> Actor:
    """The admin's own id, with the right to move the practice through the one write path."""
    return replace(actor, roles=actor.roles | {"moderator"})


def archive(*, session: Session, actor: Actor, slug: str) -> Practice:
    require(actor, "practice.archive")
    practice = practice_of(session, slug)
    assert practice.id is not None
    return practices.set_state(
        session=session,
        actor=_acting_as_moderator(actor),
        practice_id=practice.id,
        state="archived",
        expected_version=practice.version,
    )


def unarchive(*, session: Session, actor: Actor, slug: str) -> Practice:
    require(actor, "practice.restore")
    practice = practice_of(session, slug)
    assert practice.id is not None
    return practices.set_state(
        session=session,
        actor=_acting_as_moderator(actor),
        practice_id=practice.id,
        state="published",
        expected_version=practice.version,
    )
