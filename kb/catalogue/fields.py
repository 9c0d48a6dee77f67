"""Each field of a practice, declared once, for what comes in and what goes out.

Out: `FIELDS` drives the record (`kb.catalogue.records`), the CSV columns and the field
dictionary of every export, and the OpenAPI schema of a practice. A field names its kind; the kind
says how it is typed in JSON Schema and how it is written in a CSV cell.

In: a field people or programs write names its `input` (see `INPUTS`); the spotlight form, the
API's JSON parser and the content files' keys are derived from it, and the form shows its
`form_label`. The record-only fields (version, dates, URLs) have none.

Formats: `json` (the API record, JSON exports, the changes feed and webhooks), `csv`, `markdown`
(the `content/` format of the Markdown zip, which `kb import` reads back) and `print` (the booklet).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kb.errors import N_

FORMATS = ("json", "csv", "markdown", "print")
ALL = frozenset(FORMATS)
NOT_MARKDOWN = frozenset({"json", "csv", "print"})
# How a written field is typed in: "text" (one value, "" when empty), "optional" (None when
# empty), "markdown" (kept as typed), "choice" (one of a list), "lines" (free values, one per line
# in a form), "slugs" (chosen from a list), "year" (a whole number or None), "sources", "facts".
INPUTS = ("text", "optional", "markdown", "choice", "lines", "slugs", "year", "sources", "facts")
# A practice cites a handful of sources; the form shows this many rows and the API takes no more.
MAX_SOURCES = 30
LIST_INPUTS = frozenset({"lines", "slugs"})
MULTI_SEPARATOR = " | "

# kind -> JSON Schema of a value of that kind
KIND_SCHEMAS: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "optional_string": {"type": ["string", "null"]},
    "markdown": {"type": "string", "contentMediaType": "text/markdown"},
    "optional_markdown": {"type": ["string", "null"], "contentMediaType": "text/markdown"},
    "integer": {"type": "integer"},
    "optional_year": {"type": ["integer", "null"], "minimum": 1900, "maximum": 2100},
    "strings": {"type": "array", "items": {"type": "string"}},
    "datetime": {"type": "string", "format": "date-time"},
    "optional_datetime": {"type": ["string", "null"], "format": "date-time"},
    "sources": {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Source"},
        "maxItems": MAX_SOURCES,
    },
    "object": {"type": "object"},
    "city_names": {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {
                "id": {"type": "string"}, "fr": {"type": "string"}, "en": {"type": "string"},
            },
            "required": ["id", "fr", "en"],
        },
    },
    "urls": {
        "type": "object",
        "properties": {"fr": {"type": "string"}, "en": {"type": "string"}},
        "required": ["fr", "en"],
        "additionalProperties": False,
    },
}

SOURCE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "url": {"type": "string"},
        "publisher": {"type": ["string", "null"]},
        "date": {"type": ["string", "null"], "description": "YYYY, YYYY-MM or YYYY-MM-DD"},
        "language": {"type": ["string", "null"], "description": "ISO 639-1 code"},
        "note_fr": {"type": ["string", "null"], "description": "Note on the source, in French"},
        "note_en": {"type": ["string", "null"], "description": "Note on the source, in English"},
        "unofficial_copy": {
            "type": "boolean",
            "description": "The URL is a copy site, not the publisher's own (JSON only).",
        },
    },
    "required": ["title", "url", "publisher", "date", "language", "note_fr", "note_en"],
    "additionalProperties": False,
}
# What is written of a source; `unofficial_copy` is derived from its URL.
SOURCE_KEYS: tuple[str, ...] = tuple(SOURCE_SCHEMA["required"])


# Whether a practice still runs, with the label shown to readers and in forms.
ACTIVITY_STATUSES: dict[str, str] = {
    "ongoing": N_("Ongoing"),
    "ended": N_("Ended"),
    "unknown": N_("Unknown (no recent source)"),
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    label_fr: str
    label_en: str
    description: str
    formats: frozenset[str] = ALL
    enum: tuple[str, ...] = ()
    input: str | None = None  # one of INPUTS; None: computed, never written
    form_label: str = ""  # msgid, translated in the form
    long: bool = False  # a text area in the form
    taxonomy: str = ""  # for "slugs": the taxonomy kind the values come from

    def label(self, lang: str) -> str:
        return self.label_fr if lang == "fr" else self.label_en

    def json_problem(self, value: Any) -> str | None:
        """What is wrong with `value` as this field's JSON input (a msgid), or None."""
        if value is None:
            return None
        if self.input in LIST_INPUTS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return N_("expected a list of strings")
        elif self.input == "sources":
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                return N_("expected a list of objects")
        elif self.input == "facts":
            if not isinstance(value, dict):
                return N_("expected an object")
        elif self.input == "year":
            if isinstance(value, bool) or not isinstance(value, int):
                return N_("expected a whole number")
        elif not isinstance(value, str):
            return N_("expected a string")
        return None

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of this field's value."""
        schema = dict(KIND_SCHEMAS[self.kind])
        if self.enum:
            schema["enum"] = list(self.enum)
        schema["description"] = self.description
        return schema

    def csv_columns(self) -> tuple[str, ...]:
        """The CSV column names carrying this field (a URL per language for `urls`)."""
        if "csv" not in self.formats:
            return ()
        if self.kind == "urls":
            return (f"{self.name}_fr", f"{self.name}_en")
        return (self.name,)

    def csv_cells(self, value: Any) -> tuple[str, ...]:
        """This field's value written in its CSV cells; lists joined with ` | `."""
        if self.kind == "urls":
            return (value["fr"], value["en"])
        if value is None:
            return ("",)
        if self.kind == "strings":
            return (MULTI_SEPARATOR.join(value),)
        if self.kind == "sources":
            return (MULTI_SEPARATOR.join(f"{s['title']} <{s['url']}>" for s in value),)
        return (str(value),)


