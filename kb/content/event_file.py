"""`events.yaml` -> EventData list."""

from __future__ import annotations

from pathlib import Path

from kb.catalogue.meetings import EventData
from kb.catalogue.validation import SLUG_RE
from kb.content.checker import check_sources, open_file
from kb.content.export import _source_dict
from kb.content.source import ContentError
from kb.errors import N_

EVENT_KEYS = (
    "slug",
    "title",
    "place",
    "start_date",
    "end_date",
    "organiser",
    "note",
    "sources",
)


def parse_events(path: Path, errors: list[ContentError]) -> list[EventData]:
    opened = open_file(path, errors, front_matter=False)
    if opened is None:
        return []
    check = opened[0]
    data = check.mapping(check.located.value, "", ("events",))
    items = data.get("events") or []
    if not isinstance(items, list):
        check.error("events", N_("expected a list of events"))
        return []
    out: list[EventData] = []
    for i, item in enumerate(items):
        where = f"events[{i}]"
        item = check.mapping(item, where, EVENT_KEYS)
        slug = check.text(item, "slug", f"{where}.slug") or ""
        if not SLUG_RE.match(slug):
            check.error(f"{where}.slug", N_("expected lowercase letters, digits and hyphens"))
        title = check.bilingual(item, "title", f"{where}.title")
        note = check.bilingual(item, "note", f"{where}.note") if "note" in item else ("", "")
        sources = check.sources(item, "sources") if "sources" in item else ()
        check_sources(check, sources, f"{where}.sources")
        out.append(
            EventData(
                slug=slug,
                title_fr=title[0],
                title_en=title[1],
                place=check.text(item, "place", f"{where}.place") or "",
                start_date=check.date(item.get("start_date")),
                end_date=check.date(item.get("end_date")),
                organiser=check.text(item, "organiser", f"{where}.organiser") or "",
                note_fr=note[0],
                note_en=note[1],
                sources=tuple(_source_dict(s) for s in sources),
            )
        )
    return out
