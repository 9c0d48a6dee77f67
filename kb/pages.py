"""Editorial pages (About), one row per slug and language: the only writer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from kb.errors import NotFound
from kb.models import Page, utcnow


@dataclass(frozen=True)
class PageData:
    slug: str
    language: str
    title: str
    body: str
    sources: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def save(*, session: Session, pages: list[PageData]) -> tuple[int, int]:
    """Upsert pages by (slug, language), no commit; return (created, updated)."""
    existing = {(p.slug, p.language): p for p in session.exec(select(Page))}
    created = updated = 0
    for data in pages:
        values: dict[str, Any] = {
            "title": data.title,
            "body": data.body,
            "sources": [dict(s) for s in data.sources],
        }
        row = existing.get((data.slug, data.language))
        if row is None:
            session.add(Page(slug=data.slug, language=data.language, **values))
            created += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.updated_at = utcnow()
            session.add(row)
            updated += 1
    session.flush()
    return created, updated


def get(session: Session, slug: str, language: str) -> Page:
    page = session.exec(select(Page).where(Page.slug == slug, Page.language == language)).first()
    if page is None:
        raise NotFound(f"no page {slug!r} in {language!r}")
    return page


def all_pages(session: Session) -> list[Page]:
    return list(session.exec(select(Page).order_by(Page.slug, Page.language)))


def to_data(page: Page) -> PageData:
    return PageData(page.slug, page.language, page.title, page.body, tuple(page.sources))
