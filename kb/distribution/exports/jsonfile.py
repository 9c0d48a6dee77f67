"""JSON export: `{"manifest": {...}, "records": [...]}`, written record by record."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from kb.catalogue.records import Record

MEDIA_TYPE = "application/json"


def render(manifest: dict[str, Any], batches: Iterable[list[Record]]) -> Iterator[str]:
    """Chunks of one JSON document; the manifest first, then every record."""
    yield '{"manifest": ' + json.dumps(manifest, ensure_ascii=False) + ', "records": ['
    first = True
    for batch in batches:
        chunk = ",\n".join(json.dumps(r, ensure_ascii=False) for r in batch)
        if chunk:
            yield ("\n" if first else ",\n") + chunk
            first = False
    yield "\n]}\n"
