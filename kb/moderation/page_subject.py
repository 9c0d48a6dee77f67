"""Editorial pages edited like practices: a proposal (kind "page") per edit, reviewed by four eyes.

The proposal machinery is the same: the `MOVES` table and its permissions (so no one
approves their own edit), `kb.moderation.reviews` for decisions, comments and the checklist, the
queue and the notifications. What differs is the subject (`SUBJECT`, behind
`kb.moderation.subjects.Subject`): the proposal holds a `pages.PageEdit` (titles and Markdown
bodies in French and English), its base is the page's version, publishing goes through
`pages.publish`, and the checks are the page's (`pages.validate_edit`).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from kb import audit
from kb.catalogue import diff, pages
from kb.catalogue.pages import PageEdit
from kb.catalogue.taxonomy import Vocabulary
from kb.errors import N_, BadRequest, Conflict, FieldError, Text, ValidationError
from kb.models import Proposal, User
from kb.moderation import checks as harm
from kb.moderation import workflow as proposal_moves
from kb.moderation.workflow import (
    NOTE_MAX,
    OPEN,
    Endpoints,
    Link,
    check_move,
    enter_review,
    get,
)
from kb.permissions import Actor, require

KIND = "page"
BILINGUAL = ("title", "body")


def data_of(proposal: Proposal) -> PageEdit:
    return PageEdit.from_snapshot(proposal.data)


def _check(data: PageEdit, note: str, *, sizes_only: bool) -> None:
    problems = pages.validate_edit(data, sizes_only=sizes_only)
    if len(note) > NOTE_MAX or "\x00" in note:
        problems.append(FieldError("note", N_("expected at most %(max)s characters"), max=NOTE_MAX))
    if problems:
        raise ValidationError(problems)


def _page_proposal(session: Session, proposal_id: int) -> Proposal:
    proposal = get(session, proposal_id)
    if proposal.kind != KIND:
        raise BadRequest(N_("kind: this proposal is not an edit of an editorial page"))
    return proposal


# --- reading ---------------------------------------------------------------------------------


def changes(session: Session, proposal: Proposal) -> list[diff.FieldDiff]:
    """What the proposal changes in the live page, French and English side by side."""
    live = pages.edit_of(session, proposal.slug).snapshot()
    return diff.compare(live, proposal.data, order=pages.FIELDS[1:], bilingual=BILINGUAL)


def changed_since_base(session: Session, proposal: Proposal) -> list[diff.FieldDiff]:
    """What was published on the page after the proposal's base version."""
    current = pages.version_of(session, proposal.slug)
    if proposal.base_version in (None, current):
        return []
    assert proposal.base_version is not None
    base = pages.snapshot_at(session, proposal.slug, proposal.base_version) or {}
    live = pages.edit_of(session, proposal.slug).snapshot()
    return diff.compare(base, live, order=pages.FIELDS[1:], bilingual=BILINGUAL)


def open_for(session: Session, slug: str) -> list[tuple[Proposal, str]]:
    rows = session.exec(
        select(Proposal, User.display_name)
        .join(User, col(User.id) == col(Proposal.author_id))
        .where(Proposal.kind == KIND, Proposal.slug == slug, col(Proposal.status).in_(OPEN))
        .order_by(col(Proposal.id))
    ).all()
    return [(p, name) for p, name in rows]


def of_page(session: Session, actor: Actor, slug: str) -> list[Proposal]:
    """Every proposal on the page (any status), newest first, for its history."""
    require(actor, "page.propose")
    statement = select(Proposal).where(Proposal.kind == KIND, Proposal.slug == slug)
    return list(session.exec(statement.order_by(col(Proposal.id).desc())))


def compare_versions(session: Session, slug: str, a: int, b: int) -> list[diff.FieldDiff]:
    before, after = pages.snapshot_at(session, slug, a), pages.snapshot_at(session, slug, b)
    if before is None or after is None:
        raise BadRequest(N_("version: no such version of this page"))
    return diff.compare(before, after, order=pages.FIELDS[1:], bilingual=BILINGUAL)


# --- writing ---------------------------------------------------------------------------------


