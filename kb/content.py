"""`content/` files <-> records: parse and validate with line numbers, import, canonical export.

`load(directory)` reads and checks every file and raises `ContentErrors` listing every problem as
`path:line: field: message`; only a clean set is applied, in one transaction, by `apply`.
`export(session, directory)` writes the canonical format, so that import then export of the seed
content gives byte-identical files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, select

from kb import bilingual, facts, practices, taxonomy
from kb import events as events_mod
from kb import pages as pages_mod
from kb.content_export import (
    _source_dict,
    dump_yaml,
    export,
    practice_front_matter,
    render_events,
    render_page,
    render_practice,
    render_taxonomy,
)
from kb.events import EventData
from kb.models import TERM_KINDS, Practice
from kb.pages import PageData
from kb.permissions import Actor, require
from kb.practices import PracticeData, SourceData
from kb.taxonomy import SECTION_OF_KIND, Narrower, Term, Vocabulary

# The canonical export lives in kb.content_export; these names stay importable from here.
__all__ = [
    "ContentError",
    "ContentErrors",
    "ContentSet",
    "ImportReport",
    "apply",
    "dump_yaml",
    "export",
    "load",
    "parse_practice",
    "practice_front_matter",
    "render_events",
    "render_page",
    "render_practice",
    "render_taxonomy",
]

PRACTICE_KEYS = (
    "slug",
    "title",
    "summary",
    "language",
    "original_title",
    "original_title_language",
    "cities",
    "country",
    "region",
    "themes",
    "approaches",
    "target_groups",
    "lead_organisation",
    "partners",
    "start_year",
    "end_year",
    "status",
    "evidence_level",
    "evaluation",
    "lessons",
    "contact_organisation",
    "events",
    "sources",
    "facts",
    "checked_on",
)
SOURCE_KEYS = ("title", "url", "publisher", "date", "language", "note")
TERM_KEYS = ("slug", "label", "definition", "synonyms", "narrower")
NARROWER_KEYS = ("slug", "label", "target", "synonyms")
EVENT_KEYS = (
    "slug",
    "title",
    "place",
    "start_date",
    "end_date",
    "organiser",
    "note",
    "sources",
)
PAGE_KEYS = ("slug", "language", "title", "sources")
MAX_FILE_BYTES = 512 * 1024


@dataclass(frozen=True)
class ContentError:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


class ContentErrors(Exception):
    """Every problem found in a content folder; nothing was imported."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in content")
        self.errors = errors


@dataclass
class ContentSet:
    """A fully validated content folder, ready to apply."""

    vocabulary: Vocabulary
    events: list[EventData] = field(default_factory=list)
    practices: list[PracticeData] = field(default_factory=list)
    pages: list[PageData] = field(default_factory=list)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    terms: tuple[int, int] = (0, 0)
    events: tuple[int, int] = (0, 0)
    pages: tuple[int, int] = (0, 0)


# --- YAML with line numbers ------------------------------------------------------------------


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Located:
    """The value of a YAML document plus the line (1-based, in the file) of every path in it."""

    def __init__(self, text: str, first_line: int) -> None:
        # Compose once (libyaml when available) and build the value from the same nodes.
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            self.value: Any = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
        self.lines: dict[str, int] = {}
        self.duplicates: list[str] = []
        self.first_line = first_line
        if node is not None:
            self._walk(node, "")

    def _walk(self, node: yaml.Node, path: str) -> None:
        self.lines[path] = node.start_mark.line + self.first_line
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                sub = f"{path}.{key_node.value}" if path else str(key_node.value)
                if sub in self.lines:
                    # YAML keeps the last value silently; a repeated key is an editing mistake.
                    self.duplicates.append(sub)
                self._walk(value_node, sub)
                self.lines[sub] = key_node.start_mark.line + self.first_line
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self._walk(item, f"{path}[{i}]")

    def line(self, path: str) -> int:
        """The line of `path`, or of its nearest parent that exists."""
        while path:
            if path in self.lines:
                return self.lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return self.first_line


def _yaml_error(path: str, exc: yaml.YAMLError, first_line: int) -> ContentError:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + first_line if mark is not None else first_line
    problem = getattr(exc, "problem", None) or str(exc)
    return ContentError(path, line, "yaml", f"invalid YAML: {problem}")


