"""Canonical export of the content: the database back to `content/` files, byte for byte.

Import then export of the seed content gives identical files (a test checks it): keys in the
documented order, empty optionals left out, strings quoted only where YAML needs it, Markdown as
literal blocks, the translation after its marker.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from kb.catalogue import facts, taxonomy
from kb.catalogue import meetings as events_mod
from kb.catalogue import pages as pages_mod
from kb.catalogue.data import PracticeData, SourceData
from kb.catalogue.meetings import EventData
from kb.catalogue.pages import PageData
from kb.catalogue.reads import to_data
from kb.catalogue.taxonomy import SECTION_OF_KIND, Vocabulary
from kb.models import TERM_KINDS, Practice
from kb.text import bilingual


class _Dumper(yaml.SafeDumper):
    """Block style, no key sorting, multi-line text as literal blocks."""

    def choose_scalar_style(self) -> str:
        # "Le modèle d'Aarhus" reads better than 'Le modèle d''Aarhus'.
        style = str(super().choose_scalar_style())
        value = getattr(self.event, "value", "")
        if style == "'" and "'" in value and "\\" not in value and '"' not in value:
            return '"'
        return style


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


class _Quoted(str):
    """Text written in single quotes, so that dates like 2019 or 2016-07-12 stay strings."""


def _represent_quoted(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="'")


class _Block(str):
    """Markdown written as a literal block, so it reads and diffs like the body."""


def _represent_block(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="|")


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Block, _represent_block)
_Dumper.add_representer(_Quoted, _represent_quoted)

# --- the same output from libyaml's emitter (C), several times faster -------------------------
#
# libyaml chooses scalar styles as PyYAML's emitter does, but cannot call `_Dumper`'s override.
# So the representers decide the one case it changes up front: a text with an apostrophe (and
# no backslash or double quote) that cannot be written plain goes in double quotes. "Cannot be
# written plain" is PyYAML's own analysis, asked only of such texts (few): the value must read
# back as a string (implicit) and be allowed plain in block context. Our documents are block
# style with fixed keys, so every string is a block value (never a flow or simple-key scalar).
# tests/content/test_content_export_speed.py proves both dumpers write the same bytes.

_ANALYZER = yaml.emitter.Emitter(io.StringIO(), allow_unicode=True)  # for analyze_scalar only
_STR_TAG = "tag:yaml.org,2002:str"


class _NeedsPythonEmitter(Exception):
    """A text libyaml writes differently: characters beyond U+FFFF (emoji), which it escapes,
    Unicode line breaks (CR, NEL, LS, PS), or a literal block that keeps its trailing blank lines.
    Such a document is written by PyYAML's emitter instead (rare: our texts use LF)."""


_UNLIKE = re.compile("[\x85\u2028\u2029\U00010000-\U0010ffff]")


def _apostrophe_style(dumper: Any, value: str, style: str | None) -> str | None:
    """The style `_Dumper` ends with when it differs from what the emitter would choose."""
    if "\r" in value or not value.isascii() and _UNLIKE.search(value):
        raise _NeedsPythonEmitter
    if style == "|" and (value == "\n" or value.endswith("\n\n")):
        raise _NeedsPythonEmitter  # "keep" chomping: libyaml then ends the document with "..."
    if "'" not in value or "\\" in value or '"' in value:
        return style
    analysis = _ANALYZER.analyze_scalar(value)
    if style is None:
        implicit = dumper.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG
        if implicit and analysis.allow_block_plain:
            return None  # plain, as the emitter writes it
    elif style in "|>" and analysis.allow_block:
        return style
    return '"' if analysis.allow_single_quoted else style


