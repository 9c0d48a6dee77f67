"""Bounded parsing: what a request may hold before kb reads it.

- `<int:…>` in every route accepts 1 … 2**31 - 1 (the ids of a PostgreSQL INTEGER column);
  anything longer is no route, so a 404, never an OverflowError from the database driver.
- Request JSON is read by a provider that turns a nesting deep enough to exhaust Python's
  recursion (RecursionError) into invalid JSON, which Flask answers with a 400.
Numbers that reach the database from a body or a query string are the error handler's: an
OverflowError (SQLite) or a DataError (PostgreSQL's integer out of range) is a 400.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter, Map, ValidationError

ID_MAX = 2**31 - 1  # PostgreSQL INTEGER; SQLite's 64-bit rowids hold it too


class IdConverter(IntegerConverter):
    """Werkzeug's int converter with a ceiling: an out-of-range id matches no route (404)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(url_map, *args, **kwargs)

    def to_python(self, value: str) -> Any:
        if len(value) > len(str(ID_MAX)):  # not even int() of a 5,000-digit string
            raise ValidationError()
        return super().to_python(value)


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, where too deep a nesting is invalid JSON (a 400) instead of a crash."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    provider = BoundedJSONProvider(app)
    provider.ensure_ascii = app.json.ensure_ascii  # type: ignore[attr-defined]
    provider.sort_keys = app.json.sort_keys  # type: ignore[attr-defined]
    app.json = provider
