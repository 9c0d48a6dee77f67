"""The canonical YAML is written by libyaml (fast) with the very bytes PyYAML's emitter wrote."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb.content import export as content_export
from kb.content.export import (
    _Block,
    _Dumper,
    _Quoted,
    dump_yaml,
    practice_front_matter,
    render_events,
    render_practice,
    render_taxonomy,
)
from kb.content.folder import load

pytestmark = pytest.mark.skipif(
    content_export.DUMPER is _Dumper, reason="PyYAML is built without libyaml"
)

TRICKY = [
    "Le modèle d'Aarhus",
    "L'Autre Cercle: a network",
    "it's # not a comment",
    "'quoted' at the start",
    "l’apostrophe typographique",
    "2019",
    "2016-07-12",
    "yes",
    "null",
    "~",
    "- a dash",
    ": colon first",
    "trailing space ",
    " leading space",
    "tab\tinside",
    "a \"double\" and a 'single'",
    "back\\slash and it's",
    "line\u2028separator",
    "emoji 🏙️ and «guillemets»",
    "@at",
    "`tick",
    "%percent",
    "!bang it's",
    "&anchor",
    "*alias",
    "[flow]",
    "{flow}",
    "?question it's",
    "x: y it's",
    "",
    "two\nlines it's",
    "ends with newline\n",
    "trailing spaces on a line  \nnext it's",
    "\ufeffbom",
    "0x1F",
    "1e3",
    ".inf",
]


def _both(data: Any) -> tuple[str, str]:
    return dump_yaml(data, dumper=_Dumper), dump_yaml(data)


@pytest.mark.parametrize("text", TRICKY)
@pytest.mark.parametrize("kind", [str, _Block, _Quoted])
def test_tricky_texts_are_written_identically(text: str, kind: type) -> None:
    data = {"value": kind(text), "list": [kind(text)], "map": {"fr": kind(text), "en": "x"}}
    reference, fast = _both(data)
    assert fast == reference
    assert yaml.safe_load(fast) == {"value": text, "list": [text], "map": {"fr": text, "en": "x"}}


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.dictionaries(
        st.sampled_from(["slug", "title", "summary", "lessons", "note", "date"]),
        st.one_of(
            st.text(),
            st.text(alphabet="ab '\"\\:#-\n é’«»\t").map(_Block),
            st.text(alphabet="0123456789-' ").map(_Quoted),
            st.lists(st.text(), max_size=3),
            st.dictionaries(st.sampled_from(["fr", "en"]), st.text(), max_size=2),
        ),
        max_size=6,
    )
)
def test_any_document_is_written_identically_and_reads_back(data: dict[str, Any]) -> None:
    reference, fast = _both(data)
    assert fast == reference
    texts = "".join(_texts(data))
    if not any(c in texts for c in "\r\x85\u2028\u2029"):  # PyYAML's own limits
        assert yaml.safe_load(fast) == data


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value
    return [text for item in items for text in _texts(item)]


def test_every_seed_file_is_written_identically(content_copy: Path) -> None:
    loaded = load(content_copy)
    assert len(loaded.practices) > 30
    for record in loaded.practices:
        front = practice_front_matter(record)
        assert dump_yaml(front) == dump_yaml(front, dumper=_Dumper), record.slug
        assert render_practice(record) == (
            content_copy / "practices" / f"{record.slug}.md"
        ).read_text(encoding="utf-8")
    taxonomy = render_taxonomy(loaded.vocabulary)
    assert taxonomy == (content_copy / "taxonomy.yaml").read_text(encoding="utf-8")
    events = render_events(loaded.events)
    assert events == (content_copy / "events.yaml").read_text(encoding="utf-8")