def _read(path: Path, errors: list[ContentError]) -> str | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            errors.append(ContentError(str(path), 1, "file", f"larger than {MAX_FILE_BYTES} bytes"))
            return None
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        errors.append(ContentError(str(path), 1, "file", "not UTF-8 text"))
    except OSError as exc:
        errors.append(ContentError(str(path), 1, "file", f"cannot be read: {exc.strerror}"))
    return None


def _split_front_matter(path: str, text: str) -> tuple[str, str] | ContentError:
    text = text.replace("\r\n", "\n")
    if not text.startswith("---\n"):
        return ContentError(path, 1, "front matter", "expected the file to start with a line '---'")
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            return ContentError(
                path, 1, "front matter", "no closing '---' line after the front matter"
            )
    return text[4 : end + 1], text[end + 5 :]


class _Checker:
    """Typed access to one YAML document that records errors with their lines."""

    def __init__(self, path: str, located: _Located, errors: list[ContentError]) -> None:
        self.path, self.located, self.errors = path, located, errors
        for key in located.duplicates:
            self.error(key, "this key appears more than once")

    def error(self, where: str, message: str) -> None:
        self.errors.append(ContentError(self.path, self.located.line(where), where, message))

    def mapping(self, value: Any, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.error(where or "front matter", "expected a mapping of keys to values")
            return {}
        for key in value:
            if key not in allowed:
                prefix = f"{where}." if where else ""
                self.error(f"{prefix}{key}", f"unknown key; expected one of: {', '.join(allowed)}")
        return value

    def text(self, data: dict[str, Any], key: str, where: str, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None:
            return "" if required else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.error(where, "expected text")
            return "" if required else None
        return value

    def bilingual(self, data: dict[str, Any], key: str, where: str) -> tuple[str, str]:
        value = data.get(key)
        if value is None:
            self.error(where, "required; expected fr and en values")
            return "", ""
        if not isinstance(value, dict):
            self.error(where, "expected a mapping with fr and en")
            return "", ""
        self.mapping(value, where, ("fr", "en"))
        fr = self.text(value, "fr", f"{where}.fr") or ""
        en = self.text(value, "en", f"{where}.en") or ""
        return fr, en

    def strings(self, data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            self.error(where, "expected a list (one '- item' per line)")
            return ()
        if not isinstance(value, list):
            self.error(where, "expected a list")
            return ()
        out: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.error(f"{where}[{i}]", "expected text")
            else:
                out.append(item)
        return tuple(out)

    def year(self, data: dict[str, Any], key: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, f"expected a year as a whole number, got {value!r}")
            return None
        return value

    def date(self, value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()[:10]
        return str(value)

    def sources(self, data: dict[str, Any], key: str) -> tuple[SourceData, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.error(key, "expected a list of sources")
            return ()
        out: list[SourceData] = []
        for i, item in enumerate(value):
            where = f"{key}[{i}]"
            item = self.mapping(item, where, SOURCE_KEYS)
            note = self.bilingual(item, "note", f"{where}.note") if "note" in item else ("", "")
            out.append(
                SourceData(
                    title=self.text(item, "title", f"{where}.title") or "",
                    url=self.text(item, "url", f"{where}.url") or "",
                    publisher=self.text(item, "publisher", f"{where}.publisher", required=False),
                    date=self.date(item.get("date")),
                    language=self.text(item, "language", f"{where}.language", required=False),
                    note_fr=note[0] or None,
                    note_en=note[1] or None,
                )
            )
        return tuple(out)

    def name(self, data: dict[str, Any], key: str, required: bool) -> tuple[str | None, str | None]:
        """(English, French or None) of a name given plain or as a {fr, en} map."""
        value = data.get(key)
        if isinstance(value, dict):
            fr, en = self.bilingual(data, key, key)
            return en, (fr if fr != en else None)
        return self.text(data, key, key, required=required), None

    def names(self, data: dict[str, Any], key: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """English and French names of a list whose items are plain or {fr, en} maps."""
        value = data.get(key)
        if not isinstance(value, list) or not any(isinstance(v, dict) for v in value):
            return self.strings(data, key, key), ()
        en: list[str] = []
        fr: list[str] = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                pair = self.bilingual({"v": item}, "v", f"{key}[{i}]")
                fr.append(pair[0])
                en.append(pair[1])
            elif isinstance(item, str):
                en.append(item)
                fr.append(item)
            else:
                self.error(f"{key}[{i}]", "expected text or a mapping with fr and en")
        return tuple(en), tuple(fr)

    def original_and_translation(
        self, data: dict[str, Any], key: str, language: str
    ) -> tuple[str | None, str | None]:
        """A text given plain (the original language) or as a {fr, en} map of both."""
        value = data.get(key)
        if not isinstance(value, dict):
            return self.text(data, key, key, required=False), None
        self.mapping(value, key, bilingual.LANGS)
        if language not in bilingual.LANGS:
            return None, None
        original = self.text(value, language, f"{key}.{language}", required=False)
        other = bilingual.other(language)
        return original, self.text(value, other, f"{key}.{other}", required=False)


# --- parsing ---------------------------------------------------------------------------------


def _open(
    path: Path, errors: list[ContentError], *, front_matter: bool
) -> tuple[_Checker, str] | None:
    """Read a YAML file, or a Markdown file's front matter and body; None when unreadable.

    The checker carries the line of every key, so later errors point into the file.
    """
    display = str(path)
    text = _read(path, errors)
    if text is None:
        return None
    return _open_text(text, display, errors, front_matter=front_matter)


def _open_text(
    text: str, display: str, errors: list[ContentError], *, front_matter: bool
) -> tuple[_Checker, str] | None:
    body, first_line = "", 1
    if front_matter:
        split = _split_front_matter(display, text)
        if isinstance(split, ContentError):
            errors.append(split)
            return None
        text, body = split
        first_line = 2
    try:
        located = _Located(text, first_line=first_line)
    except yaml.YAMLError as exc:
        errors.append(_yaml_error(display, exc, first_line))
        return None
    return _Checker(display, located, errors), body


def parse_practice(path: Path, errors: list[ContentError]) -> tuple[PracticeData, _Checker] | None:
    """Read one practice file; problems go to `errors` (with lines); None when unusable.

    The checker comes back with the record so that validation errors found later point at the
    right line of this file.
    """
    opened = _open(path, errors, front_matter=True)
    if opened is None:
        return None
    return _practice_of(*opened, path.stem)


def parse_practice_text(text: str, name: str) -> tuple[PracticeData | None, list[ContentError]]:
    """Parse one practice in the `content/` format from text (a paste or an upload).

    `name` is shown in errors and, without its `.md`, is the file name the slug must match
    (empty: any slug). Errors read `name:line: field: message`, as `kb import` reports them.
    """
    errors: list[ContentError] = []
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        return None, [ContentError(name, 1, "file", f"larger than {MAX_FILE_BYTES} bytes")]
    opened = _open_text(text, name, errors, front_matter=True)
    if opened is None:
        return None, errors
    parsed = _practice_of(*opened, name.removesuffix(".md") if name.endswith(".md") else "")
    return (parsed[0] if parsed else None), errors


def _practice_of(check: _Checker, body: str, stem: str) -> tuple[PracticeData, _Checker] | None:
    data = check.mapping(check.located.value, "", PRACTICE_KEYS)
    if not data:
        return None
    title_fr, title_en = check.bilingual(data, "title", "title")
    summary_fr, summary_en = check.bilingual(data, "summary", "summary")
    language = check.text(data, "language", "language") or ""
    original, marker_lang, translation, markers = bilingual.split_body(body)
    if markers > 1:
        check.error("body", "the translation marker appears more than once")
    if marker_lang is not None and marker_lang != bilingual.other(language):
        check.error(
            "body",
            f"translation marker says {marker_lang!r}; expected "
            f"<!-- kb:translation {bilingual.other(language)} --> for a {language!r} practice",
        )
    lead_en, lead_fr = check.name(data, "lead_organisation", required=True)
    region_en, region_fr = check.name(data, "region", required=False)
    contact_en, contact_fr = check.name(data, "contact_organisation", required=False)
    partners_en, partners_fr = check.names(data, "partners")
    evaluation, evaluation_tr = check.original_and_translation(data, "evaluation", language)
    lessons, lessons_tr = check.original_and_translation(data, "lessons", language)
    record = PracticeData(
        slug=check.text(data, "slug", "slug") or "",
        title_fr=title_fr,
        title_en=title_en,
        summary_fr=summary_fr,
        summary_en=summary_en,
        language=language,
        original_title=check.text(data, "original_title", "original_title", required=False),
        original_title_language=check.text(
            data, "original_title_language", "original_title_language", required=False
        ),
        cities=check.strings(data, "cities", "cities"),
        country=check.text(data, "country", "country") or "",
        region=region_en,
        region_fr=region_fr,
        themes=check.strings(data, "themes", "themes"),
        approaches=check.strings(data, "approaches", "approaches"),
        target_groups=check.strings(data, "target_groups", "target_groups"),
        lead_organisation=lead_en or "",
        lead_organisation_fr=lead_fr,
        partners=partners_en,
        partners_fr=partners_fr if partners_fr != partners_en else (),
        start_year=check.year(data, "start_year"),
        end_year=check.year(data, "end_year"),
        status=check.text(data, "status", "status") or "",
        evidence_level=check.text(data, "evidence_level", "evidence_level") or "",
        evaluation=evaluation,
        evaluation_translation=evaluation_tr,
        lessons=_strip_block(lessons),
        lessons_translation=_strip_block(lessons_tr),
        contact_organisation=contact_en,
        contact_organisation_fr=contact_fr,
        events=check.strings(data, "events", "events"),
        sources=check.sources(data, "sources"),
        body=original,
        body_translation=translation,
        facts=facts.parse(data.get("facts"), check.error),
        checked_on=check.date(data.get("checked_on")),
    )
    if record.slug and stem and record.slug != stem:
        check.error("slug", f"must equal the file name {stem!r}")
    return record, check


def _strip_block(value: str | None) -> str | None:
    return value.strip("\n") if isinstance(value, str) else value


normalise_body = bilingual.normalise


def parse_taxonomy(path: Path, errors: list[ContentError]) -> Vocabulary:
    opened = _open(path, errors, front_matter=False)
    if opened is None:
        return Vocabulary({})
    check = opened[0]
    data = check.mapping(check.located.value, "", tuple(SECTION_OF_KIND.values()))
    terms: dict[str, tuple[Term, ...]] = {}
    for kind in TERM_KINDS:
        section = SECTION_OF_KIND[kind]
        items = data.get(section)
        if items is None and kind in taxonomy.OPTIONAL_KINDS:
            terms[kind] = ()
            continue
        if not isinstance(items, list) or not items:
            check.error(section or "taxonomy", "expected a non-empty list of terms")
            continue
        parsed: list[Term] = []
        seen: set[str] = set()
        for i, item in enumerate(items):
            where = f"{section}[{i}]"
            item = check.mapping(item, where, TERM_KEYS)
            slug, label = _slug_and_label(check, item, where, seen)
            definition = (
                check.bilingual(item, "definition", f"{where}.definition")
                if "definition" in item
                else ("", "")
            )
            synonyms = _synonyms(check, item, where)
            narrower = _narrower(check, item, where, seen)
            parsed.append(
                Term(
                    kind=kind,
                    slug=slug,
                    label_fr=label[0],
                    label_en=label[1],
                    definition_fr=definition[0],
                    definition_en=definition[1],
                    synonyms_fr=synonyms[0],
                    synonyms_en=synonyms[1],
                    narrower=narrower,
                )
            )
        terms[kind] = tuple(parsed)
    _check_narrower_targets(check, terms)
    return Vocabulary(terms)


def _check_narrower_targets(check: _Checker, terms: dict[str, tuple[Term, ...]]) -> None:
    """A narrower concept's `target` must be a target group of the same file."""
    targets = {t.slug for t in terms.get("target", ())}
    for kind, section in SECTION_OF_KIND.items():
        for i, term in enumerate(terms.get(kind, ())):
            for j, narrow in enumerate(term.narrower):
                if narrow.target and narrow.target not in targets:
                    check.error(
                        f"{section}[{i}].narrower[{j}].target",
                        f"unknown target group {narrow.target!r}; expected one of: "
                        + ", ".join(sorted(targets)),
                    )


def _slug_and_label(
    check: _Checker, item: dict[str, Any], where: str, seen: set[str]
) -> tuple[str, tuple[str, str]]:
    """A term's (or narrower concept's) slug, unique among `seen`, and its bilingual label."""
    slug = check.text(item, "slug", f"{where}.slug") or ""
    if not practices.SLUG_RE.match(slug):
        check.error(f"{where}.slug", "expected lowercase letters, digits and hyphens")
    if slug in seen:
        check.error(f"{where}.slug", f"duplicate slug {slug!r}")
    seen.add(slug)
    label = check.bilingual(item, "label", f"{where}.label")
    for lang, text_value in zip(practices.LANGUAGES, label, strict=True):
        if not text_value.strip():
            check.error(f"{where}.label.{lang}", "required; expected a label")
    return slug, label


def _synonyms(check: _Checker, item: dict[str, Any], where: str) -> tuple[tuple[str, ...], ...]:
    """The French and English synonym lists of a term or of a narrower concept."""
    synonyms = item.get("synonyms") or {}
    if not isinstance(synonyms, dict):
        check.error(f"{where}.synonyms", "expected a mapping with fr and en lists")
        synonyms = {}
    check.mapping(synonyms, f"{where}.synonyms", practices.LANGUAGES)
    return tuple(
        check.strings(synonyms, lang, f"{where}.synonyms.{lang}") for lang in practices.LANGUAGES
    )


def _narrower(
    check: _Checker, item: dict[str, Any], where: str, seen: set[str]
) -> tuple[Narrower, ...]:
    """A term's narrower concepts: slug (unique within the section), label, synonyms."""
    items = item.get("narrower")
    if items is None:
        return ()
    if not isinstance(items, list):
        check.error(f"{where}.narrower", "expected a list of narrower concepts")
        return ()
    out: list[Narrower] = []
    for j, entry in enumerate(items):
        at = f"{where}.narrower[{j}]"
        entry = check.mapping(entry, at, NARROWER_KEYS)
        slug, label = _slug_and_label(check, entry, at, seen)
        synonyms = _synonyms(check, entry, at)
        target = check.text(entry, "target", f"{at}.target", required=False) or ""
        out.append(Narrower(slug, label[0], label[1], synonyms[0], synonyms[1], target))
    return tuple(out)


def parse_events(path: Path, errors: list[ContentError]) -> list[EventData]:
    opened = _open(path, errors, front_matter=False)
    if opened is None:
        return []
    check = opened[0]
    data = check.mapping(check.located.value, "", ("events",))
    items = data.get("events") or []
    if not isinstance(items, list):
        check.error("events", "expected a list of events")
        return []
    out: list[EventData] = []
    for i, item in enumerate(items):
        where = f"events[{i}]"
        item = check.mapping(item, where, EVENT_KEYS)
        slug = check.text(item, "slug", f"{where}.slug") or ""
        if not practices.SLUG_RE.match(slug):
            check.error(f"{where}.slug", "expected lowercase letters, digits and hyphens")
        title = check.bilingual(item, "title", f"{where}.title")
        note = check.bilingual(item, "note", f"{where}.note") if "note" in item else ("", "")
        sources = check.sources(item, "sources") if "sources" in item else ()
        _check_sources(check, sources, f"{where}.sources")
        out.append(
            EventData(
                slug=slug,
                title_fr=title[0],
                title_en=title[1],
                place=check.text(item, "place", f"{where}.place") or "",
                start_date=check.date(item.get("start_date")),
                end_date=check.date(item.get("end_date")),
                organiser=check.text(item, "organiser", f"{where}.organiser") or "",
                note_fr=note[0],
                note_en=note[1],
                sources=tuple(_source_dict(s) for s in sources),
            )
        )
    return out


def parse_page(path: Path, errors: list[ContentError]) -> PageData | None:
    opened = _open(path, errors, front_matter=True)
    if opened is None:
        return None
    check, body = opened
    data = check.mapping(check.located.value, "", PAGE_KEYS)
    slug = check.text(data, "slug", "slug") or ""
    language = check.text(data, "language", "language") or ""
    title = check.text(data, "title", "title") or ""
    if f"{slug}.{language}" != path.stem:
        check.error(
            "slug", f"file name must be <slug>.<language>.md, expected {slug}.{language}.md"
        )
    if language not in practices.LANGUAGES:
        check.error("language", f"expected one of {', '.join(practices.LANGUAGES)}")
    if not title.strip():
        check.error("title", "required; expected the page's title")
    sources = check.sources(data, "sources")
    _check_sources(check, sources, "sources")
    for name, value in (("title", title), ("body", body)):
        if practices.EMAIL_RE.search(value) or practices.PHONE_RE.search(value):
            check.error(name, "contains an e-mail address or phone number")
    return PageData(
        slug, language, title, normalise_body(body), tuple(_source_dict(s) for s in sources)
    )


def _check_sources(check: _Checker, sources: tuple[SourceData, ...], where: str) -> None:
    for i, source in enumerate(sources):
        if not source.title.strip():
            check.error(f"{where}[{i}].title", "required; expected the source's title")
        if not practices.is_http_url(source.url):
            check.error(f"{where}[{i}].url", f"expected an http(s) URL, got {source.url!r}")


def load(directory: str | Path) -> ContentSet:
    """Parse and validate a whole content folder; raise ContentErrors listing every problem."""
    root = Path(directory)
    errors: list[ContentError] = []
    if not root.is_dir():
        raise ContentErrors([ContentError(str(root), 0, "folder", "not a directory")])
    vocabulary = parse_taxonomy(root / "taxonomy.yaml", errors)
    event_list = (
        parse_events(root / "events.yaml", errors) if (root / "events.yaml").exists() else []
    )
    event_slugs = tuple(e.slug for e in event_list)
    records: list[PracticeData] = []
    seen: dict[str, str] = {}
    for path in sorted((root / "practices").glob("*.md")):
        parsed = parse_practice(path, errors)
        if parsed is None:
            continue
        record, checker = parsed
        for problem in practices.validate(record, vocabulary=vocabulary, events=event_slugs):
            checker.error(problem.field, problem.message)
        known_cities = vocabulary.slugs("city")
        for i, city in enumerate(record.cities if known_cities else ()):
            if city not in known_cities:
                checker.error(
                    f"cities[{i}]", f"unknown city id {city!r}; add it to cities in taxonomy.yaml"
                )
        if record.slug in seen:
            checker.error("slug", f"duplicate slug, also used in {seen[record.slug]}")
        seen[record.slug] = str(path)
        records.append(record)
    page_list = [
        page
        for path in sorted((root / "pages").glob("*.md"))
        if (page := parse_page(path, errors)) is not None
    ]
    if errors:
        raise ContentErrors(errors)
    return ContentSet(vocabulary, event_list, records, page_list)


# --- applying --------------------------------------------------------------------------------


def apply(
    *,
    session: Session,
    actor: Actor,
    content: ContentSet,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Upsert a validated content set (flushed; the caller commits); new practices are published.

    Each new practice is recorded in the audit log as created directly in the published state.
    """
    require(actor, "content.import")
    report = ImportReport()
    report.terms = taxonomy.save(session=session, vocabulary=content.vocabulary)
    report.events = events_mod.save(session=session, events=content.events)
    existing = {p.slug: p for p in session.exec(select(Practice))}
    for record in content.practices:
        current = existing.get(record.slug)
        if current is None:
            practices.create(
                session=session,
                actor=actor,
                data=record,
                vocabulary=content.vocabulary,
                state="published",
            )
            report.created += 1
        elif practices.to_data(session, current) != record:
            assert current.id is not None
            practices.update(
                session=session,
                actor=actor,
                practice_id=current.id,
                data=record,
                expected_version=current.version,
                vocabulary=content.vocabulary,
            )
            report.updated += 1
        else:
            report.unchanged += 1
        if progress:
            progress(1)
    report.pages = pages_mod.save(session=session, pages=content.pages)
    session.flush()
    return report
