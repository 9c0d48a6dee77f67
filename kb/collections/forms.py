"""Forms of the curators' collection screens (Flask-WTF: validation and a CSRF token on each).

The lengths come from `kb.collections`, which checks them again: the form keeps what was typed
and shows the problem next to its field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from kb.collections.collections import (
    INTRO_MAX,
    ITEMS_MAX,
    NOTE_MAX,
    SLUG_MAX,
    TITLE_MAX,
    CollectionData,
)


def _strip(value: str | None) -> str:
    return (value or "").strip()


def _max(limit: int) -> Length:
    return Length(max=limit, message=_l("At most %(max)d characters.", max=limit))


class CollectionForm(FlaskForm):  # type: ignore[misc]
    title_fr = StringField(_l("Title in French"), validators=[DataRequired(), _max(TITLE_MAX)])
    title_en = StringField(_l("Title in English"), validators=[DataRequired(), _max(TITLE_MAX)])
    intro_fr = TextAreaField(_l("Introduction in French (Markdown)"), validators=[_max(INTRO_MAX)])
    intro_en = TextAreaField(_l("Introduction in English (Markdown)"), validators=[_max(INTRO_MAX)])
    version = HiddenField()
    submit = SubmitField(_l("Save"))

    def data_out(self) -> CollectionData:
        return CollectionData(
            title_fr=(self.title_fr.data or "").strip(),
            title_en=(self.title_en.data or "").strip(),
            intro_fr=self.intro_fr.data or "",
            intro_en=self.intro_en.data or "",
        )


class NewCollectionForm(CollectionForm):
    slug = StringField(
        _l("Address (slug)"), validators=[DataRequired(), _max(SLUG_MAX)], filters=[_strip]
    )
    submit = SubmitField(_l("Create the collection"))


class AddPracticeForm(FlaskForm):  # type: ignore[misc]
    practice = StringField(
        _l("Practice (its slug, from its address)"),
        validators=[DataRequired(), _max(SLUG_MAX)],
        filters=[_strip],
    )
    submit = SubmitField(_l("Add to the collection"))


class NoteForm(FlaskForm):  # type: ignore[misc]
    note_fr = TextAreaField(_l("Curator's note in French"), validators=[_max(NOTE_MAX)])
    note_en = TextAreaField(_l("Curator's note in English"), validators=[_max(NOTE_MAX)])
    submit = SubmitField(_l("Save the note"))


class MoveForm(FlaskForm):  # type: ignore[misc]
    direction = HiddenField()
    position = IntegerField(
        _l("Position"), validators=[Optional(), NumberRange(min=1, max=ITEMS_MAX)]
    )
    submit = SubmitField(_l("Move"))


class OrderForm(FlaskForm):  # type: ignore[misc]
    """The whole order at once, sent by the drag-and-drop script: practice ids, comma-separated."""

    order = HiddenField(validators=[DataRequired(), Length(max=ITEMS_MAX * 12)])
    submit = SubmitField(_l("Save this order"))
