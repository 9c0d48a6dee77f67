"""Markdown zip: the practices in the `content/` format, which `kb import` reads back unchanged.

The archive holds `content/taxonomy.yaml`, `content/events.yaml` (the practices refer to both)
and one `content/practices/<slug>.md` per record, written by the same renderer as
`kb export markdown`; a collection's export adds `content/collections/<slug>.yaml`
(`kb.collection_files`). It is written to a stream as it goes (zip data descriptors), never whole
in memory.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator

from kb.catalogue import records
from kb.catalogue.meetings import EventData
from kb.catalogue.records import Record
from kb.catalogue.taxonomy import Vocabulary
from kb.content.export import render_events, render_practice, render_taxonomy

MEDIA_TYPE = "application/zip"
ROOT = "content"


class _Sink:
    """A write-only file that hands its bytes over as chunks."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self.chunks)
        self.chunks.clear()
        return out


def render(
    batches: Iterable[list[Record]],
    *,
    vocabulary: Vocabulary,
    events: list[EventData],
    extra: Iterable[tuple[str, str]] = (),
) -> Iterator[bytes]:
    """Chunks of the zip archive; `extra` files (path under content/, text) come last."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:  # type: ignore[call-overload]
        archive.writestr(f"{ROOT}/taxonomy.yaml", render_taxonomy(vocabulary))
        archive.writestr(f"{ROOT}/events.yaml", render_events(events))
        yield sink.take()
        for batch in batches:
            for record in batch:
                text = render_practice(records.to_practice_data(record))
                archive.writestr(f"{ROOT}/practices/{record['slug']}.md", text)
            yield sink.take()
        for name, text in extra:
            archive.writestr(f"{ROOT}/{name}", text)
    yield sink.take()
