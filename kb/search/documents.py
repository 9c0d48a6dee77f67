"""A published practice as the index sees it: an `indexer.Document` with its taxonomy terms,
their labels, the country's names and the other language's names of the places it mentions as
extra searchable text."""

from __future__ import annotations

import functools
import gettext
from collections.abc import Sequence

import pycountry
from sqlmodel import Session, col, select

from indexer import Document
from kb.catalogue import taxonomy
from kb.catalogue.taxonomy import Vocabulary
from kb.models import Practice, PracticeTerm, TaxonomyTerm
from kb.search.negation import without_negated_evaluation
from kb.search.places import place_names


@functools.lru_cache(maxsize=512)
def country_names(code: str) -> tuple[str, str]:
    """The English and French names of a country, for matching and display."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code, code
    english = getattr(country, "common_name", None) or country.name
    return english, _french_country_name(code, english)


def _french_country_name(code: str, english: str) -> str:
    try:
        french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
        country = pycountry.countries.get(alpha_2=code)
        return french.gettext(country.name) if country else english
    except (OSError, AttributeError):
        return english


def terms_by_practice(session: Session, ids: Sequence[int]) -> dict[int, dict[str, list[str]]]:
    statement = (
        select(PracticeTerm.practice_id, TaxonomyTerm.kind, TaxonomyTerm.slug)
        .join(TaxonomyTerm, col(TaxonomyTerm.id) == col(PracticeTerm.term_id))
        .where(col(PracticeTerm.practice_id).in_(ids))
        .order_by(col(PracticeTerm.position))
    )
    out: dict[int, dict[str, list[str]]] = {}
    for practice_id, kind, slug in session.exec(statement):
        out.setdefault(practice_id, {}).setdefault(kind, []).append(slug)
    return out


def documents(
    session: Session, practices: Sequence[Practice], vocabulary: Vocabulary
) -> list[Document]:
    """The index documents of `practices` (taxonomy labels and country names as extra text)."""
    terms = terms_by_practice(session, [p.id for p in practices if p.id is not None])
    places = place_names(vocabulary)
    docs = []
    for practice in practices:
        assert practice.id is not None
        tags = terms.get(practice.id, {})
        themes, approaches, targets = (tags.get(k, []) for k in ("theme", "approach", "target"))
        extra = " ".join(
            [
                *country_names(practice.country),
                taxonomy.labels_text(vocabulary, "theme", themes),
                taxonomy.labels_text(vocabulary, "approach", approaches),
                taxonomy.labels_text(vocabulary, "target", targets),
                practice.original_title or "",
                practice.lead_organisation,
                practice.lead_organisation_fr or "",
                " ".join(practice.partners),
                " ".join(practice.partners_fr),
                without_negated_evaluation(practice.lessons or ""),
                without_negated_evaluation(practice.lessons_translation or ""),
                practice.region or "",
                practice.region_fr or "",
                # City ids are facet values; their French and English names are searchable text.
                *(vocabulary.city(c, lang) for c in practice.cities for lang in ("fr", "en")),
            ]
        )
        # « Londres » finds a practice that mentions London (places.py).
        mentioned = places.other_names(
            "\n".join(
                (
                    practice.title_fr, practice.title_en, practice.summary_fr,
                    practice.summary_en, practice.body_text, practice.body_translation_text, extra,
                )
            )
        )
        if mentioned:
            extra = f"{extra} {' '.join(mentioned)}"
        published = practice.published_at or practice.updated_at
        docs.append(
            Document(
                id=practice.id,
                slug=practice.slug,
                version=practice.version,
                title_fr=practice.title_fr,
                title_en=practice.title_en,
                summary_fr=practice.summary_fr,
                summary_en=practice.summary_en,
                # "No independent evaluation was found" is no evidence of one (negation.py).
                body=without_negated_evaluation(practice.body_text),
                language=practice.language,
                cities=tuple(practice.cities),
                country=practice.country,
                themes=tuple(themes),
                approaches=tuple(approaches),
                targets=tuple(targets),
                evidence=practice.evidence_level,
                year=practice.start_year,
                published=published.timestamp(),
                extra_text=extra,
                body_translation=without_negated_evaluation(practice.body_translation_text),
            )
        )
    return docs
