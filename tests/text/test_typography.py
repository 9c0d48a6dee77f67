"""French pages follow French typography: no-break spaces before ; : ! ? %, inside « », units."""

from __future__ import annotations

import pytest

from kb.text.typography import NBSP, NNBSP, french, french_html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Porteur : Ville", f"Porteur{NNBSP}: Ville"),
        ("Porteur: Ville", f"Porteur{NNBSP}: Ville"),
        ("Vraiment ? Oui !", f"Vraiment{NNBSP}? Oui{NNBSP}!"),
        ("Quoi?", f"Quoi{NNBSP}?"),
        ("une note ; puis", f"une note{NNBSP}; puis"),
        ("« Rechercher »", f"«{NNBSP}Rechercher{NNBSP}»"),
        ("«Rechercher»", f"«{NNBSP}Rechercher{NNBSP}»"),
        ("50 % des agents", f"50{NBSP}% des agents"),
        ("50% des agents", f"50{NBSP}% des agents"),
        ("875 000 €", f"875{NNBSP}000{NBSP}€"),
        ("12 km", f"12{NBSP}km"),
    ],
)
def test_french_text_gets_its_no_break_spaces(text: str, expected: str) -> None:
    assert french(text) == expected


@pytest.mark.parametrize("text", ["https://x.org/?q=a&b=c", "10:30", "a &amp; b", "city:nice"])
def test_urls_times_entities_and_query_syntax_are_left_alone(text: str) -> None:
    assert french(text) == text


def test_the_filter_is_idempotent() -> None:
    text = "« Oui » ; non : peut-être ? 5 % !"
    assert french(french(text)) == french(text)


def test_html_text_is_fixed_but_tags_scripts_code_and_english_are_not() -> None:
    page = (
        '<p title="a : b">Quoi ?</p><script>x = a ? b : c;</script><code>a ; b</code>'
        '<span lang="en">Why? Because</span><p>Fin !</p>'
    )
    out = french_html(page)
    assert f"Quoi{NNBSP}?" in out and f"Fin{NNBSP}!" in out
    assert 'title="a : b"' in out
    assert "x = a ? b : c;" in out and "<code>a ; b</code>" in out
    assert '<span lang="en">Why? Because</span>' in out


def _every_rule(text: str) -> str:
    """The rules applied one after the other with no shortcut, as a reference for `french`."""
    from kb.text import typography as t

    text = t._BEFORE_SEMI_COLON.sub(NNBSP + r"\1", text)
    text = t._BEFORE_COLON.sub(NNBSP + r"\1", text)
    text = t._BEFORE_EXCLAIM.sub(NNBSP + r"\1", text)
    text = t._AFTER_OPEN_QUOTE.sub("«" + NNBSP, text)
    text = t._BEFORE_CLOSE_QUOTE.sub(NNBSP + "»", text)
    text = t._PERCENT.sub(NBSP + "%", text)
    text = t._UNIT.sub(NBSP + r"\1", text)
    return t._THOUSANDS.sub(NNBSP, text)


def test_skipping_rules_whose_character_is_absent_changes_nothing() -> None:
    from pathlib import Path

    texts = [p.read_text(encoding="utf-8") for p in sorted(Path("content").rglob("*.md"))]
    texts += [line for text in texts for line in text.splitlines()]
    assert len(texts) > 100
    for text in texts:
        assert french(text) == _every_rule(text)
