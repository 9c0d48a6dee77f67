"""Per-field differences between two versions of a practice (snapshots as plain dicts).

Short values compare whole; long text compares word by word (a very long text line by line, so a
1 MB body cannot make the review page quadratic). The title and summary come as French / English
pairs so that pages show both languages side by side, and a pair where only one language changed
is flagged "translation to check".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from kb.catalogue.data import PracticeData

LONG_TEXT = 120  # characters: above this, a diff shows words rather than whole values
MAX_WORD_TOKENS = 20_000  # above this, lines instead of words
BILINGUAL = ("title", "summary")
FIELD_ORDER: tuple[str, ...] = tuple(f.name for f in fields(PracticeData))
_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Segment:
    op: str  # "equal", "insert" or "delete"
    text: str


@dataclass(frozen=True)
class FieldDiff:
    field: str
    before: str
    after: str
    segments: tuple[Segment, ...]

    @property
    def changed(self) -> bool:
        return self.before != self.after


@dataclass(frozen=True)
class DiffRow:
    """One line of a diff table: a bilingual pair (fr, en) or a single field (in `fr`)."""

    name: str
    fr: FieldDiff
    en: FieldDiff | None = None


def as_text(name: str, value: Any) -> str:
    """A field's value as the text a reviewer compares."""
    if value is None:
        return ""
    if name == "sources":
        return "\n".join(_source_line(s) for s in value)
    if isinstance(value, Mapping):
        return "\n".join(_flat(value, ""))
    if isinstance(value, (list, tuple)):
        return "\n".join(str(v) for v in value)
    return str(value)


def _flat(value: Mapping[str, Any], prefix: str) -> list[str]:
    """A nested mapping (the facts) as `budget.amount: 875000` lines."""
    out: list[str] = []
    for key, item in value.items():
        path = f"{prefix}{key}"
        if isinstance(item, Mapping):
            out.extend(_flat(item, f"{path}."))
        else:
            out.append(f"{path}: {item}")
    return out


def _source_line(source: Any) -> str:
    if not isinstance(source, Mapping):
        return str(source)
    extra = ", ".join(str(source[k]) for k in ("publisher", "date", "language") if source.get(k))
    line = f"{source.get('title', '')} — {source.get('url', '')}"
    line = f"{line} ({extra})" if extra else line
    notes = [f"[{k[-2:]}] {source[k]}" for k in ("note_fr", "note_en") if source.get(k)]
    return " · ".join([line, *notes])


def segments(before: str, after: str) -> tuple[Segment, ...]:
    """Word-level (or, for very long text, line-level) edit script from `before` to `after`."""
    if len(before) <= LONG_TEXT and len(after) <= LONG_TEXT and "\n" not in before + after:
        out = [Segment("delete", before)] if before else []
        return (*out, Segment("insert", after)) if after else tuple(out)
    a, b = _TOKENS.findall(before), _TOKENS.findall(after)
    if len(a) + len(b) > MAX_WORD_TOKENS:
        a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    result: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            result.append(Segment("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            result.append(Segment("delete", "".join(a[i1:i2])))
        if j2 > j1:
            result.append(Segment("insert", "".join(b[j1:j2])))
    return tuple(result)


def field_diff(name: str, before: Any, after: Any) -> FieldDiff:
    old, new = as_text(name, before), as_text(name, after)
    return FieldDiff(name, old, new, segments(old, new) if old != new else ())


def compare(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    *,
    only_changed: bool = True,
    order: Sequence[str] = FIELD_ORDER,
    bilingual: Sequence[str] = BILINGUAL,
) -> list[FieldDiff]:
    """The fields of two snapshots, in `order` (a practice's by default; `before` None: new)."""
    old = before or {}
    out = [field_diff(name, old.get(name), after.get(name)) for name in order]
    changed = {d.field for d in out if d.changed}
    # Both sides of a French / English pair are shown when either changed.
    return [
        d
        for d in out
        if not only_changed or d.field in changed or _partner(d.field, bilingual) in changed
    ]


def _partner(name: str, bilingual: Sequence[str] = BILINGUAL) -> str:
    base, _, lang = name.rpartition("_")
    if base in bilingual and lang in ("fr", "en"):
        return f"{base}_{'en' if lang == 'fr' else 'fr'}"
    return ""


def rows(diffs: Sequence[FieldDiff], bilingual: Sequence[str] = BILINGUAL) -> list[DiffRow]:
    """Group the French / English pairs (title, summary) into side-by-side rows."""
    by_name = {d.field: d for d in diffs}
    out: list[DiffRow] = []
    seen: set[str] = set()
    for d in diffs:
        if d.field in seen:
            continue
        base = d.field.rsplit("_", 1)[0]
        if base in bilingual:
            fr = by_name.get(f"{base}_fr") or FieldDiff(f"{base}_fr", "", "", ())
            en = by_name.get(f"{base}_en") or FieldDiff(f"{base}_en", "", "", ())
            out.append(DiffRow(base, fr, en))
            seen.update({f"{base}_fr", f"{base}_en"})
        else:
            out.append(DiffRow(d.field, d))
            seen.add(d.field)
    return out


def translation_flags(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    bilingual: Sequence[str] = BILINGUAL,
) -> list[str]:
    """Bilingual fields changed in one language and not in the other ("translation to check")."""
    if not before:
        return []
    flags = []
    for base in bilingual:
        fr_changed = before.get(f"{base}_fr") != after.get(f"{base}_fr")
        en_changed = before.get(f"{base}_en") != after.get(f"{base}_en")
        if fr_changed != en_changed:
            flags.append(f"{base}_{'en' if fr_changed else 'fr'}")
    return flags
