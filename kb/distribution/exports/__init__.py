"""Exports of any set of practices: one renderer per format, each taking records.

A `Selection` says which practices (the whole catalogue, a search, a list of slugs), how many,
and yields their public records a batch at a time; each renderer (`jsonfile`, `csvfile`,
`markdown_zip`, `booklet`) turns those batches into chunks of output, so an export of any size
streams with one batch in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from sqlmodel import Session

from indexer import Index, Query
from kb.catalogue import fields, records
from kb.catalogue.records import Record, UrlsFor
from kb.collections import reads as collection_reads
from kb.models import Collection, Practice
from kb.search import index_sync as search

SEARCH_PAGE = 100


@dataclass
class Selection:
    """Which practices an export holds and where they came from."""

    kind: str  # "catalogue" | "search" | "selection" | "collection"
    count: int
    practices: Callable[[], Iterator[Sequence[Practice]]]
    query: dict[str, Any] = field(default_factory=dict)
    collection: dict[str, Any] | None = None  # the collection's public record, for its exports

    def batches(self, session: Session, *, urls: UrlsFor) -> Iterator[list[Record]]:
        """The selection's public records, a batch at a time."""
        for batch in self.practices():
            if batch:
                yield records.practice_records(session, batch, urls=urls)


def catalogue(session: Session) -> Selection:
    """Every published practice, in slug order."""
    return Selection(
        "catalogue",
        records.published_count(session),
        lambda: records.published_batches(session),
    )


def by_slugs(session: Session, slugs: Sequence[str]) -> Selection:
    """A personal selection: the published practices among `slugs`, in their order."""
    found = records.published_by_slugs(session, slugs)

    def batches() -> Iterator[Sequence[Practice]]:
        for start in range(0, len(found), records.BATCH):
            yield found[start : start + records.BATCH]

    return Selection("selection", len(found), batches, {"slugs": list(slugs)})


def by_collection(
    session: Session, collection: Collection, *, record: dict[str, Any]
) -> Selection:
    """A collection's published practices in its order; `record` (with every entry, archived
    ones marked) travels in the manifest."""
    chosen = [e.practice for e in collection_reads.entries(session, collection) if e.practice]

    def batches() -> Iterator[Sequence[Practice]]:
        for start in range(0, len(chosen), records.BATCH):
            yield chosen[start : start + records.BATCH]

    query = {"collection": collection.slug, "version": collection.version}
    return Selection("collection", len(chosen), batches, query, record)


def by_search(session: Session, index: Index, query: Query, *, source: dict[str, Any]) -> Selection:
    """Every result of a search (not just one page), in the search's order."""
    first = search.search(session=session, index=index, query=_page(query, 1))

    def batches() -> Iterator[Sequence[Practice]]:
        seen: set[int] = set()
        found = first
        page = 1
        while True:
            fresh = [p for p in found.practices if p.id not in seen]
            seen.update(p.id for p in fresh if p.id is not None)
            yield fresh
            if not found.results.hits or page * SEARCH_PAGE >= found.results.total:
                return
            page += 1
            found = search.search(session=session, index=index, query=_page(query, page))

    return Selection("search", first.results.total, batches, source)


def _page(query: Query, page: int) -> Query:
    return Query(
        text=query.text,
        filters=query.filters,
        sort=query.sort,
        lang=query.lang,
        page=page,
        per_page=SEARCH_PAGE,
    )


def kb_version() -> str:
    try:
        return metadata.version("kb")
    except metadata.PackageNotFoundError:
        return "unknown"


def manifest(selection: Selection, *, url: str | None, fmt: str) -> dict[str, Any]:
    """What an export holds: when, from what, how many records, the field dictionary, kb version."""
    return {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "format": fmt,
        "source": {"kind": selection.kind, "query": selection.query, "url": url},
        **({"collection": selection.collection} if selection.collection is not None else {}),
        "count": selection.count,
        "fields": [f for f in fields.dictionary() if fmt in f["formats"]],
        "kb_version": kb_version(),
    }
