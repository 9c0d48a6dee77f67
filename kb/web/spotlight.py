"""The city spotlight form: every field of a practice, sources as an editable list of rows.

The form only reads and shows what was typed: checking is the domain's (`practices.validate` and
`kb.harm`), whose errors are put next to their fields here. Everything goes form -> PracticeData ->
form, so adding or removing a source row (a submit button, no JavaScript needed) keeps the rest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import fields as dc_fields
from dataclasses import replace as dc_replace
from typing import Any

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from kb.errors import FieldError
from kb.models import ACTIVITY_STATUSES
from kb.practices import SCALAR_FIELDS, PracticeData, SourceData
from kb.taxonomy import Vocabulary
from kb.web.forms import LANGUAGE_CHOICES, CheckboxesField

STATUS_LABELS = {
    "ongoing": _l("Ongoing"),
    "ended": _l("Ended"),
    "unknown": _l("Unknown (no recent source)"),
}
MAX_SOURCES = 30
_SOURCE_PATH = re.compile(r"^sources\[(\d+)\](?:\.(\w+))?$")


class SourceForm(Form):  # type: ignore[misc]
    title = StringField(_l("Source title"))
    url = StringField(_l("Address (http or https URL)"))
    publisher = StringField(_l("Publisher"))
    date = StringField(_l("Date (YYYY, YYYY-MM or YYYY-MM-DD)"))
    language = StringField(_l("Language code (fr, en…)"))


class SpotlightForm(FlaskForm):  # type: ignore[misc]
    slug = StringField(_l("Short name for the address (slug)"))
    title_fr = StringField(_l("Title in French"))
    title_en = StringField(_l("Title in English"))
    summary_fr = TextAreaField(_l("Summary in French"))
    summary_en = TextAreaField(_l("Summary in English"))
    language = SelectField(_l("Language of the detailed text"), choices=LANGUAGE_CHOICES)
    original_title = StringField(_l("Original name (optional)"))
    cities = TextAreaField(_l("Cities (one per line)"))
    country = StringField(_l("Country (two-letter ISO code, e.g. FR)"))
    region = StringField(_l("Region (optional)"))
    themes = CheckboxesField(_l("Themes"), validate_choice=False)
    approaches = CheckboxesField(_l("Approaches"), validate_choice=False)
    target_groups = CheckboxesField(_l("Target groups"), validate_choice=False)
    lead_organisation = StringField(_l("Lead organisation"))
    partners = TextAreaField(_l("Partners (one per line)"))
    start_year = StringField(_l("Start year"))
    end_year = StringField(_l("End year (if ended)"))
    status = SelectField(_l("Status"), validate_choice=False)
    evidence_level = SelectField(_l("Evidence level"), validate_choice=False)
    evaluation = TextAreaField(_l("Evaluation (optional)"))
    lessons = TextAreaField(_l("Lessons and transferability (Markdown, optional)"))
    contact_organisation = StringField(_l("Public contact (an organisation, never a person)"))
    body = TextAreaField(_l("Detailed description (Markdown)"))
    sources = FieldList(FormField(SourceForm), min_entries=1, max_entries=MAX_SOURCES)
    note = TextAreaField(_l("Note to the reviewers (optional)"))


def build(
    vocabulary: Vocabulary, lang: str, data: PracticeData | None = None, note: str = ""
) -> SpotlightForm:
    """The form, from the request's form data (POST) or from `data`."""
    form = SpotlightForm() if data is None else SpotlightForm(formdata=None, **_values(data, note))
    _set_choices(form, vocabulary, lang)
    return form


def _set_choices(form: SpotlightForm, vocabulary: Vocabulary, lang: str) -> None:
    for name, kind in (
        ("themes", "theme"),
        ("approaches", "approach"),
        ("target_groups", "target"),
    ):
        getattr(form, name).choices = [
            SelectChoice(t.slug, t.label(lang)) for t in vocabulary.terms.get(kind, ())
        ]
    form.status.choices = [SelectChoice(s, str(STATUS_LABELS[s])) for s in ACTIVITY_STATUSES]
    form.evidence_level.choices = [
        SelectChoice(t.slug, t.label(lang)) for t in vocabulary.terms.get("evidence", ())
    ]


