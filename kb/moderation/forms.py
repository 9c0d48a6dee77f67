"""The city spotlight form: every field of a practice, sources as an editable list of rows.

French and English sit side by side: titles and summaries, the text in its original language and
its translation, the English and French names of organisations and places, the notes of each
source. The practical facts (budget, website, staffing) are flat fields here and a mapping in the
practice (`kb.facts`); what is typed is kept as typed, and `practices.validate` reports it.

The form only reads and shows what was typed: checking is the domain's (`practices.validate` and
`kb.harm`), whose errors are put next to their fields here. Everything goes form -> PracticeData ->
form, so adding or removing a source row (a submit button, no JavaScript needed) keeps the rest.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from flask import flash, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from kb.accounts.forms import LANGUAGE_CHOICES, CheckboxesField
from kb.catalogue.data import PracticeData, SourceData
from kb.catalogue.facts import QUALIFIERS
from kb.catalogue.fields import ACTIVITY_STATUSES, MAX_SOURCES, SOURCE_KEYS, WRITTEN, Field
from kb.catalogue.taxonomy import Vocabulary
from kb.errors import N_, FieldError
from kb.models import Event
from kb.web.i18n import localized

QUALIFIER_LABELS = {"": _l("exactly"), "up-to": _l("up to"), "about": _l("about")}
_POSTED_SOURCE = re.compile(r"^sources-(\d+)-")
_SOURCE_PATH = re.compile(r"^sources\[(\d+)\](?:\.(\w+))?$")


class SourceForm(Form):  # type: ignore[misc]
    title = StringField(_l("Source title"))
    url = StringField(_l("Address (http or https URL)"))
    publisher = StringField(_l("Publisher"))
    date = StringField(_l("Date (YYYY, YYYY-MM or YYYY-MM-DD)"))
    language = StringField(_l("Language code (fr, en…)"))
    note_fr = TextAreaField(_l("Note on the source, in French (optional)"))
    note_en = TextAreaField(_l("Note on the source, in English (optional)"))


def _widget(field: Field) -> Any:
    """The form field of a written practice field, by how it is typed in."""
    label = _l(field.form_label)
    if field.input == "slugs":
        return CheckboxesField(label, validate_choice=False)
    if field.name == "language":
        return SelectField(label, choices=LANGUAGE_CHOICES)
    if field.input == "choice":
        return SelectField(label, validate_choice=False)
    if field.long or field.input in ("markdown", "lines"):
        return TextAreaField(label)
    return StringField(label)


class SpotlightForm(FlaskForm):  # type: ignore[misc]
    """One form field per written practice field (`kb.catalogue.fields`, added below), and the
    form's own: the practical facts as flat fields, the sources' rows, the note."""

    facts_budget_amount = StringField(_l("Budget: amount (a number)"))
    facts_budget_currency = StringField(_l("Budget: currency (ISO code, e.g. EUR)"))
    facts_budget_qualifier = SelectField(_l("Budget: the amount is"), validate_choice=False)
    facts_budget_period_fr = StringField(_l("Budget: period, in French"))
    facts_budget_period_en = StringField(_l("Budget: period, in English"))
    facts_budget_source = StringField(_l("Budget: address of the source stating it"))
    facts_website = StringField(_l("Official website of the lead organisation (a source URL)"))
    facts_staffing_fr = StringField(_l("Staffing, in French"))
    facts_staffing_en = StringField(_l("Staffing, in English"))
    facts_staffing_source = StringField(_l("Staffing: address of the source stating it"))
    sources = FieldList(FormField(SourceForm), min_entries=1, max_entries=MAX_SOURCES)
    note = TextAreaField(_l("Note to the reviewers (optional)"))


for _field in WRITTEN:
    if _field.input not in ("sources", "facts"):
        setattr(SpotlightForm, _field.name, _widget(_field))  # WTForms' way to add fields


def build(
    vocabulary: Vocabulary,
    lang: str,
    data: PracticeData | None = None,
    note: str = "",
    *,
    events: Sequence[Event] = (),
) -> SpotlightForm:
    """The form, from the request's form data (POST) or from `data`."""
    form = SpotlightForm() if data is None else SpotlightForm(formdata=None, **_values(data, note))
    _set_choices(form, vocabulary, lang)
    sources = len(data.sources) if data is not None else posted_sources()
    if sources > MAX_SOURCES:
        # The form holds MAX_SOURCES rows; say so rather than drop the others unannounced.
        place_errors(form, [too_many_sources(sources)])
    form.events.choices = _chosen_first(
        [SelectChoice(e.slug, e.title_fr if lang == "fr" else e.title_en) for e in events],
        form.events.data,
    )
    return form


