"""A practice as plain data: what forms, content files and the API all produce."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class SourceData:
    title: str
    url: str
    publisher: str | None = None
    date: str | None = None
    language: str | None = None
    note_fr: str | None = None
    note_en: str | None = None


@dataclass(frozen=True)
class PracticeData:
    """A practice as plain data: what forms, content files and the API all produce.

    Its fields are the written ones of `kb.catalogue.fields` (a test keeps the two the same); this
    class gives them their Python types and defaults."""

    slug: str
    title_fr: str
    title_en: str
    summary_fr: str
    summary_en: str
    language: str
    cities: tuple[str, ...]
    country: str
    themes: tuple[str, ...]
    lead_organisation: str
    status: str
    evidence_level: str
    sources: tuple[SourceData, ...]
    body: str = ""
    original_title: str | None = None
    region: str | None = None
    approaches: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    start_year: int | None = None
    end_year: int | None = None
    evaluation: str | None = None
    lessons: str | None = None
    contact_organisation: str | None = None
    events: tuple[str, ...] = ()
    # The translated side (language = the other one of fr/en); see BODY_FORMAT / content README.
    body_translation: str = ""
    evaluation_translation: str | None = None
    lessons_translation: str | None = None
    # French forms of names when they differ from the English ones held in the plain fields.
    lead_organisation_fr: str | None = None
    partners_fr: tuple[str, ...] = ()
    region_fr: str | None = None
    contact_organisation_fr: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    checked_on: str | None = None
    original_title_language: str | None = None

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready dict (for revisions and diffs)."""
        data = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}
