"""A practice as JSON: the snapshot stored in revisions and proposals, and the API's input.

`from_snapshot` reads what `PracticeData.snapshot()` wrote; `data_from_json` checks untrusted API
JSON (the shape of `/api/v1/practices/<slug>`) field by field, naming each wrong field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from kb.catalogue.data import PracticeData, SourceData
from kb.catalogue.fields import LIST_FIELDS, READ_ONLY, SOURCE_KEYS, WRITTEN
from kb.errors import N_, FieldError, ValidationError

# Keys of the public record an API client may send back and that are ignored.
READ_ONLY_KEYS = (*READ_ONLY, "state")
READ_ONLY_SOURCE_KEYS = ("unofficial_copy",)  # derived from the URL


def from_snapshot(snapshot: Mapping[str, Any]) -> PracticeData:
    values: dict[str, Any] = {f.name: snapshot.get(f.name) for f in fields(PracticeData)}
    for name in LIST_FIELDS:
        values[name] = tuple(values[name] or ())
    values["sources"] = tuple(
        SourceData(**{k: s.get(k) for k in SOURCE_KEYS})  # type: ignore[arg-type]
        for s in snapshot.get("sources") or ()
        if isinstance(s, Mapping)
    )
    for f in WRITTEN:
        if f.input == "markdown":
            values[f.name] = values[f.name] or ""
    values["facts"] = dict(values["facts"] or {})
    return PracticeData(**values)


def data_from_json(obj: Any) -> PracticeData:
    """A practice from API JSON (the shape of /api/v1/practices/<slug>); types checked by field."""
    if not isinstance(obj, Mapping):
        raise ValidationError([FieldError("practice", N_("expected a JSON object"))])
    known = {f.name for f in WRITTEN}
    errors: list[FieldError] = []
    for key in obj:
        if key not in known and key not in READ_ONLY_KEYS and key not in ("base_slug", "note"):
            errors.append(FieldError(str(key)[:60], N_("unknown field")))
    for f in WRITTEN:
        value = obj.get(f.name)
        problem = f.json_problem(value)
        if problem:
            errors.append(FieldError(f.name, problem))
        elif f.input == "sources" and value:
            errors.extend(_source_problems(value))
    if errors:
        raise ValidationError(errors)
    return from_snapshot({**obj, "body": obj.get("body") or ""})


def _source_problems(sources: list[Mapping[str, Any]]) -> list[FieldError]:
    errors = []
    for i, source in enumerate(sources):
        for key, value in source.items():
            if key in READ_ONLY_SOURCE_KEYS:
                continue
            if key not in SOURCE_KEYS:
                errors.append(FieldError(f"sources[{i}].{key}"[:60], N_("unknown field")))
            elif value is not None and not isinstance(value, str):
                errors.append(FieldError(f"sources[{i}].{key}", N_("expected a string")))
    return errors
