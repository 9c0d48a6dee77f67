"""What the moderation pages share: diff labels, the version a form names, error reasons."""

from __future__ import annotations

from flask import g, request
from flask_babel import lazy_gettext as _l

from kb.catalogue import fields
from kb.errors import KBError
from kb.web.i18n import localized

# Diff rows that pair French and English (`kb.catalogue.diff`), and an editorial page's texts; a
# practice's own fields are labelled where they are declared (`kb.catalogue.fields`).
PAIR_LABELS = {
    "title": _l("Title"),
    "summary": _l("Summary"),
    "body_fr": _l("Text in French"),
    "body_en": _l("Text in English"),
}


def field_label(name: str) -> str:
    """A diff row's label in the reader's language (a practice field's from its declaration)."""
    field = fields.named(name)
    return field.label(g.lang) if field else str(PAIR_LABELS.get(name, name))


def reason(error: KBError) -> str:
    """A domain error in the reader's language, field by field when it names fields."""
    return localized(error)


def typed_version() -> str | None:
    """The version of the proposal the form was filled in on (its hidden field), if any."""
    value = request.form.get("version", "")
    return value[:40] if value else None


def autosaving() -> bool:
    """A save sent by the form's script every 30 s (answered with the new version, no page)."""
    return request.headers.get("X-Requested-With") == "fetch"


