"""Editorial pages (About, legal notice…), one row per slug and language: the only writer.

Two ways in, one write path (`_write`): the content import (`save`, by (slug, language)) and a
reviewed proposal (`publish`, both languages at once). Each change of a page's text records a
`PageRevision` of both languages, which gives its history and the diff between any two versions.
A page's version is the number of its last revision (0 before any). Only the titles and bodies
are edited through proposals; a page's sources stay as the content files give them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from kb import audit
from kb.catalogue.validation import EMAIL_RE, PHONE_RE
from kb.errors import N_, Conflict, FieldError, NotFound
from kb.models import Page, PageRevision, utcnow
from kb.permissions import Actor, require

LANGUAGES = ("fr", "en")
TITLE_MAX, BODY_MAX = 200, 100_000


@dataclass(frozen=True)
class PageData:
    slug: str
    language: str
    title: str
    body: str
    sources: tuple[dict[str, Any], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PageEdit:
    """What a page proposal holds: the page's title and Markdown body in both languages."""

    slug: str
    title_fr: str
    title_en: str
    body_fr: str
    body_en: str

    def snapshot(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> PageEdit:
        """A page edit from stored or sent data (missing keys empty, non-text refused later)."""
        return cls(**{k: data.get(k, "") if data.get(k) is not None else "" for k in FIELDS})


FIELDS: tuple[str, ...] = ("slug", "title_fr", "title_en", "body_fr", "body_en")


def validate_edit(data: PageEdit, *, sizes_only: bool = False) -> list[FieldError]:
    """Every problem of a page edit; `sizes_only` for drafts (incomplete, but bounded)."""
    errors: list[FieldError] = []
    for lang in LANGUAGES:
        for name, limit in ((f"title_{lang}", TITLE_MAX), (f"body_{lang}", BODY_MAX)):
            value = getattr(data, name)
            if not isinstance(value, str):
                errors.append(FieldError(name, N_("expected text")))
            elif len(value) > limit:
                errors.append(
                    FieldError(name, N_("expected at most %(max)s characters"), max=limit)
                )
            elif "\x00" in value:
                errors.append(FieldError(name, N_("contains a NUL character")))
            elif sizes_only:
                continue
            elif not value.strip():
                errors.append(FieldError(name, N_("required; expected non-empty text")))
            elif EMAIL_RE.search(value) or PHONE_RE.search(value):
                errors.append(FieldError(name, N_("contains an e-mail address or phone number")))
    return errors


# --- reading ---------------------------------------------------------------------------------


def get(session: Session, slug: str, language: str) -> Page:
    page = session.exec(select(Page).where(Page.slug == slug, Page.language == language)).first()
    if page is None:
        raise NotFound(N_("no page %(slug)r in %(language)r"), slug=slug, language=language)
    return page


def all_pages(session: Session) -> list[Page]:
    return list(session.exec(select(Page).order_by(Page.slug, Page.language)))


def slugs(session: Session) -> list[str]:
    return sorted({p.slug for p in all_pages(session)})


def to_data(page: Page) -> PageData:
    return PageData(page.slug, page.language, page.title, page.body, tuple(page.sources))


def edit_of(session: Session, slug: str) -> PageEdit:
    """The live page in both languages (NotFound when it has neither)."""
    rows = {p.language: p for p in session.exec(select(Page).where(Page.slug == slug))}
    if not rows:
        raise NotFound(N_("no page %(slug)r"), slug=slug)
    values: dict[str, str] = {}
    for lang in LANGUAGES:
        row = rows.get(lang)
        values[f"title_{lang}"] = row.title if row else ""
        values[f"body_{lang}"] = row.body if row else ""
    return PageEdit(slug=slug, **values)


def version_of(session: Session, slug: str) -> int:
    latest = session.exec(
        select(func.max(PageRevision.version)).where(PageRevision.slug == slug)
    ).one()
    return int(latest or 0)


def revisions(session: Session, slug: str) -> list[PageRevision]:
    """The page's versions, newest first."""
    statement = select(PageRevision).where(PageRevision.slug == slug)
    return list(session.exec(statement.order_by(col(PageRevision.version).desc())))


def snapshot_at(session: Session, slug: str, version: int) -> dict[str, Any] | None:
    row = session.exec(
        select(PageRevision).where(PageRevision.slug == slug, PageRevision.version == version)
    ).first()
    return dict(row.snapshot) if row else None


# --- writing ---------------------------------------------------------------------------------


def save(*, session: Session, pages: list[PageData]) -> tuple[int, int]:
    """Upsert pages by (slug, language), no commit; return (created, updated)."""
    existing = {(p.slug, p.language): p for p in session.exec(select(Page))}
    created = updated = 0
    touched: set[str] = set()
    for data in pages:
        row = existing.get((data.slug, data.language))
        if row is None:
            created += 1
        elif (row.title, row.body, row.sources) == (data.title, data.body, list(data.sources)):
            continue
        else:
            updated += 1
        _write(session, data.slug, data.language, data.title, data.body, row, data.sources)
        touched.add(data.slug)
    session.flush()
    for slug in sorted(touched):
        _revision(session, slug, "import", author_id=None, proposal_id=None)
    session.flush()
    return created, updated


def publish(
    *,
    session: Session,
    actor: Actor,
    data: PageEdit,
    expected_version: int,
    proposal_id: int | None = None,
) -> int:
    """Write a reviewed edit of both languages if `expected_version` is still the page's
    version (flushed; the caller commits); returns the new version."""
    require(actor, "page.update")
    before = edit_of(session, data.slug)
    current = version_of(session, data.slug)
    if current != expected_version:
        raise Conflict(
            N_(
                "page %(slug)r changed since this edit was started (version %(expected_version)s, "
                "now %(current)s); rebase the proposal and review it again"
            ),
            slug=data.slug,
            expected_version=expected_version,
            current=current,
        )
    rows = {p.language: p for p in session.exec(select(Page).where(Page.slug == data.slug))}
    for lang in LANGUAGES:
        row = rows.get(lang)
        title, body = getattr(data, f"title_{lang}"), getattr(data, f"body_{lang}")
        _write(session, data.slug, lang, title, body, row, tuple(row.sources) if row else ())
    session.flush()
    try:
        version = _revision(
            session, data.slug, "publish", author_id=actor.user_id, proposal_id=proposal_id
        )
    except IntegrityError as exc:  # another publisher took the same version number
        session.rollback()
        raise Conflict(
            N_("page %(slug)r was changed by someone else; try again"), slug=data.slug
        ) from exc
    changed = tuple(k for k in FIELDS if getattr(before, k) != getattr(data, k))
    audit.record(session, actor, audit.PagePublished(data.slug, version, proposal_id, changed))
    session.flush()
    return version


def _write(
    session: Session,
    slug: str,
    language: str,
    title: str,
    body: str,
    row: Page | None,
    sources: tuple[dict[str, Any], ...],
) -> None:
    if row is None:
        row = Page(slug=slug, language=language, title=title, body=body)
    row.title, row.body, row.sources = title, body, [dict(s) for s in sources]
    row.updated_at = utcnow()
    session.add(row)


def _revision(
    session: Session, slug: str, action: str, *, author_id: int | None, proposal_id: int | None
) -> int:
    version = version_of(session, slug) + 1
    session.add(
        PageRevision(
            slug=slug,
            version=version,
            action=action,
            snapshot=edit_of(session, slug).snapshot(),
            author_id=author_id,
            proposal_id=proposal_id,
        )
    )
    session.flush()
    return version