FIELDS: tuple[Field, ...] = (
    Field("slug", "string", "Identifiant", "Identifier",
          "Stable identifier of the practice, used in its URLs; never changes.",
          input="text", form_label=N_("Short name for the address (slug)")),
    Field("title_fr", "string", "Titre (français)", "Title (French)",
          "Title in French.",
          input="text", form_label=N_("Title in French")),
    Field("title_en", "string", "Titre (anglais)", "Title (English)",
          "Title in English.",
          input="text", form_label=N_("Title in English")),
    Field("summary_fr", "string", "Résumé (français)", "Summary (French)",
          "Short summary in French.",
          input="text", form_label=N_("Summary in French"), long=True),
    Field("summary_en", "string", "Résumé (anglais)", "Summary (English)",
          "Short summary in English.",
          input="text", form_label=N_("Summary in English"), long=True),
    Field("language", "string", "Langue du texte", "Language of the text",
          "Language the body is written in (ISO 639-1).", enum=("fr", "en"),
          input="choice", form_label=N_("Language of the detailed text")),
    Field("original_title", "optional_string", "Titre d'origine", "Original title",
          "Title in the practice's own language when neither French nor English.",
          input="optional", form_label=N_("Original name (optional)")),
    Field("cities", "strings", "Villes", "Cities",
          "Cities where the practice runs, the main one first.",
          input="lines", form_label=N_("Cities (one per line)")),
    Field("country", "string", "Pays", "Country",
          "ISO 3166-1 alpha-2 country code.",
          input="text", form_label=N_("Country (two-letter ISO code, e.g. FR)")),
    Field("region", "optional_string", "Région", "Region",
          "Region or province, when known.",
          input="optional", form_label=N_("Region, English name (optional)")),
    Field("themes", "strings", "Thèmes", "Themes",
          "Theme slugs from the taxonomy.",
          input="slugs", form_label=N_("Themes"), taxonomy="theme"),
    Field("approaches", "strings", "Approches", "Approaches",
          "Approach slugs from the taxonomy.",
          input="slugs", form_label=N_("Approaches"), taxonomy="approach"),
    Field("target_groups", "strings", "Publics visés", "Target groups",
          "Target group slugs from the taxonomy.",
          input="slugs", form_label=N_("Target groups"), taxonomy="target"),
    Field("lead_organisation", "string", "Organisation porteuse", "Lead organisation",
          "Organisation that leads the practice.",
          input="text", form_label=N_("Lead organisation, English name")),
    Field("partners", "strings", "Partenaires", "Partners",
          "Partner organisations.",
          input="lines", form_label=N_("Partners, English names (one per line)")),
    Field("start_year", "optional_year", "Année de début", "Start year",
          "Year the practice started, when known.",
          input="year", form_label=N_("Start year")),
    Field("end_year", "optional_year", "Année de fin", "End year",
          "Year the practice ended; empty while ongoing or unknown.",
          input="year", form_label=N_("End year (if ended)")),
    Field("status", "string", "Statut", "Status",
          "Whether the practice is still running.", enum=tuple(ACTIVITY_STATUSES),
          input="choice", form_label=N_("Status")),
    Field("evidence_level", "string", "Niveau de preuve", "Evidence level",
          "Evidence level slug from the taxonomy.",
          input="choice", form_label=N_("Evidence level")),
    Field("evaluation", "optional_string", "Évaluation", "Evaluation",
          "What is known of its evaluation.",
          input="optional",
          form_label=N_("Evaluation, in the language of the text (optional)"), long=True),
    Field("lessons", "optional_markdown", "Enseignements", "Lessons",
          "Lessons and transferability, in Markdown.",
          input="optional",
          form_label=N_("Lessons and transferability (Markdown, optional)"), long=True),
    Field("contact_organisation", "optional_string", "Contact", "Contact",
          "Public contact: an organisation, never a person.",
          input="optional", form_label=N_("Public contact, English name (never a person)")),
    Field("events", "strings", "Événements", "Events",
          "Slugs of the events where the practice was presented.",
          input="slugs", form_label=N_("Presented at")),
    Field("sources", "sources", "Sources", "Sources",
          "Published sources, in order; in CSV each is `title <url>`.",
          input="sources", form_label=N_("Sources")),
    Field("body", "markdown", "Description", "Description",
          "Full description in Markdown, in the language given by `language`.",
          input="markdown", form_label=N_("Detailed description (Markdown)")),
    Field("body_translation", "markdown", "Description (traduction)", "Description (translation)",
          "The description translated into the other language (see `translation_language`).",
          input="markdown",
          form_label=N_(
              "Translation of the description into the other language (Markdown, optional)"
          )),
    Field("evaluation_translation", "optional_string", "Évaluation (traduction)",
          "Evaluation (translation)", "`evaluation` in the other language.",
          input="optional", form_label=N_("Evaluation, translated (optional)"), long=True),
    Field("lessons_translation", "optional_markdown", "Enseignements (traduction)",
          "Lessons (translation)", "`lessons` in the other language, in Markdown.",
          input="optional",
          form_label=N_("Lessons and transferability, translated (optional)"), long=True),
    Field("lead_organisation_fr", "optional_string", "Organisation porteuse (nom français)",
          "Lead organisation (French name)", "French name of the lead organisation.",
          input="optional", form_label=N_("Lead organisation, French name if different")),
    Field("partners_fr", "strings", "Partenaires (noms français)", "Partners (French names)",
          "French names of the partners, in the same order, or empty.",
          input="lines",
          form_label=N_("Partners, French names (one per line, same order, or none)")),
    Field("region_fr", "optional_string", "Région (français)", "Region (French)",
          "The region in French.",
          input="optional", form_label=N_("Region, French name if different (optional)")),
    Field("contact_organisation_fr", "optional_string", "Contact (nom français)",
          "Contact (French name)", "French name of the public contact organisation.",
          input="optional", form_label=N_("Public contact, French name if different")),
    Field("facts", "object", "Faits pratiques", "Practical facts",
          "Budget, staffing and official website where the sources state them, each with its "
          "source.", formats=frozenset({"json", "markdown"}),
          input="facts", form_label=N_("Practical facts")),
    Field("checked_on", "optional_string", "Informations vérifiées le", "Information checked on",
          "When the sources were last checked (YYYY-MM-DD), when known.",
          input="optional", form_label=N_("Sources last checked on (YYYY-MM-DD, optional)")),
    Field("original_title_language", "optional_string", "Langue du titre d'origine",
          "Language of the original title", "ISO 639-1 code of `original_title`.",
          input="optional",
          form_label=N_("Language of the original name (two-letter code, optional)")),
    Field("version", "integer", "Version", "Version",
          "Version number, raised by every change.", formats=NOT_MARKDOWN),
    Field("published_at", "optional_datetime", "Publiée le", "Published at",
          "When the practice was (last) published, UTC.", formats=NOT_MARKDOWN),
    Field("updated_at", "datetime", "Mise à jour le", "Updated at",
          "When the practice last changed, UTC.", formats=NOT_MARKDOWN),
    Field("changed_at", "optional_datetime", "Dernière modification de fond",
          "Last substantive change", "When the content (not the workflow state) last changed, "
          "UTC.", formats=NOT_MARKDOWN),
    Field("translation_language", "optional_string", "Langue de la traduction",
          "Language of the translation", "Language of `body_translation`, when there is one.",
          formats=frozenset({"json"})),
    Field("city_names", "city_names", "Noms des villes", "City names",
          "Each city id with its French and English name.", formats=frozenset({"json"})),
    Field("urls", "urls", "Adresses", "URLs",
          "Public page of the practice in French and in English.", formats=NOT_MARKDOWN),

)  # fmt: skip


