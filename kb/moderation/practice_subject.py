"""Working copies: a proposal holds a full proposed practice, its base version, author and status.

The published practice stays live, unchanged, while an edit of it is in review. Publishing applies
the approved proposal through `kb.catalogue.practices` (change log, revision, audit) in the
caller's transaction. Statuses and their moves live in `kb.moderation.workflow`; what every
subject shares (withdraw, rebase, publish) in `kb.moderation.subjects`.

A proposal based on an older version than the live one is never published over it: publishing
raises `StaleBase` with the diff of what changed in between, the proposal is kept, and a rebase
moves its base to the live version (the author's text is kept as it is).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from kb import audit
from kb.catalogue import diff, practices
from kb.catalogue.data import PracticeData
from kb.catalogue.json_io import from_snapshot
from kb.catalogue.reads import get_by_slug, to_data
from kb.catalogue.taxonomy import Vocabulary
from kb.catalogue.validation import validate
from kb.errors import (
    N_,
    BadRequest,
    Conflict,
    FieldError,
    Gettext,
    Text,
    ValidationError,
    english,
)
from kb.models import Event, Practice, Proposal, Revision, User
from kb.moderation import checks as harm
from kb.moderation.workflow import (
    NOTE_MAX,
    OPEN,
    Endpoints,
    Link,
    check_editable,
    check_move,
    enter_review,
    get,
    store_edit,
)
from kb.permissions import Actor, require
from kb.text.unicode import has_lone_surrogate, has_nul, paths_where

KIND = "practice"


class StaleBase(Conflict):
    """The live practice changed since the proposal's base version (409, with the diff)."""

    code = "stale_base"

    def __init__(
        self, message: str, changes: list[diff.FieldDiff], live_version: int, **params: Any
    ) -> None:
        super().__init__(message, **params)
        self.changes = changes
        self.live_version = live_version

    def to_dict(self, gettext: Gettext = english) -> dict[str, object]:
        data = super().to_dict(gettext)
        data["error"]["live_version"] = self.live_version  # type: ignore[index]
        data["error"]["changed_since_base"] = [  # type: ignore[index]
            {"field": c.field, "before": c.before, "after": c.after} for c in self.changes
        ]
        return data


# --- plain data ------------------------------------------------------------------------------


def data_of(proposal: Proposal) -> PracticeData:
    """The proposed practice (as stored; may be invalid while a draft)."""
    return from_snapshot(proposal.data)


# Browsers never send one; a JSON or YAML escape can. Refused, not replaced: the author retypes
# one character and loses nothing else.
UNPAIRED_SURROGATE = N_(
    "contains an invalid character (an unpaired UTF-16 surrogate, U+D800 to U+DFFF): "
    "retype or delete it"
)


def _check_size(data: PracticeData, note: str) -> None:
    """Drafts may be incomplete, not unbounded: the limits of `validate` on size."""
    problems = [
        e
        for e in validate(data, vocabulary=Vocabulary())
        if "at most" in e.message and e.field != "slug"
    ]
    if isinstance(data.slug, str) and len(data.slug) > 120:
        problems.append(FieldError("slug", N_("expected at most 120 characters")))
    values = {**data.snapshot(), "note": note}
    problems += [
        FieldError(name, N_("contains a NUL character")) for name in paths_where(values, has_nul)
    ]
    problems += [
        FieldError(name, UNPAIRED_SURROGATE) for name in paths_where(values, has_lone_surrogate)
    ]
    if len(note) > NOTE_MAX:
        problems.append(FieldError("note", N_("expected at most %(max)s characters"), max=NOTE_MAX))
    if problems:
        raise ValidationError(problems)


# --- reading ---------------------------------------------------------------------------------


def get_practice_proposal(session: Session, proposal_id: int) -> Proposal:
    """A proposal of a practice (an editorial page's goes through `kb.page_proposals`)."""
    proposal = get(session, proposal_id)
    if proposal.kind != KIND:
        raise BadRequest(N_("kind: this proposal is an edit of an editorial page, not a practice"))
    return proposal


