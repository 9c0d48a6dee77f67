"""CSV export: one row per practice, the documented columns of `kb.fields`, UTF-8 with a BOM.

Multi-valued fields are joined with ` | `. The `excel-fr` dialect uses `;`, as French spreadsheet
software expects by default; `standard` uses `,`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from kb.catalogue import fields
from kb.catalogue.records import Record

MEDIA_TYPE = "text/csv; charset=utf-8"
DIALECTS = {"standard": ",", "excel-fr": ";"}
BOM = "\ufeff"


def render(batches: Iterable[list[Record]], *, dialect: str = "standard") -> Iterator[str]:
    """Chunks of the CSV text: the BOM and header, then a chunk per batch of records."""
    columns = fields.carried_by("csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DIALECTS[dialect], lineterminator="\r\n")
    writer.writerow(fields.csv_header())
    yield BOM + _drain(buffer)
    for batch in batches:
        for record in batch:
            writer.writerow([cell for f in columns for cell in f.csv_cells(record[f.name])])
        yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
