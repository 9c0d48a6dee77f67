"""Search results read cleanly: chips name their filter, snippets hold no headings, no stop word
is highlighted."""

from __future__ import annotations

import html
import re

from flask.testing import FlaskClient


def page_of(reader: FlaskClient, url: str) -> str:
    response = reader.get(url)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_a_chip_names_its_filter(reader: FlaskClient) -> None:
    page = page_of(reader, "/fr/search?q=haine&year=2019")
    chips = re.findall(r'<a class="chip" href="[^"]*">([^<]*)<', page)
    assert chips == ["Année de lancement\u202f: 2019 "]
    english = page_of(reader, "/en/search?q=hate&country=FR")
    assert re.findall(r'<a class="chip" href="[^"]*">([^<]*)<', english) == ["Country: France "]


def test_snippets_never_start_with_a_section_heading(reader: FlaskClient) -> None:
    data = reader.get("/api/v1/search?q=fund&lang=en&per_page=50").get_json()
    snippets = [r["snippet"] for r in data["results"] if r["snippet"]]
    assert snippets
    for heading in ("Context ", "What the city does ", "Results and evaluation "):
        assert not any(heading in re.sub(r"</?mark>", "", s) for s in snippets), heading


def test_stop_words_are_not_highlighted(reader: FlaskClient) -> None:
    page = page_of(reader, "/fr/search?q=prévention+de+la+radicalisation+des+jeunes")
    marked = {m.lower() for m in re.findall(r"<mark>([^<]*)</mark>", page)}
    assert "radicalisation" in marked
    # A stop word is marked only as a word of a synonym phrase found whole, next to the rest of
    # it ("(de)radicalisation" is "de-radicalisation"); never on its own.
    alone = {m.lower() for m in re.findall(r"<mark>([^<]*)</mark>(?!\W{0,2}<mark>)", page)}
    assert not alone & {"de", "la", "des", "the", "of"}