def too_many_sources(count: int) -> FieldError:
    message = N_("expected at most %(max)s sources, got %(count)s")
    return FieldError("sources", message, max=MAX_SOURCES, count=count)


def posted_sources() -> int:
    """How many source rows the request's form sends (the form itself keeps MAX_SOURCES)."""
    rows = {m.group(1) for m in map(_POSTED_SOURCE.match, request.form) if m is not None}
    return len(rows)


def _chosen_first(choices: list[SelectChoice], chosen: Sequence[str] | None) -> list[SelectChoice]:
    """The chosen values first, in their order (the first theme is the main one), then the rest:
    sending the form back as shown keeps the order of a practice's terms."""
    rank = {value: i for i, value in enumerate(chosen or ())}
    return sorted(choices, key=lambda c: rank.get(c.value, len(rank)))


def _set_choices(form: SpotlightForm, vocabulary: Vocabulary, lang: str) -> None:
    for name, kind in (
        ("themes", "theme"),
        ("approaches", "approach"),
        ("target_groups", "target"),
    ):
        choices = [SelectChoice(t.slug, t.label(lang)) for t in vocabulary.terms.get(kind, ())]
        getattr(form, name).choices = _chosen_first(choices, getattr(form, name).data)
    form.status.choices = [SelectChoice(s, _(label)) for s, label in ACTIVITY_STATUSES.items()]
    form.evidence_level.choices = [
        SelectChoice(t.slug, t.label(lang)) for t in vocabulary.terms.get("evidence", ())
    ]
    form.facts_budget_qualifier.choices = [
        SelectChoice(q, str(QUALIFIER_LABELS[q])) for q in ("", *QUALIFIERS)
    ]


