"""Typed access to one parsed document; every problem is recorded with its line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from kb.catalogue.data import SourceData
from kb.catalogue.fields import SOURCE_FILE_KEYS
from kb.catalogue.validation import is_http_url
from kb.content.source import ContentError, Located, read_file, split_front_matter, yaml_error
from kb.errors import N_, Text
from kb.text import bilingual


class Checker:
    """Typed access to one YAML document that records errors with their lines."""

    def __init__(self, path: str, located: Located, errors: list[ContentError]) -> None:
        self.path, self.located, self.errors = path, located, errors
        for key in located.duplicates:
            self.error(key, N_("this key appears more than once"))

    def error(self, where: str, message: str | Text, /, **params: Any) -> None:
        line = self.located.line(where)
        self.errors.append(ContentError(self.path, line, where, message, **params))

    def mapping(self, value: Any, where: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.error(where or "front matter", N_("expected a mapping of keys to values"))
            return {}
        for key in value:
            if key not in allowed:
                prefix = f"{where}." if where else ""
                self.error(
                    f"{prefix}{key}",
                    N_("unknown key; expected one of: %(choices)s"),
                    choices=", ".join(allowed),
                )
        return value

    def text(self, data: dict[str, Any], key: str, where: str, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None:
            return "" if required else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        if not isinstance(value, str):
            self.error(where, N_("expected text"))
            return "" if required else None
        return value

    def bilingual(self, data: dict[str, Any], key: str, where: str) -> tuple[str, str]:
        value = data.get(key)
        if value is None:
            self.error(where, N_("required; expected fr and en values"))
            return "", ""
        if not isinstance(value, dict):
            self.error(where, N_("expected a mapping with fr and en"))
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
            self.error(where, N_("expected a list (one '- item' per line)"))
            return ()
        if not isinstance(value, list):
            self.error(where, N_("expected a list"))
            return ()
        out: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                self.error(f"{where}[{i}]", N_("expected text"))
            else:
                out.append(item)
        return tuple(out)

    def year(self, data: dict[str, Any], key: str) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(key, N_("expected a year as a whole number, got %(value)r"), value=value)
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
            self.error(key, N_("expected a list of sources"))
            return ()
        out: list[SourceData] = []
        for i, item in enumerate(value):
            where = f"{key}[{i}]"
            item = self.mapping(item, where, SOURCE_FILE_KEYS)
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
                self.error(f"{key}[{i}]", N_("expected text or a mapping with fr and en"))
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


def open_file(
    path: Path, errors: list[ContentError], *, front_matter: bool
) -> tuple[Checker, str] | None:
    """Read a YAML file, or a Markdown file's front matter and body; None when unreadable.

    The checker carries the line of every key, so later errors point into the file.
    """
    display = str(path)
    text = read_file(path, errors)
    if text is None:
        return None
    return open_text(text, display, errors, front_matter=front_matter)


def open_text(
    text: str, display: str, errors: list[ContentError], *, front_matter: bool
) -> tuple[Checker, str] | None:
    body, first_line = "", 1
    if front_matter:
        split = split_front_matter(display, text)
        if isinstance(split, ContentError):
            errors.append(split)
            return None
        text, body = split
        first_line = 2
    try:
        located = Located(text, first_line=first_line)
    except yaml.YAMLError as exc:
        errors.append(yaml_error(display, exc, first_line))
        return None
    return Checker(display, located, errors), body


def check_sources(check: Checker, sources: tuple[SourceData, ...], where: str) -> None:
    for i, source in enumerate(sources):
        if not source.title.strip():
            check.error(f"{where}[{i}].title", N_("required; expected the source's title"))
        if not is_http_url(source.url):
            check.error(
                f"{where}[{i}].url", N_("expected an http(s) URL, got %(url)r"), url=source.url
            )