def live_practice(session: Session, proposal: Proposal) -> Practice | None:
    return session.get(Practice, proposal.practice_id) if proposal.practice_id else None


def snapshot_at(session: Session, practice_id: int, version: int) -> dict[str, Any] | None:
    row = session.exec(
        select(Revision).where(Revision.practice_id == practice_id, Revision.version == version)
    ).first()
    if row is None:
        return None
    return {k: v for k, v in row.snapshot.items() if k != "state"}


def live_snapshot(session: Session, proposal: Proposal) -> dict[str, Any] | None:
    practice = live_practice(session, proposal)
    return to_data(session, practice).snapshot() if practice else None


def changes(session: Session, proposal: Proposal) -> list[diff.FieldDiff]:
    """What the proposal changes in the live practice (every field for a new one)."""
    return diff.compare(live_snapshot(session, proposal), proposal.data)


def changed_since_base(session: Session, proposal: Proposal) -> list[diff.FieldDiff]:
    """What others published after the proposal's base version (empty when up to date)."""
    practice = live_practice(session, proposal)
    if practice is None or proposal.base_version in (None, practice.version):
        return []
    assert practice.id is not None and proposal.base_version is not None
    base = snapshot_at(session, practice.id, proposal.base_version) or {}
    return diff.compare(base, to_data(session, practice).snapshot())


def open_for(session: Session, practice_id: int) -> list[tuple[Proposal, str]]:
    """Open proposals on a practice, with their author's name (shown when opening an edit)."""
    rows = session.exec(
        select(Proposal, User.display_name)
        .join(User, col(User.id) == col(Proposal.author_id))
        .where(Proposal.practice_id == practice_id, col(Proposal.status).in_(OPEN))
        .order_by(col(Proposal.id))
    ).all()
    return [(p, name) for p, name in rows]


def checks(session: Session, proposal: Proposal, vocabulary: Vocabulary) -> list[harm.Check]:
    events = tuple(session.exec(select(Event.slug)))
    return harm.run(data_of(proposal), vocabulary=vocabulary, events=events, note=proposal.note)


# --- writing ---------------------------------------------------------------------------------


def start(
    *,
    session: Session,
    actor: Actor,
    data: PracticeData,
    base_slug: str | None = None,
    note: str = "",
    restored_from_version: int | None = None,
) -> Proposal:
    """A new draft: a new practice, or (with `base_slug`) an edit of an existing one."""
    require(actor, "proposal.create")
    assert actor.user_id is not None or actor.kind == "system"
    _check_size(data, note)
    practice_id, base_version = None, None
    if base_slug:
        practice = get_by_slug(session, base_slug, published_only=False)
        practice_id, base_version = practice.id, practice.version
        data = _with_slug(data, practice.slug)
    proposal = Proposal(
        practice_id=practice_id,
        slug=data.slug[:120] if isinstance(data.slug, str) else "",
        data=data.snapshot(),
        base_version=base_version,
        author_id=actor.user_id or 0,
        note=note,
        restored_from_version=restored_from_version,
    )
    session.add(proposal)
    session.flush()
    assert proposal.id is not None
    audit.record(session, actor, audit.ProposalCreated(proposal.id, proposal.slug, base_version))
    session.flush()
    return proposal


def _with_slug(data: PracticeData, slug: str) -> PracticeData:
    from dataclasses import replace

    return replace(data, slug=slug)


def save(
    *,
    session: Session,
    actor: Actor,
    proposal_id: int,
    data: PracticeData,
    note: str | None = None,
    expected: str | None = None,
) -> Proposal:
    """Store the author's latest text (drafts may be incomplete; only sizes are limited)."""
    proposal = get_practice_proposal(session, proposal_id)
    check_editable(actor, proposal)
    note = proposal.note if note is None else note
    _check_size(data, note)
    if proposal.practice_id is not None:
        data = _with_slug(data, proposal.slug)
    proposal.slug = data.slug[:120] if isinstance(data.slug, str) else ""
    return store_edit(session, actor, proposal, data.snapshot(), note, expected)