def start(
    *,
    session: Session,
    actor: Actor,
    data: PageEdit,
    note: str = "",
    restored_from_version: int | None = None,
) -> Proposal:
    """A draft edit of an existing page (its slug never changes)."""
    require(actor, "page.propose")
    require(actor, "proposal.create")
    pages.edit_of(session, data.slug)  # NotFound for a page that does not exist
    _check(data, note, sizes_only=True)
    proposal = Proposal(
        kind=KIND,
        slug=data.slug,
        data=data.snapshot(),
        base_version=pages.version_of(session, data.slug),
        author_id=actor.user_id or 0,
        note=note,
        restored_from_version=restored_from_version,
    )
    session.add(proposal)
    session.flush()
    assert proposal.id is not None
    audit.record(
        session, actor, audit.ProposalCreated(proposal.id, proposal.slug, proposal.base_version)
    )
    session.flush()
    return proposal


def save(
    *,
    session: Session,
    actor: Actor,
    proposal_id: int,
    data: PageEdit,
    note: str,
    expected: str | None = None,
) -> Proposal:
    """Store the author's latest text (a draft may be incomplete; sizes are limited)."""
    proposal = _page_proposal(session, proposal_id)
    proposal_moves.check_editable(actor, proposal)
    _check(data, note, sizes_only=True)
    snapshot = PageEdit.from_snapshot({**data.snapshot(), "slug": proposal.slug}).snapshot()
    return proposal_moves.store_edit(session, actor, proposal, snapshot, note, expected)


def submit(
    *,
    session: Session,
    actor: Actor,
    proposal_id: int,
    link: Link | None = None,
    expected: str | None = None,
) -> Proposal:
    """Send to review when the page is complete (422 naming the fields otherwise)."""
    proposal = _page_proposal(session, proposal_id)
    check_move(proposal, "submit", actor)
    _check(data_of(proposal), proposal.note, sizes_only=False)
    enter_review(session, actor, proposal, link, expected)
    return proposal


def _apply(
    session: Session, actor: Actor, proposal: Proposal, vocabulary: Vocabulary
) -> tuple[int, None]:
    """Write an approved page edit through `pages.publish`; returns the page's new version."""
    assert proposal.id is not None
    if changed_since_base(session, proposal):
        raise Conflict(
            N_(
                "page %(slug)r changed since this edit was started; rebase the proposal and "
                "review it again"
            ),
            slug=proposal.slug,
        )
    version = pages.publish(
        session=session,
        actor=actor,
        data=data_of(proposal),
        expected_version=proposal.base_version or 0,
        proposal_id=proposal.id,
    )
    return version, None


def restore(*, session: Session, actor: Actor, slug: str, version: int) -> Proposal:
    """A new proposal holding an earlier version of the page, reviewed like any other."""
    snapshot = pages.snapshot_at(session, slug, version)
    if snapshot is None:
        raise BadRequest(N_("version: no such version of this page"))
    return start(
        session=session,
        actor=actor,
        data=PageEdit.from_snapshot(snapshot),
        note=f"restore version {version}",
        restored_from_version=version,
    )


def _live_version(session: Session, proposal: Proposal) -> int:
    return pages.version_of(session, proposal.slug)


def _describe(proposal: Proposal) -> Text:
    return Text(
        N_("edit of version %(n)d of the editorial page “%(slug)s”"),
        n=proposal.base_version or 0,
        slug=proposal.slug,
    )


def _live_snapshot(session: Session, proposal: Proposal) -> dict[str, Any]:
    return pages.edit_of(session, proposal.slug).snapshot()


def _checks(session: Session, proposal: Proposal, vocabulary: Vocabulary) -> list[harm.Check]:
    return [harm.Check("blocking", e.field, e.text) for e in pages.validate_edit(data_of(proposal))]


class _PageSubject:
    kind = KIND
    bilingual: tuple[str, ...] = BILINGUAL
    endpoints = Endpoints("page_editing.edit", "page_editing.preview", "page_editing.history")
    history_label = N_("History of the page")
    stale_title = N_("The published page changed since this proposal was started")
    describe = staticmethod(_describe)
    live_snapshot = staticmethod(_live_snapshot)
    changes = staticmethod(changes)
    changed_since_base = staticmethod(changed_since_base)
    checks = staticmethod(_checks)
    live_version = staticmethod(_live_version)
    apply = staticmethod(_apply)

    @staticmethod
    def has_history(proposal: Proposal) -> bool:
        return True


SUBJECT = _PageSubject()
