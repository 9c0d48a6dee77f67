"""The controlled vocabularies (themes, approaches, target groups, evidence levels, cities) as data.

Terms live in the database (imported from `content/taxonomy.yaml`); this module is their only
writer, and turns them into labels for pages and synonym groups for search.

A term may name narrower concepts (forms of hate under `hate`). Each narrower concept is a
synonym group of its own, looked up before every broad group, so a query for it ranks the
practices about it above those that only match the broad term; the broad group also holds the
narrower words, so a query for the broad term still finds them all. A narrower concept may name
the target group it is aimed at (anti-LGBT hate: LGBTQI+ people); its group then stands for that
tag, as a theme's group stands for the theme.
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
class Narrower:
    """A narrower concept inside a term: bilingual label, synonyms, optional target group."""

    slug: str
    label_fr: str
    label_en: str
    synonyms_fr: tuple[str, ...] = ()
    synonyms_en: tuple[str, ...] = ()
    target: str = ""  # the target group this form of the broad term is aimed at, if any

    def words(self) -> list[str]:
        return _unique([self.label_fr, self.label_en, *self.synonyms_fr, *self.synonyms_en])

    def as_json(self) -> dict[str, Any]:
        """The stored (and exported) form."""
        out: dict[str, Any] = {
            "slug": self.slug,
            "label": {"fr": self.label_fr, "en": self.label_en},
        }
        if self.target:
            out["target"] = self.target
        out["synonyms"] = {"fr": list(self.synonyms_fr), "en": list(self.synonyms_en)}
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Narrower:
        label, synonyms = data.get("label") or {}, data.get("synonyms") or {}
        return cls(
            slug=str(data.get("slug", "")),
            label_fr=str(label.get("fr", "")),
            label_en=str(label.get("en", "")),
            synonyms_fr=tuple(synonyms.get("fr") or ()),
            synonyms_en=tuple(synonyms.get("en") or ()),
            target=str(data.get("target") or ""),
        )


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
    narrower: tuple[Narrower, ...] = ()

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
        narrower=tuple(Narrower.from_json(n) for n in row.narrower or ()),
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
                "narrower": [n.as_json() for n in term.narrower],
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
    """One search synonym group per theme, approach, target group and evidence level, tied to
    its facet value ("évalué de façon indépendante" stands for `independent-evaluation`).

    Narrower concepts come first, as groups without a facet: the first group naming a word wins
    the lookup, so "homophobie" expands to its own concept and not to every form of hate.
    """
    narrow: list[SynonymGroup] = []
    groups: list[SynonymGroup] = []
    for kind in ("theme", "approach", "target", "evidence"):
        for term in vocabulary.terms.get(kind, ()):
            inner = [w for n in term.narrower for w in n.words()]
            narrow.extend(
                SynonymGroup(
                    terms=tuple(n.words()),
                    facet=FACET_OF_KIND["target"] if n.target else None,
                    value=n.target or None,
                )
                for n in term.narrower
            )
            words = _unique(
                [term.label_fr, term.label_en, *term.synonyms_fr, *term.synonyms_en, *inner]
            )
            groups.append(
                SynonymGroup(terms=tuple(words), facet=FACET_OF_KIND[kind], value=term.slug)
            )
    return narrow + groups


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
