"""Atom feeds of new and updated practices, built from public records with feedgen.

Entry ids are stable (`urn:uuid:` derived from the practice's slug and the feed's language), so a
reader sees an update as the same entry changed; `updated` is the practice's last change and
`published` its publication date, exactly as stored. URLs are passed in.
"""

from __future__ import annotations

import heapq
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from kb.catalogue.records import Record
from kb.models import Practice, PracticeTerm, TaxonomyTerm

MEDIA_TYPE = "application/atom+xml"
LIMIT = 50
NAMESPACE = uuid.UUID("6f0e3f0a-3c1e-5b6a-9a59-6b62a1c0f10a")  # kb's own: ids never collide


@dataclass(frozen=True)
class FeedInfo:
    key: str  # what the feed is of (e.g. "theme:hate", "search:q=...&theme=..."), for its id
    title: str
    subtitle: str
    lang: str
    self_url: str
    page_url: str
    changed_at: datetime | None = None  # what the feed is of changed then (e.g. a collection)


def entry_id(slug: str, lang: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'practice:{slug}:{lang}')}"


def feed_id(key: str, lang: str) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'feed:{key}:{lang}')}"


def render(
    info: FeedInfo, entries: Sequence[Record], *, theme_label: Callable[[str], str]
) -> bytes:
    """The Atom document of `entries` (newest change first)."""
    # Imported here: feedgen brings lxml and dateutil, which only feed requests need.
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(feed_id(info.key, info.lang))
    fg.title(info.title)
    fg.subtitle(info.subtitle)
    fg.language(info.lang)
    fg.author({"name": "kb"})
    fg.link(href=info.self_url, rel="self", type=MEDIA_TYPE)
    fg.link(href=info.page_url, rel="alternate", type="text/html")
    fg.generator("kb")
    stamps = [_parse(r["updated_at"]) for r in entries]
    stamps += [_aware(info.changed_at)] if info.changed_at else []
    fg.updated(max(stamps) if stamps else datetime(2024, 5, 1, tzinfo=UTC))
    # feedgen writes entries in reverse order of addition (newest added last shows first).
    for record in reversed(entries):
        lang = info.lang
        fe = fg.add_entry()
        fe.id(entry_id(record["slug"], lang))
        fe.title(record[f"title_{lang}"])
        fe.summary(record[f"summary_{lang}"])
        fe.link(href=record["urls"][lang], rel="alternate", type="text/html")
        fe.updated(_parse(record["updated_at"]))
        if record["published_at"]:
            fe.published(_parse(record["published_at"]))
        fe.author({"name": record["lead_organisation"]})
        for slug in record["themes"]:
            fe.category(term=slug, label=theme_label(slug))
    return bytes(fg.atom_str(pretty=True))


def _parse(stamp: str) -> datetime:
    value = datetime.fromisoformat(stamp)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def latest(batches: Iterable[Sequence[Practice]], *, limit: int = LIMIT) -> list[Practice]:
    """The `limit` most recently changed practices of a stream of batches (bounded memory)."""
    keyed = (
        (_aware(p.updated_at), p.id or 0, p) for batch in batches for p in batch
    )
    return [item[2] for item in heapq.nlargest(limit, keyed, key=lambda t: (t[0], t[1]))]


def latest_published(
    session: Session,
    *,
    theme: str | None = None,
    country: str | None = None,
    limit: int = LIMIT,
) -> list[Practice]:
    """The most recently changed published practices, optionally of one theme or country."""
    statement = select(Practice).where(Practice.state == "published")
    if country:
        statement = statement.where(Practice.country == country)
    if theme:
        statement = statement.where(
            col(Practice.id).in_(
                select(PracticeTerm.practice_id)
                .join(TaxonomyTerm, col(TaxonomyTerm.id) == col(PracticeTerm.term_id))
                .where(TaxonomyTerm.kind == "theme", TaxonomyTerm.slug == theme)
            )
        )
    statement = statement.order_by(col(Practice.updated_at).desc(), col(Practice.id).desc())
    return list(session.exec(statement.limit(limit)))
