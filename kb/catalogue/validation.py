"""Checking a practice: every problem named by field (content-format path) and explained.

Used by the one writer (`kb.practices`), the content import, the do-no-harm checks and the forms.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import fields
from typing import Any
from urllib.parse import urlsplit

import pycountry

from kb.catalogue import facts
from kb.catalogue.data import LANGUAGES, PracticeData, SourceData
from kb.catalogue.fields import ACTIVITY_STATUSES, MAX_SOURCES, TERM_FIELDS
from kb.catalogue.taxonomy import Vocabulary
from kb.errors import N_, FieldError

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")
# The look-behind makes a match start only at the beginning of a word: without it a long word
# costs quadratic time (each position scans to the end looking for "@").
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.-]+")
PHONE_RE = re.compile(
    r"(?:\+\d{1,3}[\s.-]?\(?\d{1,4}\)?(?:[\s.-]?\d{2,4}){2,4})"  # +33 1 23 45 67 89
    r"|(?:\b0\d(?:[\s.-]?\d{2}){4}\b)"  # 01 23 45 67 89
    r"|(?:\(\d{3}\)\s?\d{3}[\s.-]\d{4}\b)"  # (212) 555-1234
    r"|(?:\b\d{3}[.-]\d{3}[.-]\d{4}\b)"  # 212-555-1234
)
YEAR_MIN, YEAR_MAX = 1900, 2100
LIMITS = {"title": 200, "summary": 1200, "body": 100_000, "text": 5_000, "name": 400, "url": 2000}

# One message per kind of term, so each reads naturally once translated.
UNKNOWN_TERM = {
    "theme": N_("unknown theme %(slug)r; expected one of: %(choices)s"),
    "approach": N_("unknown approach %(slug)r; expected one of: %(choices)s"),
    "target": N_("unknown target %(slug)r; expected one of: %(choices)s"),
}

# Paths of the fields in error messages follow the content format (title.fr, sources[2].url).
FIELD_PATHS = {
    "title_fr": "title.fr",
    "title_en": "title.en",
    "summary_fr": "summary.fr",
    "summary_en": "summary.en",
}


def validate(
    data: PracticeData, *, vocabulary: Vocabulary, events: Sequence[str] = ()
) -> list[FieldError]:
    """Every problem with `data`, each naming the field and saying what is expected."""
    errors: list[FieldError] = []

    def err(name: str, message: str, /, **params: Any) -> None:
        errors.append(FieldError(FIELD_PATHS.get(name, name), message, **params))

    _check_identity(err, data)
    _check_terms(err, data, vocabulary, events)
    _check_years(err, data)
    _check_texts(err, data)
    if not data.sources:
        err("sources", N_("expected at least one source with a title and an http(s) URL"))
    if len(data.sources) > MAX_SOURCES:
        err(
            "sources",
            N_("expected at most %(max)s sources, got %(count)s"),
            max=MAX_SOURCES,
            count=len(data.sources),
        )
    for i, source in enumerate(data.sources[:MAX_SOURCES]):
        _check_source(err, f"sources[{i}]", source)
    # Facts parsed from a file are already clean; facts typed in a form are checked here.
    facts.parse(data.facts, err)
    if len(repr(data.facts)) > LIMITS["text"]:
        err("facts", N_("expected at most %(max)s characters in all"), max=LIMITS["text"])
    _check_no_personal_contact(err, data)
    return errors




def _check_identity(err: Any, data: PracticeData) -> None:
    """Slug, names, summaries, language, place, lead organisation and activity status."""
    if not SLUG_RE.match(data.slug or "") or len(data.slug) > 120:
        err(
            "slug",
            N_("expected lowercase letters, digits and single hyphens (at most 120 characters)"),
        )
    for name, limit in (
        ("title_fr", LIMITS["title"]),
        ("title_en", LIMITS["title"]),
        ("summary_fr", LIMITS["summary"]),
        ("summary_en", LIMITS["summary"]),
    ):
        _required_text(err, name, getattr(data, name), limit)
    if data.language not in LANGUAGES:
        err(
            "language",
            N_("expected one of %(choices)s, got %(language)r"),
            choices=", ".join(LANGUAGES),
            language=data.language,
        )
    if not data.cities or any(not isinstance(c, str) or not c.strip() for c in data.cities):
        err("cities", N_("expected a list of at least one city name"))
    if data.partners_fr and len(data.partners_fr) != len(data.partners):
        err("partners", N_("expected a French name for every partner, or none"))
    lang = data.original_title_language
    if lang is not None and not re.fullmatch(r"[a-z]{2}", str(lang)):
        err(
            "original_title_language",
            N_("expected a two-letter ISO 639-1 code, got %(lang)r"),
            lang=lang,
        )
    if data.checked_on is not None and not DATE_RE.match(str(data.checked_on)):
        err("checked_on", N_("expected YYYY-MM-DD, got %(checked_on)r"), checked_on=data.checked_on)
    if not isinstance(data.country, str) or pycountry.countries.get(alpha_2=data.country) is None:
        err(
            "country",
            N_("expected an ISO 3166-1 alpha-2 country code (e.g. FR), got %(country)r"),
            country=data.country,
        )
    _required_text(err, "lead_organisation", data.lead_organisation, LIMITS["name"])
    if data.status not in ACTIVITY_STATUSES:
        err(
            "status",
            N_("expected one of %(choices)s, got %(status)r"),
            choices=", ".join(ACTIVITY_STATUSES),
            status=data.status,
        )


def _check_terms(
    err: Any, data: PracticeData, vocabulary: Vocabulary, events: Sequence[str]
) -> None:
    """Themes, approaches, target groups, evidence level and events: known ones, each once."""
    if not data.themes:
        err(
            "themes",
            N_("expected at least one theme among: %(choices)s"),
            choices=", ".join(vocabulary.slugs("theme")),
        )
    for name, kind in TERM_FIELDS.items():
        known = vocabulary.slugs(kind)
        for slug in getattr(data, name):
            if slug not in known:
                err(
                    name,
                    UNKNOWN_TERM[kind],
                    slug=slug,
                    choices=", ".join(known),
                )
        if len(set(getattr(data, name))) != len(getattr(data, name)):
            err(name, N_("a value is listed twice"))
    if data.evidence_level not in vocabulary.slugs("evidence"):
        valid = ", ".join(vocabulary.slugs("evidence"))
        err(
            "evidence_level",
            N_("unknown evidence level %(evidence_level)r; expected one of: %(valid)s"),
            evidence_level=data.evidence_level,
            valid=valid,
        )
    for event in data.events:
        if event not in events:
            err(
                "events",
                N_("unknown event %(event)r; expected one of: %(choices)s"),
                event=event,
                choices=", ".join(events) or "none",
            )


def _check_years(err: Any, data: PracticeData) -> None:
    """Start and end years in range, in order, and no end year for an ongoing practice."""
    for name in ("start_year", "end_year"):
        year = getattr(data, name)
        if year is not None and (
            not isinstance(year, int) or isinstance(year, bool) or not YEAR_MIN <= year <= YEAR_MAX
        ):
            err(
                name,
                N_("expected a year between %(min)s and %(max)s, got %(year)r"),
                min=YEAR_MIN,
                max=YEAR_MAX,
                year=year,
            )
    if (
        isinstance(data.start_year, int)
        and isinstance(data.end_year, int)
        and data.end_year < data.start_year
    ):
        err(
            "end_year",
            N_("expected a year not before start_year (%(start_year)s)"),
            start_year=data.start_year,
        )
    if data.end_year is not None and data.status == "ongoing":
        err("end_year", N_("an ongoing practice has no end year (set status: ended, or remove it)"))


def _check_texts(err: Any, data: PracticeData) -> None:
    """Lengths of the optional names, the longer texts and the Markdown bodies."""
    for name in (
        "original_title",
        "region",
        "contact_organisation",
        "lead_organisation_fr",
        "region_fr",
        "contact_organisation_fr",
    ):
        value = getattr(data, name)
        if value is not None and (not isinstance(value, str) or len(value) > LIMITS["name"]):
            err(name, N_("expected text of at most %(max)s characters"), max=LIMITS["name"])
    for name in ("evaluation", "lessons", "evaluation_translation", "lessons_translation"):
        value = getattr(data, name)
        if value is not None and (not isinstance(value, str) or len(value) > LIMITS["text"]):
            err(name, N_("expected text of at most %(max)s characters"), max=LIMITS["text"])
    for name in ("body", "body_translation"):
        value = getattr(data, name)
        if not isinstance(value, str) or len(value) > LIMITS["body"]:
            err(
                name,
                N_("expected Markdown text of at most %(max)s characters"),
                max=LIMITS["body"],
            )


def _required_text(err: Any, name: str, value: object, limit: int) -> None:
    if not isinstance(value, str) or not value.strip():
        err(name, N_("required; expected non-empty text"))
    elif len(value) > limit:
        err(
            name,
            N_("expected at most %(max)s characters, got %(length)s"),
            max=limit,
            length=len(value),
        )


def _check_source(err: Any, path: str, source: SourceData) -> None:
    if not isinstance(source.title, str) or not source.title.strip():
        err(f"{path}.title", N_("required; expected the source's title"))
    for key, limit in (
        ("title", "name"),
        ("publisher", "name"),
        ("note_fr", "text"),
        ("note_en", "text"),
    ):
        value = getattr(source, key)
        if isinstance(value, str) and len(value) > LIMITS[limit]:
            err(f"{path}.{key}", N_("expected at most %(max)s characters"), max=LIMITS[limit])
    if not is_http_url(source.url):
        err(f"{path}.url", N_("expected an http(s) URL, got %(url)r"), url=source.url)
    if source.date is not None and not DATE_RE.match(str(source.date)):
        err(
            f"{path}.date",
            N_("expected YYYY, YYYY-MM or YYYY-MM-DD, got %(date)r"),
            date=source.date,
        )
    if source.language is not None and not re.fullmatch(r"[a-z]{2}", str(source.language)):
        err(
            f"{path}.language",
            N_("expected a two-letter ISO 639-1 code, got %(language)r"),
            language=source.language,
        )


def is_http_url(url: object) -> bool:
    if not isinstance(url, str) or len(url) > LIMITS["url"] or any(c.isspace() for c in url):
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and "." in parts.netloc


def _check_no_personal_contact(err: Any, data: PracticeData) -> None:
    """Contacts are organisations: no e-mail address or phone number anywhere in a practice."""
    for name, value in _text_fields(data):
        if EMAIL_RE.search(value):
            err(
                name,
                N_("contains an e-mail address; a public contact is an organisation, not a person"),
            )
        elif PHONE_RE.search(value):
            err(
                name,
                N_("contains a phone number; a public contact is an organisation, not a person"),
            )


def _text_fields(data: PracticeData) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for f in fields(data):
        value = getattr(data, f.name)
        if isinstance(value, str):
            out.append((f.name, value))
        elif f.name in ("cities", "partners", "partners_fr"):
            out.extend((f.name, v) for v in value if isinstance(v, str))
    for i, source in enumerate(data.sources):
        for key in ("title", "publisher", "note_fr", "note_en"):
            value = getattr(source, key)
            if isinstance(value, str):
                out.append((f"sources[{i}].{key}", value))
    return out
