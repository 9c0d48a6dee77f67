"""Print booklet: the records as sections of one printable page (cover, contents, one per page).

The web tier renders `Booklet` with its print stylesheet; this module only prepares the content
(titles in the reader's language, Markdown rendered and sanitised, anchors for the contents).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kb.catalogue.records import Record
from kb.text.markdown import render

MAX_PRACTICES = 200  # a printed booklet longer than this is better served by the CSV or JSON


@dataclass(frozen=True)
class Entry:
    anchor: str
    title: str
    summary: str
    record: Record
    body_html: str
    lessons_html: str


@dataclass(frozen=True)
class Booklet:
    entries: tuple[Entry, ...]
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.entries)


def build(
    batches: Iterable[list[Record]], *, lang: str, total: int, limit: int = MAX_PRACTICES
) -> Booklet:
    """The first `limit` records as booklet entries, in order."""
    entries: list[Entry] = []
    for batch in batches:
        for record in batch:
            if len(entries) >= limit:
                return Booklet(tuple(entries), total)
            entries.append(_entry(record, lang))
    return Booklet(tuple(entries), total)


def _entry(record: Record, lang: str) -> Entry:
    other = "en" if lang == "fr" else "fr"
    title: Any = record.get(f"title_{lang}") or record[f"title_{other}"]
    summary: Any = record.get(f"summary_{lang}") or record[f"summary_{other}"]
    return Entry(
        anchor=f"p-{record['slug']}",
        title=str(title),
        summary=str(summary),
        record=record,
        body_html=render(record["body"] or ""),
        lessons_html=render(record["lessons"] or ""),
    )


@dataclass(frozen=True)
class CollectionItem:
    slug: str
    title: str
    status: str  # current | updated | archived | removed (kb.collection_reads)
    note_html: str

    @property
    def available(self) -> bool:
        return self.status in ("current", "updated")


@dataclass(frozen=True)
class CollectionCover:
    """A collection's booklet: its title, introduction, and every entry with its note."""

    slug: str
    version: int
    title: str
    intro_html: str
    items: tuple[CollectionItem, ...]

    def note_html(self, slug: str) -> str:
        return next((i.note_html for i in self.items if i.slug == slug), "")

    @property
    def unavailable(self) -> tuple[CollectionItem, ...]:
        return tuple(i for i in self.items if not i.available)


def collection_cover(record: Record, *, lang: str) -> CollectionCover:
    """The cover and notes of a collection's booklet, from its public record."""
    return CollectionCover(
        slug=str(record["slug"]),
        version=int(record["version"]),
        title=str(record[f"title_{lang}"]),
        intro_html=render(str(record[f"intro_{lang}"] or "")),
        items=tuple(
            CollectionItem(
                slug=i["slug"],
                title=i[f"title_{lang}"],
                status=i["status"],
                note_html=render(i[f"note_{lang}"] or ""),
            )
            for i in record["items"]
        ),
    )
