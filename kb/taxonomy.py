"""The controlled vocabularies (themes, approaches, target groups, evidence levels, cities) as data.

Terms live in the database (imported from `content/taxonomy.yaml`); this module is their only
writer, and turns them into labels for pages and synonym groups for search.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from indexer import SynonymGroup
from kb.models import TERM_KINDS, TaxonomyTerm

# Facet names used by search and URLs, for each kind of term.
FACET_OF_KIND = {
    "theme": "theme",
    "approach": "approach",
    "target": "target",
    "evidence": "evidence",
}
# Section names in taxonomy.yaml, for each kind.
SECTION_OF_KIND = {
    "theme": "themes",
    "approach": "approaches",
    "target": "target_groups",
    "evidence": "evidence_levels",
    "city": "cities",
}
# Kinds a taxonomy file may leave out (cities: stable ids with a French and an English name).
OPTIONAL_KINDS = ("city",)


@dataclass(frozen=True)
class Term:
    kind: str
    slug: str
    label_fr: str
    label_en: str
    definition_fr: str = ""
    definition_en: str = ""
    synonyms_fr: tuple[str, ...] = ()
    synonyms_en: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        return self.label_fr if lang == "fr" else self.label_en

    def definition(self, lang: str) -> str:
        return self.definition_fr if lang == "fr" else self.definition_en


@dataclass(frozen=True)
class Vocabulary:
    """All terms by kind, in their declared order."""

    terms: Mapping[str, tuple[Term, ...]] = field(default_factory=dict)

    def slugs(self, kind: str) -> tuple[str, ...]:
        return tuple(t.slug for t in self.terms.get(kind, ()))

    def get(self, kind: str, slug: str) -> Term | None:
        for term in self.terms.get(kind, ()):
            if term.slug == slug:
                return term
        return None

    def label(self, kind: str, slug: str, lang: str) -> str:
        term = self.get(kind, slug)
        return term.label(lang) if term else slug

    def city(self, slug: str, lang: str) -> str:
        """A city's name in `lang` (the id itself for a city the vocabulary does not list)."""
        return self.label("city", slug, lang)


def load(session: Session) -> Vocabulary:
    """Read the vocabulary from the database."""
    rows = session.exec(
        select(TaxonomyTerm).order_by(col(TaxonomyTerm.kind), col(TaxonomyTerm.position))
    )
    by_kind: dict[str, list[Term]] = {kind: [] for kind in TERM_KINDS}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(_term_of(row))
    return Vocabulary({kind: tuple(terms) for kind, terms in by_kind.items()})


def _term_of(row: TaxonomyTerm) -> Term:
    return Term(
        kind=row.kind,
        slug=row.slug,
        label_fr=row.label_fr,
        label_en=row.label_en,
        definition_fr=row.definition_fr,
        definition_en=row.definition_en,
        synonyms_fr=tuple(row.synonyms_fr),
        synonyms_en=tuple(row.synonyms_en),
    )


def save(*, session: Session, vocabulary: Vocabulary) -> tuple[int, int]:
    """Upsert every term of `vocabulary` (no commit); return (created, updated) counts.

    Terms absent from `vocabulary` are kept: practices may still point at them, and removing a
    term is a deliberate migration, not a side effect of an import.
    """
    existing = {(r.kind, r.slug): r for r in session.exec(select(TaxonomyTerm))}
    created = updated = 0
    for kind, terms in vocabulary.terms.items():
        for position, term in enumerate(terms):
            values: dict[str, Any] = {
                "position": position,
                "label_fr": term.label_fr,
                "label_en": term.label_en,
                "definition_fr": term.definition_fr,
                "definition_en": term.definition_en,
                "synonyms_fr": list(term.synonyms_fr),
                "synonyms_en": list(term.synonyms_en),
            }
            row = existing.get((kind, term.slug))
            if row is None:
                session.add(TaxonomyTerm(kind=kind, slug=term.slug, **values))
                created += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                session.add(row)
                updated += 1
    session.flush()
    return created, updated


def term_ids(session: Session) -> dict[tuple[str, str], int]:
    """Map (kind, slug) to the term's row id."""
    return {(r.kind, r.slug): r.id for r in session.exec(select(TaxonomyTerm)) if r.id is not None}


def synonym_groups(vocabulary: Vocabulary) -> list[SynonymGroup]:
    """One search synonym group per theme, approach and target group, tied to its facet value."""
    groups: list[SynonymGroup] = []
    for kind in ("theme", "approach", "target"):
        for term in vocabulary.terms.get(kind, ()):
            words = _unique([term.label_fr, term.label_en, *term.synonyms_fr, *term.synonyms_en])
            groups.append(
                SynonymGroup(terms=tuple(words), facet=FACET_OF_KIND[kind], value=term.slug)
            )
    return groups


def labels_text(vocabulary: Vocabulary, kind: str, slugs: Sequence[str]) -> str:
    """The French and English labels of `slugs`, as searchable text."""
    parts: list[str] = []
    for slug in slugs:
        term = vocabulary.get(kind, slug)
        if term:
            parts.extend((term.label_fr, term.label_en))
    return " ".join(parts)


def _unique(words: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for word in words:
        cleaned = word.strip()
        if cleaned and cleaned.lower() not in {w.lower() for w in seen}:
            seen[cleaned] = None
    return list(seen)
