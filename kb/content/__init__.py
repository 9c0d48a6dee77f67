"""`content/` files <-> records: parse and validate with line numbers, import, canonical export.

The package follows the seams of the format:

    source         text of a file (size, encoding), front matter, YAML with the line of every key
    checker        typed access to a parsed document, errors recorded as `path:line: field: message`
    practice_file  one practice (a file or pasted text) -> PracticeData
    taxonomy_file  taxonomy.yaml -> Vocabulary
    event_file     events.yaml -> EventData
    page_file      pages/<slug>.<language>.md (a file or text) -> PageData
    folder         `load(directory)` checks every file at once and raises `ContentErrors`;
                   `apply` upserts a clean set in the caller's transaction

`export(session, directory)` (in `kb.content_export`) writes the canonical format, so that import
then export of the seed content gives byte-identical files.
"""

from __future__ import annotations

from kb.content.event_file import parse_events
from kb.content.folder import ContentSet, ImportReport, apply, load
from kb.content.page_file import parse_page, parse_page_text
from kb.content.practice_file import normalise_body, parse_practice, parse_practice_text
from kb.content.source import MAX_FILE_BYTES, ContentError, ContentErrors
from kb.content.taxonomy_file import parse_taxonomy
from kb.content_export import (
    dump_yaml,
    export,
    practice_front_matter,
    render_events,
    render_page,
    render_practice,
    render_taxonomy,
)
from kb.practices import PracticeData

__all__ = [
    "MAX_FILE_BYTES",
    "ContentError",
    "ContentErrors",
    "ContentSet",
    "ImportReport",
    "PracticeData",
    "apply",
    "dump_yaml",
    "export",
    "load",
    "normalise_body",
    "parse_events",
    "parse_page",
    "parse_page_text",
    "parse_practice",
    "parse_practice_text",
    "parse_taxonomy",
    "practice_front_matter",
    "render_events",
    "render_page",
    "render_practice",
    "render_taxonomy",
]
