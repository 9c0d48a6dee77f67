"""A practice's fields are declared once (kb.catalogue.fields): what is written in, by a form, the
API or a content file, is derived from the same declaration as what goes out."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields

import pytest

from kb.catalogue import fields
from kb.catalogue.data import PracticeData
from kb.catalogue.json_io import data_from_json
from kb.errors import ValidationError


def test_the_practice_data_class_holds_exactly_the_written_fields() -> None:
    assert {f.name for f in dataclass_fields(PracticeData)} == {f.name for f in fields.WRITTEN}


def test_every_written_field_says_how_it_is_typed_in_and_labels_its_form_field() -> None:
    for field in fields.WRITTEN:
        assert field.input in fields.INPUTS, field.name
        assert field.form_label, field.name
        assert not field.taxonomy or field.input == "slugs", field.name
    assert fields.READ_ONLY and not set(fields.READ_ONLY) & {f.name for f in fields.WRITTEN}


def test_the_form_has_one_field_per_written_field(app: object) -> None:
    from kb.moderation.forms import SpotlightForm

    declared = {f.name for f in fields.WRITTEN if f.input not in ("sources", "facts")}
    assert declared <= set(dir(SpotlightForm))


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("themes", "hate", "expected a list of strings"),
        ("cities", [1], "expected a list of strings"),
        ("start_year", "2019", "expected a whole number"),
        ("start_year", True, "expected a whole number"),
        ("facts", [], "expected an object"),
        ("sources", [1], "expected a list of objects"),
        ("title_fr", 3, "expected a string"),
    ],
)
def test_the_api_checks_each_field_by_how_it_is_typed_in(
    name: str, value: object, problem: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        data_from_json({"slug": "x", name: value})
    assert [(e.field, e.message) for e in raised.value.errors] == [(name, problem)]


def test_content_files_use_the_written_fields_under_their_own_keys() -> None:
    assert "title" in fields.FILE_KEYS and "title_fr" not in fields.FILE_KEYS
    assert "lead_organisation" in fields.FILE_KEYS and "body" not in fields.FILE_KEYS
    assert fields.SOURCE_FILE_KEYS == ("title", "url", "publisher", "date", "language", "note")