def submit(
    *,
    session: Session,
    actor: Actor,
    proposal_id: int,
    vocabulary: Vocabulary,
    link: Link | None = None,
    expected: str | None = None,
) -> list[harm.Check]:
    """Send to review unless a blocking check fails (422 listing them); returns the warnings."""
    proposal = get_practice_proposal(session, proposal_id)
    check_move(proposal, "submit", actor)
    found = checks(session, proposal, vocabulary)
    blocking = [FieldError(c.field, c.text) for c in found if c.blocking]
    if blocking:
        raise ValidationError(blocking)
    if proposal.practice_id is None and _slug_taken(session, proposal.slug):
        raise ValidationError(
            [
                FieldError(
                    "slug", N_("%(slug)r is already used by another practice"), slug=proposal.slug
                )
            ]
        )
    enter_review(session, actor, proposal, link, expected)
    return [c for c in found if not c.blocking]


def _slug_taken(session: Session, slug: str) -> bool:
    return session.exec(select(Practice.id).where(Practice.slug == slug)).first() is not None


def _apply(
    session: Session, actor: Actor, proposal: Proposal, vocabulary: Vocabulary
) -> tuple[int, Practice]:
    """Write the approved practice through `kb.catalogue.practices` (the caller commits)."""
    assert proposal.id is not None
    data = data_of(proposal)
    practice = live_practice(session, proposal)
    if practice is None:
        practice = practices.create(
            session=session, actor=actor, data=data, vocabulary=vocabulary, state="published"
        )
    else:
        stale = changed_since_base(session, proposal)
        if stale:
            raise StaleBase(
                N_(
                    "practice %(slug)r changed since this proposal was started (version "
                    "%(base)s, now %(version)s); rebase the proposal and review it again"
                ),
                stale,
                practice.version,
                slug=practice.slug,
                base=proposal.base_version,
                version=practice.version,
            )
        assert practice.id is not None and proposal.base_version is not None
        practice = practices.update(
            session=session,
            actor=actor,
            practice_id=practice.id,
            data=data,
            expected_version=proposal.base_version,
            vocabulary=vocabulary,
        )
        if practice.state != "published":
            assert practice.id is not None
            practice = practices.set_state(
                session=session,
                actor=actor,
                practice_id=practice.id,
                state="published",
                expected_version=practice.version,
            )
    assert practice.id is not None
    proposal.practice_id = practice.id
    audit.record(
        session,
        actor,
        audit.ProposalPublished(proposal.id, proposal.slug, practice.id, practice.version),
    )
    session.flush()
    return practice.version, practice


def _live_version(session: Session, proposal: Proposal) -> int:
    practice = live_practice(session, proposal)
    if practice is None:
        raise BadRequest(N_("rebase: this proposal is for a new practice, it has no base"))
    return practice.version


def _describe(proposal: Proposal) -> Text:
    if proposal.practice_id is None:
        return Text(N_("new practice"))
    return Text(N_("edit of version %(n)d of the published practice"), n=proposal.base_version or 0)


class _PracticeSubject:
    kind = KIND
    bilingual: tuple[str, ...] = ()
    endpoints = Endpoints("moderation.edit", "spotlight_preview.stored", "review.practice_history")
    history_label = N_("History of the practice")
    stale_title = N_("The published practice changed since this proposal was started")
    describe = staticmethod(_describe)
    live_snapshot = staticmethod(live_snapshot)
    changes = staticmethod(changes)
    changed_since_base = staticmethod(changed_since_base)
    checks = staticmethod(checks)
    live_version = staticmethod(_live_version)
    apply = staticmethod(_apply)

    @staticmethod
    def has_history(proposal: Proposal) -> bool:
        return proposal.practice_id is not None


SUBJECT = _PracticeSubject()
