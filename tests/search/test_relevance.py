"""Relevance over the seed content: French and English queries find the practice a reader means.

Each case names the practice expected and the worst acceptable rank. The mean reciprocal rank
(MRR) over all cases is printed and must stay at or above MIN_MRR (issue 24: 0.888 before titles
holding every typed word were favoured, indexer/ranking.py; 0.961 after).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from indexer import Query
from kb import db
from kb.search import index_sync as search
from kb.search.service import get_index

MIN_MRR = 0.95

CASES = [
    # (query, reader's language, expected practice, worst acceptable rank)
    ("rumeurs", "fr", "barcelona-anti-rumour-strategy", 1),
    ("anti-rumour", "en", "barcelona-anti-rumour-strategy", 1),
    # Lisbon's municipal council of migrant associations (second dossier) answers these words too.
    ("conseil des résidents étrangers", "fr", "strasbourg-foreign-residents-council", 2),
    (
        "conseil des residents etrangers",
        "fr",
        "strasbourg-foreign-residents-council",
        2,
    ),  # no accents
    (
        "foreign residents council",
        "en",
        "strasbourg-foreign-residents-council",
        3,
    ),  # EN for FR text; Lisbon's council and Paris's Citizens' Assembly may come first
    ("observatoire des discriminations", "fr", "montpellier-observatoire-discriminations", 1),
    ("discrimination observatory", "en", "montpellier-observatoire-discriminations", 1),  # plural
    ("racisme anti-noir", "fr", "toronto-confronting-anti-black-racism", 1),  # FR for EN text
    ("anti-Black racism", "en", "toronto-confronting-anti-black-racism", 1),
    ("LGBTQI", "fr", "paris-lgbtqi-strategy", 2),  # Lille's LGBT+ plan answers it as well
    ("fiertés", "fr", "paris-lgbtqi-strategy", 1),
    # Breaking Bread, Building Bonds is New York's citywide programme against hate (2023).
    ("crimes de haine New York", "fr", "nyc-office-prevention-hate-crimes", 2),
    ("hate crimes office", "en", "nyc-office-prevention-hate-crimes", 2),
    ("Aarhus", "en", "aarhus-model", 1),
    ("Info House mentoring", "en", "aarhus-model", 1),
    ("tensions sociales Rotterdam", "fr", "rotterdam-quick-scan-social-tensions", 1),
    ("quick scan", "en", "rotterdam-quick-scan-social-tensions", 1),
    ("salafisme", "fr", "nrw-wegweiser-duesseldorf-dortmund", 1),
    ("Salafism counselling", "en", "nrw-wegweiser-duesseldorf-dortmund", 1),
    ("Dusseldorf", "en", "nrw-wegweiser-duesseldorf-dortmund", 1),  # ü typed as u
    ("Malmo", "en", "malmo-violent-extremism-coordination", 1),
    ("Montreal radicalization", "en", "montreal-cprmv", 1),  # US spelling, no accent
    ("radicalisation menant à la violence", "fr", "montreal-cprmv", 1),
    ("securite integree Toulouse", "fr", "toulouse-integrated-security-contract", 1),
    ("contrat de sécurité intégrée", "fr", "toulouse-integrated-security-contract", 1),
    ("réfugiés somaliens", "fr", "boston-project-shifa", 1),  # FR query, EN practice
    ("Somali refugee adolescents", "en", "boston-project-shifa", 1),
    (
        "formation des agents municipaux Strasbourg",
        "fr",
        "strasbourg-staff-training-reporting-chain",
        1,
    ),
    ("behaviour barometer", "en", "strasbourg-staff-training-reporting-chain", 1),
    ("Shared Endeavour Fund", "en", "london-shared-endeavour-fund", 1),
    ("inclusive city Mechelen", "en", "mechelen-inclusive-city", 1),
    ("Vilvorde déradicalisation", "fr", "vilvoorde-deradicalisation-approach", 1),
    # Four practices of the second dossier are about antisemitism itself (Paris after
    # 7 October 2023, meet2respect, Toronto, the Berlin Registers): Vaulx's plan comes after them.
    ("antisémitisme", "fr", "vaulx-en-velin-plan-racism-antisemitism-discrimination", 6),
    ("antisemitism", "en", "vaulx-en-velin-plan-racism-antisemitism-discrimination", 6),
    ("polarization Amsterdam", "en", "amsterdam-radicalisation-polarisation-approach", 1),
    ("Denver Talks", "en", "denver-human-rights-community-partnerships-denver-talks", 1),
    ("Anchor model Finland", "en", "finland-anchor-model-helsinki", 1),
    ("police et école Oslo", "fr", "oslo-salto", 1),
    ("ReDirect Calgary", "en", "calgary-redirect", 1),
    ("signalement 211 Los Angeles", "fr", "la-county-la-vs-hate", 1),
    ("cellule d'écoute Nice", "fr", "nice-listening-cell-and-cmer", 1),
    ("CAPRI Bordeaux", "fr", "bordeaux-capri", 1),
    ("local prevention framework", "en", "scn-us-local-prevention-framework-pilot", 2),
]


@pytest.fixture(scope="module")
def ranks(seeded_app: Flask) -> dict[tuple[str, str], int | None]:
    """The rank of each case's expected practice (None when not found)."""
    out: dict[tuple[str, str], int | None] = {}
    with Session(db.get_engine(seeded_app)) as session:
        index = get_index(session, seeded_app)
        for text, lang, slug, _worst in CASES:
            query = Query(text=text, lang=lang, per_page=50)
            slugs = [
                p.slug for p in search.search(session=session, index=index, query=query).practices
            ]
            out[(text, lang)] = slugs.index(slug) + 1 if slug in slugs else None
    return out


@pytest.mark.parametrize(("text", "lang", "slug", "worst"), CASES, ids=[c[0] for c in CASES])
def test_query_finds_the_expected_practice(
    ranks: dict[tuple[str, str], int | None], text: str, lang: str, slug: str, worst: int
) -> None:
    rank = ranks[(text, lang)]
    assert rank is not None and rank <= worst, f"{slug} ranked {rank}"


def test_mean_reciprocal_rank(
    ranks: dict[tuple[str, str], int | None], capsys: pytest.CaptureFixture[str]
) -> None:
    mrr = sum(1 / r for r in ranks.values() if r) / len(ranks)
    with capsys.disabled():
        print(f"\nrelevance: {len(ranks)} queries, MRR {mrr:.3f}")
    assert mrr >= MIN_MRR


def test_a_misspelled_city_gets_a_did_you_mean(seeded_app: Flask) -> None:
    with Session(db.get_engine(seeded_app)) as session:
        index: Any = get_index(session, seeded_app)
        results = search.search(session=session, index=index, query=Query(text="Strasburg"))
        assert results.results.suggestion == "strasbourg"