if getattr(yaml, "__with_libyaml__", False):

    class _FastDumper(yaml.CSafeDumper):
        """`_Dumper`'s output through libyaml."""

    def _fast_str(dumper: yaml.CSafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar(
            _STR_TAG, value, style=_apostrophe_style(dumper, value, style)
        )

    def _fast_fixed(style: str) -> Any:
        def represent(dumper: yaml.CSafeDumper, value: str) -> yaml.Node:
            text = str(value)
            return dumper.represent_scalar(
                _STR_TAG, text, style=_apostrophe_style(dumper, text, style)
            )

        return represent

    _FastDumper.add_representer(str, _fast_str)
    _FastDumper.add_representer(_Block, _fast_fixed("|"))
    _FastDumper.add_representer(_Quoted, _fast_fixed("'"))
    DUMPER: type = _FastDumper
else:  # pragma: no cover - PyYAML built without libyaml
    DUMPER = _Dumper


def dump_yaml(data: Any, *, dumper: type | None = None) -> str:
    """`data` as block-style YAML (libyaml when PyYAML has it; `dumper=` for the tests)."""
    try:
        return _dump(data, dumper or DUMPER)
    except _NeedsPythonEmitter:
        return _dump(data, _Dumper)


def _dump(data: Any, dumper: type) -> str:
    return yaml.dump(
        data,
        Dumper=dumper,
        allow_unicode=True,
        sort_keys=False,
        width=10_000,
        default_flow_style=False,
    )


def practice_front_matter(record: PracticeData) -> dict[str, Any]:
    """The front matter of a practice, keys in the documented order, empty optionals left out."""
    raw: dict[str, Any] = {
        "slug": record.slug,
        "title": {"fr": record.title_fr, "en": record.title_en},
        "summary": {"fr": record.summary_fr, "en": record.summary_en},
        "language": record.language,
        "original_title": record.original_title,
        "original_title_language": record.original_title_language,
        "cities": list(record.cities),
        "country": record.country,
        "region": bilingual.name_map(record.region, record.region_fr),
        "themes": list(record.themes),
        "approaches": list(record.approaches),
        "target_groups": list(record.target_groups),
        "lead_organisation": bilingual.name_map(
            record.lead_organisation, record.lead_organisation_fr
        ),
        "partners": [
            bilingual.name_map(en, fr)
            for en, fr in zip(record.partners, record.partners_fr or record.partners, strict=False)
        ],
        "start_year": record.start_year,
        "end_year": record.end_year,
        "status": record.status,
        "evidence_level": record.evidence_level,
        "evaluation": bilingual.text_map(
            record.evaluation, record.evaluation_translation, record.language
        ),
        "lessons": _blocks(
            bilingual.text_map(record.lessons, record.lessons_translation, record.language)
        ),
        "contact_organisation": bilingual.name_map(
            record.contact_organisation, record.contact_organisation_fr
        ),
        "events": list(record.events),
        "sources": [_source_dict(s) for s in record.sources],
        "facts": facts.front_matter(record.facts),
        "checked_on": _Quoted(record.checked_on) if record.checked_on else None,
    }
    return {k: v for k, v in raw.items() if v not in (None, "", [])}


def _blocks(value: str | dict[str, str] | None) -> Any:
    """Lessons as literal blocks, plain or in a {fr, en} map."""
    if isinstance(value, dict):
        return {k: _Block(v) for k, v in value.items()}
    return _Block(value) if value else None


def _quoted_date(source: dict[str, Any]) -> dict[str, Any]:
    out = dict(source)
    if out.get("date"):
        out["date"] = _Quoted(out["date"])
    return out


def render_practice(record: PracticeData) -> str:
    body = bilingual.join_body(record.body, record.language, record.body_translation)
    return f"---\n{dump_yaml(practice_front_matter(record))}---\n{body}"


def render_taxonomy(vocabulary: Vocabulary) -> str:
    data: dict[str, Any] = {}
    for kind in TERM_KINDS:
        items = []
        for term in vocabulary.terms.get(kind, ()):
            item: dict[str, Any] = {
                "slug": term.slug,
                "label": {"fr": term.label_fr, "en": term.label_en},
            }
            if term.definition_fr or term.definition_en:
                item["definition"] = {"fr": term.definition_fr, "en": term.definition_en}
            if kind not in taxonomy.OPTIONAL_KINDS or term.synonyms_fr or term.synonyms_en:
                item["synonyms"] = {"fr": list(term.synonyms_fr), "en": list(term.synonyms_en)}
            if term.narrower:
                item["narrower"] = [n.as_json() for n in term.narrower]
            items.append(item)
        if items or kind not in taxonomy.OPTIONAL_KINDS:
            data[SECTION_OF_KIND[kind]] = items
    return dump_yaml(data)


def render_events(event_list: list[EventData]) -> str:
    items = []
    for e in event_list:
        raw: dict[str, Any] = {
            "slug": e.slug,
            "title": {"fr": e.title_fr, "en": e.title_en},
            "place": e.place,
            "start_date": _Quoted(e.start_date) if e.start_date else None,
            "end_date": _Quoted(e.end_date) if e.end_date else None,
            "organiser": e.organiser,
            "note": {"fr": e.note_fr, "en": e.note_en} if (e.note_fr or e.note_en) else None,
            "sources": [_quoted_date(s) for s in e.sources],
        }
        items.append({k: v for k, v in raw.items() if v not in (None, "", [])})
    return dump_yaml({"events": items})


def render_page(page: PageData) -> str:
    raw: dict[str, Any] = {
        "slug": page.slug,
        "language": page.language,
        "title": page.title,
        "sources": [_quoted_date(s) for s in page.sources],
    }
    front = {k: v for k, v in raw.items() if v not in (None, "", [])}
    return f"---\n{dump_yaml(front)}---\n{page.body}"


def export(*, session: Session, directory: str | Path) -> int:
    """Write the database's content (all practices, taxonomy, events, pages) in canonical form."""
    root = Path(directory)
    (root / "practices").mkdir(parents=True, exist_ok=True)
    (root / "pages").mkdir(parents=True, exist_ok=True)
    _write(root / "taxonomy.yaml", render_taxonomy(taxonomy.load(session)))
    _write(
        root / "events.yaml",
        render_events([events_mod.to_data(e) for e in events_mod.all_events(session)]),
    )
    count = 0
    for practice in _all_practices(session):
        _write(
            root / "practices" / f"{practice.slug}.md",
            render_practice(to_data(session, practice)),
        )
        count += 1
    for page in pages_mod.all_pages(session):
        _write(
            root / "pages" / f"{page.slug}.{page.language}.md", render_page(pages_mod.to_data(page))
        )
    return count


def _all_practices(session: Session) -> Iterator[Practice]:
    yield from session.exec(select(Practice).order_by(Practice.slug))


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")


def _source_dict(source: SourceData) -> dict[str, Any]:
    out = {
        k: v for k, v in vars(source).items() if v is not None and k not in ("note_fr", "note_en")
    }
    if source.note_fr or source.note_en:
        out["note"] = {"fr": source.note_fr or "", "en": source.note_en or ""}
    return _quoted_date(out)