def _values(data: PracticeData, note: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in WRITTEN:
        value = getattr(data, f.name)
        if f.input == "lines":
            values[f.name] = "\n".join(value)
        elif f.input == "slugs":
            values[f.name] = list(value)
        elif f.input == "year":
            values[f.name] = "" if value is None else str(value)
        elif f.input not in ("sources", "facts"):
            values[f.name] = value or ""
    values["sources"] = [
        {k: getattr(s, k) or "" for k in SOURCE_KEYS} for s in data.sources[:MAX_SOURCES]
    ] or [{}]
    values["note"] = note
    return values | _fact_values(data.facts)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _fact_values(facts: dict[str, Any]) -> dict[str, str]:
    """The facts mapping as the flat form fields (what was typed comes back as typed)."""
    budget = _mapping(facts.get("budget"))
    staffing = _mapping(facts.get("staffing"))
    period = _mapping(budget.get("period"))
    amount = budget.get("amount", "")
    if isinstance(amount, float) and amount.is_integer():
        amount = int(amount)
    return {
        "facts_budget_amount": str(amount),
        "facts_budget_currency": str(budget.get("currency", "")),
        "facts_budget_qualifier": str(budget.get("qualifier", "")),
        "facts_budget_period_fr": str(period.get("fr", "")),
        "facts_budget_period_en": str(period.get("en", "")),
        "facts_budget_source": str(budget.get("source", "")),
        "facts_website": str(facts.get("website", "")),
        "facts_staffing_fr": str(staffing.get("fr", "")),
        "facts_staffing_en": str(staffing.get("en", "")),
        "facts_staffing_source": str(staffing.get("source", "")),
    }


def _facts_of(form: SpotlightForm) -> dict[str, Any]:
    """The facts as typed, in the shape of `kb.facts` (checked by `practices.validate`)."""
    typed = {k: (v.data or "").strip() for k, v in form._fields.items() if k.startswith("facts_")}
    out: dict[str, Any] = {}
    budget_keys = [k for k in typed if k.startswith("facts_budget_")]
    if any(typed[k] for k in budget_keys):
        budget: dict[str, Any] = {
            "amount": _number(typed["facts_budget_amount"]),
            "currency": typed["facts_budget_currency"].upper(),
        }
        if typed["facts_budget_qualifier"]:
            budget["qualifier"] = typed["facts_budget_qualifier"]
        if typed["facts_budget_period_fr"] or typed["facts_budget_period_en"]:
            budget["period"] = {
                "fr": typed["facts_budget_period_fr"],
                "en": typed["facts_budget_period_en"],
            }
        budget["source"] = typed["facts_budget_source"]
        out["budget"] = budget
    if typed["facts_website"]:
        out["website"] = typed["facts_website"]
    if any(typed[f"facts_staffing_{k}"] for k in ("fr", "en", "source")):
        out["staffing"] = {k: typed[f"facts_staffing_{k}"] for k in ("fr", "en", "source")}
    return out


def _number(text: str) -> Any:
    """An amount as typed: a number when it reads as one (spaces and a decimal comma allowed)."""
    compact = text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "").replace(",", ".")
    if not compact.isascii():
        return text
    try:
        value = float(compact)
    except ValueError:
        return text
    if not math.isfinite(value):  # "nan", "inf": not an amount (and not JSON)
        return text
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def _lines(text: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


def _year(text: str | None) -> Any:
    """A year as typed: a whole number when it is one, else the text (the domain reports it)."""
    value = (text or "").strip()
    if not value:
        return None
    return int(value) if value.isascii() and value.isdigit() and len(value) < 6 else value


def _optional(text: str | None) -> str | None:
    value = (text or "").strip()
    return value or None


def _typed(field: Field, raw: Any) -> Any:
    """A form field's data as the practice field's value, by how it is typed in."""
    if field.input == "lines":
        return _lines(raw)
    if field.input == "slugs":
        return tuple(raw or ())
    if field.input == "year":
        return _year(raw)
    if field.input == "markdown":
        return _markdown(raw)
    if field.input == "optional":
        return _optional(raw)
    if field.input == "choice":
        return raw or ""
    return (raw or "").strip()


def data_of(form: SpotlightForm, *, keep_empty_sources: bool = False) -> PracticeData:
    """What was typed, as a practice (possibly invalid: drafts keep everything)."""
    sources = []
    for entry in form.sources.entries[:MAX_SOURCES]:
        row = entry.form
        values = {k: (getattr(row, k).data or "").strip() for k in SOURCE_KEYS}
        if not keep_empty_sources and not any(values.values()):
            continue
        sources.append(
            SourceData(
                values["title"],
                values["url"],
                **{k: v or None for k, v in values.items() if k not in ("title", "url")},
            )
        )
    typed = {
        f.name: _typed(f, getattr(form, f.name).data)
        for f in WRITTEN
        if f.input not in ("sources", "facts")
    }
    typed["country"] = typed["country"].upper()
    return PracticeData(**typed, sources=tuple(sources), facts=_facts_of(form))


def _markdown(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n")


def place_errors(form: SpotlightForm, errors: Sequence[FieldError]) -> None:
    """Each domain error next to its field, in the reader's language; the rest as a message."""
    for problem in errors:
        field = _field_for(form, problem.field)
        message = localized(problem)
        if field is not None:
            field.errors = [*list(field.errors or []), message]
        else:
            flash(f"{problem.field}: {message}", "error")


# Errors on a whole group of fields go next to its first field.
ERROR_ALIASES = {
    "facts": "facts_budget_amount",
    "facts.budget": "facts_budget_amount",
    "facts.budget.period": "facts_budget_period_fr",
    "facts.staffing": "facts_staffing_fr",
}


def _field_for(form: SpotlightForm, path: str) -> Any:
    match = _SOURCE_PATH.match(path)
    if match:
        index, key = int(match.group(1)), match.group(2)
        entries = form.sources.entries
        if index < len(entries):
            return getattr(entries[index].form, key) if key else entries[index].form.title
        return None
    name = ERROR_ALIASES.get(path, path.replace(".", "_"))
    if name == "sources":
        return form.sources.entries[0].form.title if form.sources.entries else None
    field = getattr(form, name, None)
    return field if field is not None and hasattr(field, "errors") and name != "meta" else None
