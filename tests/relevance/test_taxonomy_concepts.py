"""Approaches, target groups and narrower concepts are search concepts, like themes."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session

from indexer import Query
from kb import db
from kb.catalogue import taxonomy
from kb.catalogue.taxonomy import Narrower, Term, Vocabulary
from kb.content.source import ContentError
from kb.content.taxonomy_file import parse_taxonomy
from kb.search import index_sync as search
from kb.search.service import get_index
from tests.conftest import CONTENT_DIR

TAXONOMY = """\
themes:
- slug: hate
  label: {fr: Haine, en: Hate}
  synonyms: {fr: [haine], en: [hate]}
  narrower:
  - slug: anti-lgbt-hate
    label: {fr: Haine anti-LGBT, en: Anti-LGBT hate}
    synonyms: {fr: [homophobie], en: [homophobia]}
approaches:
- slug: mediation
  label: {fr: Médiation, en: Mediation}
target_groups:
- slug: young-people
  label: {fr: Jeunes, en: Young people}
evidence_levels:
- slug: none-found
  label: {fr: Aucune, en: None found}
"""


def parse(text: str, tmp_path: Path) -> tuple[Vocabulary, list[ContentError]]:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(text, encoding="utf-8")
    errors: list[ContentError] = []
    return parse_taxonomy(path, errors), errors


def test_a_term_may_list_narrower_concepts(tmp_path: Path) -> None:
    vocabulary, errors = parse(TAXONOMY, tmp_path)
    assert errors == []
    hate = vocabulary.get("theme", "hate")
    assert hate is not None
    assert hate.narrower == (
        Narrower("anti-lgbt-hate", "Haine anti-LGBT", "Anti-LGBT hate", ("homophobie",),
                 ("homophobia",)),
    )


@pytest.mark.parametrize(
    ("narrower", "field", "message"),
    [
        ("narrower: homophobie", "themes[0].narrower", "expected a list"),
        ("narrower:\n  - slug: Anti LGBT\n    label: {fr: a, en: b}", "themes[0].narrower[0].slug",
         "lowercase"),
        ("narrower:\n  - slug: hate\n    label: {fr: a, en: b}", "themes[0].narrower[0].slug",
         "duplicate slug"),
        ("narrower:\n  - slug: x\n    label: {fr: a}", "themes[0].narrower[0].label.en",
         "required"),
        ("narrower:\n  - slug: x\n    label: {fr: a, en: b}\n    narrower: []",
         "themes[0].narrower[0].narrower", "unknown key"),
        ("narrower:\n  - slug: x\n    label: {fr: a, en: b}\n    target: lgbt",
         "themes[0].narrower[0].target", "unknown target group 'lgbt'"),
    ],
)
def test_a_malformed_narrower_concept_is_reported_with_its_field(
    tmp_path: Path, narrower: str, field: str, message: str
) -> None:
    text = TAXONOMY.replace(
        "  narrower:\n  - slug: anti-lgbt-hate\n"
        "    label: {fr: Haine anti-LGBT, en: Anti-LGBT hate}\n"
        "    synonyms: {fr: [homophobie], en: [homophobia]}\n",
        "  " + narrower.replace("\n", "\n  ") + "\n",
    )
    _vocabulary, errors = parse(text, tmp_path)
    assert any(e.field == field and message in e.message for e in errors), errors


def test_a_narrower_concept_may_stand_for_a_target_group(tmp_path: Path) -> None:
    text = TAXONOMY.replace(
        "    label: {fr: Haine anti-LGBT, en: Anti-LGBT hate}\n",
        "    label: {fr: Haine anti-LGBT, en: Anti-LGBT hate}\n    target: young-people\n",
    )
    vocabulary, errors = parse(text, tmp_path)
    assert errors == []
    group = taxonomy.synonym_groups(vocabulary)[0]
    assert (group.facet, group.value) == ("target", "young-people")


def test_narrower_concepts_are_looked_up_before_broad_groups_which_keep_their_words() -> None:
    hate = Term(
        "theme", "hate", "Haine", "Hate", synonyms_fr=("haine",),
        narrower=(Narrower("anti-lgbt-hate", "Haine anti-LGBT", "Anti-LGBT hate",
                           ("homophobie",), ("homophobia",)),),
    )
    groups = taxonomy.synonym_groups(Vocabulary({"theme": (hate,)}))
    assert groups[0].facet is None and "homophobie" in groups[0].terms
    assert groups[1].value == "hate"
    assert {"haine", "homophobie"} <= {w.lower() for w in groups[1].terms}


def test_the_seed_taxonomy_bridges_approaches_in_both_languages() -> None:
    errors: list[ContentError] = []
    vocabulary = parse_taxonomy(CONTENT_DIR / "taxonomy.yaml", errors)
    assert errors == []
    words = {
        g.value: {w.lower() for w in g.terms} for g in taxonomy.synonym_groups(vocabulary)
    }
    pairs = [
        ("mediation", "médiation", "mediation"),
        ("community-dialogue", "travail de rue", "street outreach"),
        ("community-dialogue", "dialogue interreligieux", "interfaith dialogue"),
        ("awareness-education", "éducation aux médias", "media literacy"),
        ("young-people", "jeunes", "youth"),
    ]
    for slug, french, english in pairs:
        assert {french, english} <= words[slug], slug


def slugs(app: Flask, text: str, lang: str) -> list[str]:
    with Session(db.get_engine(app)) as session:
        index = get_index(session, app)
        found = search.search(session=session, index=index, query=Query(text=text, lang=lang))
        return [p.slug for p in found.practices]


@pytest.mark.parametrize(("text", "lang"), [("homophobie", "fr"), ("homophobia", "en")])
def test_a_narrow_term_ranks_its_practices_above_those_of_the_broad_theme_only(
    seeded_app: Flask, text: str, lang: str
) -> None:
    found = slugs(seeded_app, text, lang)
    assert "paris-lgbtqi-strategy" in found[:3]
    # Tagged with hate and found by "haine", but about no form of anti-LGBT hate in particular.
    assert "oslo-salto" not in found
    assert "oslo-salto" in slugs(seeded_app, "haine", "fr")


def test_a_broad_term_still_finds_the_practices_of_its_narrower_concepts(
    seeded_app: Flask,
) -> None:
    assert "paris-lgbtqi-strategy" in slugs(seeded_app, "haine", "fr")


def test_evidence_levels_are_search_concepts_in_both_languages() -> None:
    errors: list[ContentError] = []
    vocabulary = parse_taxonomy(CONTENT_DIR / "taxonomy.yaml", errors)
    groups = {
        (g.facet, g.value): {w.lower() for w in g.terms}
        for g in taxonomy.synonym_groups(vocabulary)
    }
    assert {"évaluation indépendante", "independently evaluated"} <= groups[
        ("evidence", "independent-evaluation")
    ]


@pytest.mark.parametrize(
    ("text", "lang"), [("dialogue interreligieux", "fr"), ("interfaith dialogue", "en")]
)
def test_interfaith_dialogue_is_narrower_than_every_dialogue(
    seeded_app: Flask, text: str, lang: str
) -> None:
    found = slugs(seeded_app, text, lang)
    # The two practices of interfaith dialogue itself (Bordeaux's Partages, Marseille Espérance)
    # come first; practices that work with religious communities follow.
    assert set(found[:2]) == {"bordeaux-partages-interreligious-dialogue", "marseille-esperance"}
    assert {"aarhus-model", "vilvoorde-deradicalisation-approach"} <= set(found)
    # A consultative council is community dialogue, but no dialogue between faiths.
    assert "strasbourg-foreign-residents-council" not in found
    assert "strasbourg-foreign-residents-council" in slugs(seeded_app, "dialogue", lang)


@pytest.mark.parametrize(
    ("text", "lang"), [("exit programmes", "en"), ("programme de sortie", "fr")]
)
def test_exit_work_finds_the_practice_with_exit_programmes_first(
    seeded_app: Flask, text: str, lang: str
) -> None:
    assert slugs(seeded_app, text, lang)[0] == "aarhus-model"


@pytest.mark.parametrize(("text", "lang"), [("travail de rue", "fr"), ("street outreach", "en")])
def test_street_outreach_finds_outreach_teams_not_every_community_dialogue(
    seeded_app: Flask, text: str, lang: str
) -> None:
    assert slugs(seeded_app, text, lang) == [
        "berlin-gangway-street-social-work",
        "calgary-redirect",
        "copenhagen-vink",
        "paris-correspondants-de-nuit",
        "oslo-salto",
    ]
