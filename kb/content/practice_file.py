"""One practice file (or pasted text) in the `content/` format -> PracticeData."""

from __future__ import annotations

from pathlib import Path

from kb.catalogue import facts
from kb.catalogue.data import PracticeData
from kb.catalogue.fields import FILE_KEYS
from kb.content.checker import Checker, open_file, open_text
from kb.content.source import MAX_FILE_BYTES, ContentError
from kb.errors import N_
from kb.text import bilingual


def parse_practice(path: Path, errors: list[ContentError]) -> tuple[PracticeData, Checker] | None:
    """Read one practice file; problems go to `errors` (with lines); None when unusable.

    The checker comes back with the record so that validation errors found later point at the
    right line of this file.
    """
    opened = open_file(path, errors, front_matter=True)
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
        return None, [
            ContentError(
                name,
                1,
                "file",
                N_("larger than %(max)s bytes"),
                max=MAX_FILE_BYTES,
            )
        ]
    opened = open_text(text, name, errors, front_matter=True)
    if opened is None:
        return None, errors
    parsed = _practice_of(*opened, name.removesuffix(".md") if name.endswith(".md") else "")
    return (parsed[0] if parsed else None), errors


def _practice_of(check: Checker, body: str, stem: str) -> tuple[PracticeData, Checker] | None:
    data = check.mapping(check.located.value, "", FILE_KEYS)
    if not data:
        return None
    title_fr, title_en = check.bilingual(data, "title", "title")
    summary_fr, summary_en = check.bilingual(data, "summary", "summary")
    language = check.text(data, "language", "language") or ""
    original, marker_lang, translation, markers = bilingual.split_body(body)
    if markers > 1:
        check.error("body", N_("the translation marker appears more than once"))
    if marker_lang is not None and marker_lang != bilingual.other(language):
        check.error(
            "body",
            N_(
                "translation marker says %(marker_lang)r; expected <!-- kb:translation %(value)s "
                "--> for a %(language)r practice"
            ),
            marker_lang=marker_lang,
            value=bilingual.other(language),
            language=language,
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
        check.error("slug", N_("must equal the file name %(stem)r"), stem=stem)
    return record, check


def _strip_block(value: str | None) -> str | None:
    return value.strip("\n") if isinstance(value, str) else value


normalise_body = bilingual.normalise
