"""A small bilingual corpus and document factory shared by the indexer specs."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from indexer import Document, SynonymGroup

SYNONYMS = (
    SynonymGroup(("haine", "hate", "hatred", "discours de haine", "hate speech"), "theme", "hate"),
    SynonymGroup(("polarisation", "polarization"), "theme", "polarisation"),
    SynonymGroup(
        ("extrémisme violent", "violent extremism", "radicalisation violente"),
        "theme",
        "violent-extremism",
    ),
    SynonymGroup(("discrimination", "discriminations", "inégalité de traitement")),
)


def make_document(**overrides: Any) -> Document:
    """A valid document; tests override only what they are about."""
    fields: dict[str, Any] = {
        "id": 1,
        "slug": "practice-1",
        "version": 1,
        "title_fr": "Une pratique municipale",
        "title_en": "A municipal practice",
        "summary_fr": "Un résumé court.",
        "summary_en": "A short summary.",
        "body": "",
        "language": "en",
        "cities": ("Nantes",),
        "country": "FR",
        "themes": ("social-cohesion",),
        "approaches": ("education",),
        "targets": ("youth",),
        "evidence": "promising",
        "year": 2018,
        "published": 1_600_000_000.0,
        "extra_text": "",
    }
    fields.update(overrides)
    if "slug" not in overrides:
        fields["slug"] = f"practice-{fields['id']}"
    return Document(**fields)


CORPUS: tuple[Document, ...] = (
    make_document(
        id=1,
        title_fr="Prévention de la haine en ligne à Strasbourg",
        title_en="Preventing online hate in Strasbourg",
        summary_fr="Des médiateurs numériques répondent aux discours de haine.",
        summary_en="Digital mediators answer hate speech.",
        body="La ville forme des médiateurs. La sécurité des quartiers progresse et les "
        "discriminations reculent grâce au dialogue.",
        language="fr",
        cities=("Strasbourg",),
        country="FR",
        themes=("hate", "online-harms"),
        approaches=("mediation",),
        targets=("youth",),
        year=2019,
        published=1_700_000_000.0,
        extra_text="France",
    ),
    make_document(
        id=2,
        title_fr="Ateliers contre la polarisation dans les écoles",
        title_en="Workshops against polarization in schools",
        summary_fr="Des ateliers réunissent des élèves de quartiers différents.",
        summary_en="Workshops bring together pupils from different neighbourhoods.",
        body="Teachers run workshops on polarisation. Pupils discuss rumours and learn "
        "to answer hatred with facts.",
        language="en",
        cities=("Lyon",),
        country="FR",
        themes=("polarisation",),
        approaches=("education",),
        targets=("youth", "teachers"),
        year=2021,
        published=1_710_000_000.0,
        extra_text="France",
    ),
    make_document(
        id=3,
        title_fr="Programme de sortie de l'extrémisme violent",
        title_en="Exit programme from violent extremism",
        summary_fr="Un accompagnement individuel pour quitter les groupes extrémistes.",
        summary_en="One-to-one support to leave extremist groups.",
        body="Mentors meet young people who want to leave violent extremist groups. "
        "Families are involved from the first week.",
        language="en",
        cities=("Berlin",),
        country="DE",
        themes=("violent-extremism",),
        approaches=("mentoring",),
        targets=("young-adults",),
        evidence="evaluated",
        year=2015,
        published=1_500_000_000.0,
        extra_text="Germany Allemagne",
    ),
    make_document(
        id=4,
        title_fr="Observatoire local des discriminations",
        title_en="Local discrimination observatory",
        summary_fr="La ville mesure les discriminations dans l'accès au logement.",
        summary_en="The city measures discrimination in access to housing.",
        body="L'observatoire publie chaque année un rapport sur les discriminations au "
        "logement et à l'emploi.",
        language="fr",
        cities=("Lille",),
        country="FR",
        themes=("discrimination",),
        approaches=("research",),
        targets=("residents",),
        evidence="evaluated",
        year=2017,
        published=1_650_000_000.0,
    ),
    make_document(
        id=5,
        title_fr="Conseils de quartier et démocratie locale",
        title_en="Neighbourhood councils and local democracy",
        summary_fr="Des conseils tirés au sort débattent des projets de la ville.",
        summary_en="Councils drawn by lot debate the city's projects.",
        body="Residents drawn by lot meet every month. The councils reduce polarization "
        "between neighbourhoods.",
        language="en",
        cities=("Gent",),
        country="BE",
        themes=("local-democracy", "polarisation"),
        approaches=("participation",),
        targets=("residents",),
        year=2020,
        published=1_690_000_000.0,
        extra_text="Belgium Belgique",
    ),
    make_document(
        id=6,
        title_fr="Sécurité et cohésion sociale dans les quartiers",
        title_en="Safety and social cohesion in neighbourhoods",
        summary_fr="Une équipe municipale prévient les conflits de voisinage.",
        summary_en="A municipal team prevents conflicts between neighbours.",
        body="Les médiateurs de nuit interviennent dans les quartiers. La sécurité "
        "perçue augmente.",
        language="fr",
        cities=("Marseille",),
        country="FR",
        themes=("social-cohesion",),
        approaches=("mediation",),
        targets=("residents",),
        year=2016,
        published=1_620_000_000.0,
    ),
)


BodyText = Callable[[Sequence[int]], Mapping[int, str]]


def bodies_of(docs: Sequence[Document]) -> BodyText:
    """The body_text callable the app passes: bodies by id, as loaded from its database."""
    by_id = {d.id: d.body for d in docs}

    def body_text(ids: Sequence[int]) -> Mapping[int, str]:
        return {i: by_id[i] for i in ids if i in by_id}

    return body_text
