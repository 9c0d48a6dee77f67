"""A practice as JSON: the snapshot stored in revisions and proposals, and the API's input.

`from_snapshot` reads what `PracticeData.snapshot()` wrote; `data_from_json` checks untrusted API
JSON (the shape of `/api/v1/practices/<slug>`) field by field, naming each wrong field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from kb.catalogue.data import PracticeData, SourceData
from kb.errors import N_, FieldError, ValidationError

SOURCE_KEYS = ("title", "url", "publisher", "date", "language", "note_fr", "note_en")
# Keys of the public record that an API client may send back and that are ignored.
READ_ONLY_KEYS = (
    "version",
    "updated_at",
    "published_at",
    "urls",
    "state",
    "changed_at",
    "translation_language",
    "city_names",
)
READ_ONLY_SOURCE_KEYS = ("unofficial_copy",)  # derived from the URL
LIST_FIELDS = (
    "cities",
    "themes",
    "approaches",
    "target_groups",
    "partners",
    "partners_fr",
    "events",
)


def from_snapshot(snapshot: Mapping[str, Any]) -> PracticeData:
    values: dict[str, Any] = {f.name: snapshot.get(f.name) for f in fields(PracticeData)}
    for name in LIST_FIELDS:
        values[name] = tuple(values[name] or ())
    values["sources"] = tuple(
        SourceData(**{k: s.get(k) for k in SOURCE_KEYS})  # type: ignore[arg-type]
        for s in snapshot.get("sources") or ()
        if isinstance(s, Mapping)
    )
    for name in ("body", "body_translation"):
        values[name] = values[name] or ""
    values["facts"] = dict(values["facts"] or {})
    return PracticeData(**values)


def data_from_json(obj: Any) -> PracticeData:
    """A practice from API JSON (the shape of /api/v1/practices/<slug>); types checked by field."""
    if not isinstance(obj, Mapping):
        raise ValidationError([FieldError("practice", N_("expected a JSON object"))])
    known = {f.name for f in fields(PracticeData)}
    errors: list[FieldError] = []
    for key in obj:
        if key not in known and key not in READ_ONLY_KEYS and key not in ("base_slug", "note"):
            errors.append(FieldError(str(key)[:60], N_("unknown field")))
    for f in fields(PracticeData):
        value = obj.get(f.name)
        if value is None:
            continue
        if f.name in LIST_FIELDS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors.append(FieldError(f.name, N_("expected a list of strings")))
        elif f.name == "sources":
            if not isinstance(value, list) or not all(isinstance(s, Mapping) for s in value):
                errors.append(FieldError("sources", N_("expected a list of objects")))
            else:
                for i, s in enumerate(value):
                    for k, v in s.items():
                        if k in READ_ONLY_SOURCE_KEYS:
                            continue
                        if k not in SOURCE_KEYS:
                            errors.append(FieldError(f"sources[{i}].{k}"[:60], N_("unknown field")))
                        elif v is not None and not isinstance(v, str):
                            errors.append(FieldError(f"sources[{i}].{k}", N_("expected a string")))
        elif f.name == "facts":
            if not isinstance(value, Mapping):
                errors.append(FieldError(f.name, N_("expected an object")))
        elif f.name in ("start_year", "end_year"):
            if isinstance(value, bool) or not isinstance(value, int):
                errors.append(FieldError(f.name, N_("expected a whole number")))
        elif not isinstance(value, str):
            errors.append(FieldError(f.name, N_("expected a string")))
    if errors:
        raise ValidationError(errors)
    return from_snapshot({**obj, "body": obj.get("body") or ""})
