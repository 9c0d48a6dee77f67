"""Characters no one types: where they hide in a nested value (JSON, a snapshot)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

# Half of a UTF-16 pair with no other half: JSON's "\ud800" and YAML's "\ud800" decode to one,
# and UTF-8 cannot encode it, so any page showing it would fail.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def has_lone_surrogate(text: str) -> bool:
    return _LONE_SURROGATE.search(text) is not None


def has_nul(text: str) -> bool:
    return "\x00" in text


def paths_where(value: Any, bad: Callable[[str], bool], path: str = "") -> Iterator[str]:
    """The path (`sources[2].title`) of each string in `value`, or each key, for which `bad`."""
    if isinstance(value, str):
        if bad(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and bad(key):
                yield name
            else:
                yield from paths_where(item, bad, name)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from paths_where(item, bad, f"{path}[{i}]")


def without_lone_surrogates(value: Any) -> Any:
    """`value` with each lone surrogate in its strings replaced by U+FFFD (the rest kept)."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {without_lone_surrogates(k): without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_lone_surrogates(item) for item in value]
    return value


def read_json(text: str | bytes) -> Any:
    """JSON from the database, never holding a lone surrogate: one stored before input refused
    them would make every page showing it fail. Only a `\\ud…` escape can make one."""
    value = json.loads(text)
    raw = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return without_lone_surrogates(value) if "\\ud" in raw.lower() else value