def _values(data: PracticeData, note: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: getattr(data, name) or ""
        for name in SCALAR_FIELDS
        if name not in ("start_year", "end_year")
    }
    values["cities"] = "\n".join(data.cities)
    values["partners"] = "\n".join(data.partners)
    values["themes"] = list(data.themes)
    values["approaches"] = list(data.approaches)
    values["target_groups"] = list(data.target_groups)
    values["start_year"] = "" if data.start_year is None else str(data.start_year)
    values["end_year"] = "" if data.end_year is None else str(data.end_year)
    values["sources"] = [
        {k: getattr(s, k) or "" for k in ("title", "url", "publisher", "date", "language")}
        for s in data.sources
    ] or [{}]
    values["note"] = note
    return values


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def _year(text: str | None) -> Any:
    """A year as typed: a whole number when it is one, else the text (the domain reports it)."""
    value = (text or "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() and len(value) < 6 else value


def _optional(text: str | None) -> str | None:
    value = (text or "").strip()
    return value or None


def data_of(form: SpotlightForm, *, keep_empty_sources: bool = False) -> PracticeData:
    """What was typed, as a practice (possibly invalid: drafts keep everything)."""
    sources = []
    for entry in form.sources.entries[:MAX_SOURCES]:
        row = entry.form
        values = {
            k: (getattr(row, k).data or "").strip()
            for k in ("title", "url", "publisher", "date", "language")
        }
        if not keep_empty_sources and not any(values.values()):
            continue
        sources.append(
            SourceData(
                values["title"],
                values["url"],
                values["publisher"] or None,
                values["date"] or None,
                values["language"] or None,
            )
        )
    text = {
        name: (getattr(form, name).data or "")
        for name in ("title_fr", "title_en", "summary_fr", "summary_en", "body")
    }
    return PracticeData(
        slug=(form.slug.data or "").strip(),
        title_fr=text["title_fr"].strip(),
        title_en=text["title_en"].strip(),
        summary_fr=text["summary_fr"].strip(),
        summary_en=text["summary_en"].strip(),
        language=form.language.data or "",
        original_title=_optional(form.original_title.data),
        cities=_lines(form.cities.data),
        country=(form.country.data or "").strip().upper(),
        region=_optional(form.region.data),
        themes=tuple(form.themes.data or ()),
        approaches=tuple(form.approaches.data or ()),
        target_groups=tuple(form.target_groups.data or ()),
        lead_organisation=(form.lead_organisation.data or "").strip(),
        partners=_lines(form.partners.data),
        start_year=_year(form.start_year.data),
        end_year=_year(form.end_year.data),
        status=form.status.data or "",
        evidence_level=form.evidence_level.data or "",
        evaluation=_optional(form.evaluation.data),
        lessons=_optional(form.lessons.data),
        contact_organisation=_optional(form.contact_organisation.data),
        sources=tuple(sources),
        body=text["body"].replace("\r\n", "\n"),
    )


# What data_of() reads from the form; every other field of a practice is carried over.
ON_FORM = frozenset({
    "slug", "title_fr", "title_en", "summary_fr", "summary_en", "language", "original_title",
    "cities", "country", "region", "themes", "approaches", "target_groups",
    "lead_organisation", "partners", "start_year", "end_year", "status", "evidence_level",
    "evaluation", "lessons", "contact_organisation", "sources", "body",
})  # fmt: skip


def carry_over(typed: PracticeData, base: PracticeData | None) -> PracticeData:
    """The fields the form does not show (the translation, French names, facts, events,
    source notes) keep the values of the version being edited: saving a form never drops them."""
    if base is None:
        return typed
    kept = {f.name: getattr(base, f.name) for f in dc_fields(PracticeData) if f.name not in ON_FORM}
    notes = {s.url: s for s in base.sources}
    sources = tuple(
        dc_replace(s, note_fr=notes[s.url].note_fr, note_en=notes[s.url].note_en)
        if s.url in notes
        else s
        for s in typed.sources
    )
    return dc_replace(typed, **kept, sources=sources)


def place_errors(form: SpotlightForm, errors: Sequence[FieldError]) -> None:
    """Each domain error next to its field, in the reader's language; the rest as a message."""
    for problem in errors:
        field = _field_for(form, problem.field)
        message = _(problem.message)
        if field is not None:
            field.errors = [*list(field.errors or []), message]
        else:
            flash(f"{problem.field}: {message}", "error")


def _field_for(form: SpotlightForm, path: str) -> Any:
    match = _SOURCE_PATH.match(path)
    if match:
        index, key = int(match.group(1)), match.group(2)
        entries = form.sources.entries
        if index < len(entries):
            return getattr(entries[index].form, key) if key else entries[index].form.title
        return None
    name = path.replace(".", "_")
    if name == "sources":
        return form.sources.entries[0].form.title if form.sources.entries else None
    field = getattr(form, name, None)
    return field if field is not None and hasattr(field, "errors") and name != "meta" else None
