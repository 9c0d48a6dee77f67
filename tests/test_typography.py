"""French pages follow French typography: no-break spaces before ; : ! ? %, inside « », units."""

from __future__ import annotations

import pytest

from kb.typography import NBSP, NNBSP, french, french_html


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