_BY_NAME = {f.name: f for f in FIELDS}
WRITTEN: tuple[Field, ...] = tuple(f for f in FIELDS if f.input)
# Written fields stored as columns of the practice row (the rest are lists and child rows).
SCALAR_FIELDS: tuple[str, ...] = tuple(
    f.name for f in WRITTEN if f.input not in LIST_INPUTS | {"sources", "facts"}
)
LIST_FIELDS: tuple[str, ...] = tuple(f.name for f in WRITTEN if f.input in LIST_INPUTS)
TERM_FIELDS: dict[str, str] = {f.name: f.taxonomy for f in WRITTEN if f.taxonomy}
# Fields of the public record an API client may send back; they are ignored on input.
READ_ONLY: tuple[str, ...] = tuple(f.name for f in FIELDS if not f.input)


def file_key(name: str) -> str:
    """The key of a written field in a content file, where a French name, a translation or a
    language variant sits under its field's own key (`title: {fr, en}`, `region: {en, fr}`)."""
    for suffix in ("_translation", "_fr", "_en"):
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


# The keys of a practice file's front matter (the body is the file's text).
FILE_KEYS: tuple[str, ...] = tuple(
    dict.fromkeys(file_key(f.name) for f in WRITTEN if f.name not in ("body", "body_translation"))
)
SOURCE_FILE_KEYS: tuple[str, ...] = tuple(dict.fromkeys(file_key(k) for k in SOURCE_KEYS))


def named(name: str) -> Field | None:
    return _BY_NAME.get(name)


def carried_by(fmt: str) -> tuple[Field, ...]:
    """The fields a format carries, in declaration order."""
    return tuple(f for f in FIELDS if fmt in f.formats)


def csv_header() -> list[str]:
    return [column for f in carried_by("csv") for column in f.csv_columns()]


def dictionary() -> list[dict[str, Any]]:
    """The field dictionary shipped with every export."""
    return [
        {
            "name": f.name,
            "type": f.kind,
            "label": {"fr": f.label_fr, "en": f.label_en},
            "description": f.description,
            "formats": [fmt for fmt in FORMATS if fmt in f.formats],
            "csv_columns": list(f.csv_columns()),
            **({"enum": list(f.enum)} if f.enum else {}),
        }
        for f in FIELDS
    ]


def record_schema() -> dict[str, Any]:
    """JSON Schema of a practice record (components/schemas/Practice in the OpenAPI document)."""
    fields = carried_by("json")
    return {
        "type": "object",
        "properties": {f.name: f.schema() for f in fields},
        "required": [f.name for f in fields],
        "additionalProperties": False,
    }
