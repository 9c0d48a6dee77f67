"""`taxonomy.yaml` -> Vocabulary: terms, labels, definitions, synonyms, narrower concepts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.catalogue import taxonomy
from kb.catalogue.data import LANGUAGES
from kb.catalogue.taxonomy import SECTION_OF_KIND, Narrower, Term, Vocabulary
from kb.catalogue.validation import SLUG_RE
from kb.content.checker import Checker, open_file
from kb.content.source import ContentError
from kb.errors import N_
from kb.models import TERM_KINDS

TERM_KEYS = ("slug", "label", "definition", "synonyms", "narrower")
NARROWER_KEYS = ("slug", "label", "target", "synonyms")


def parse_taxonomy(path: Path, errors: list[ContentError]) -> Vocabulary:
    opened = open_file(path, errors, front_matter=False)
    if opened is None:
        return Vocabulary({})
    check = opened[0]
    data = check.mapping(check.located.value, "", tuple(SECTION_OF_KIND.values()))
    terms: dict[str, tuple[Term, ...]] = {}
    for kind in TERM_KINDS:
        section = SECTION_OF_KIND[kind]
        items = data.get(section)
        if items is None and kind in taxonomy.OPTIONAL_KINDS:
            terms[kind] = ()
            continue
        if not isinstance(items, list) or not items:
            check.error(section or "taxonomy", N_("expected a non-empty list of terms"))
            continue
        parsed: list[Term] = []
        seen: set[str] = set()
        for i, item in enumerate(items):
            where = f"{section}[{i}]"
            item = check.mapping(item, where, TERM_KEYS)
            slug, label = _slug_and_label(check, item, where, seen)
            definition = (
                check.bilingual(item, "definition", f"{where}.definition")
                if "definition" in item
                else ("", "")
            )
            synonyms = _synonyms(check, item, where)
            narrower = _narrower(check, item, where, seen)
            parsed.append(
                Term(
                    kind=kind,
                    slug=slug,
                    label_fr=label[0],
                    label_en=label[1],
                    definition_fr=definition[0],
                    definition_en=definition[1],
                    synonyms_fr=synonyms[0],
                    synonyms_en=synonyms[1],
                    narrower=narrower,
                )
            )
        terms[kind] = tuple(parsed)
    _check_narrower_targets(check, terms)
    return Vocabulary(terms)


def _check_narrower_targets(check: Checker, terms: dict[str, tuple[Term, ...]]) -> None:
    """A narrower concept's `target` must be a target group of the same file."""
    targets = {t.slug for t in terms.get("target", ())}
    for kind, section in SECTION_OF_KIND.items():
        for i, term in enumerate(terms.get(kind, ())):
            for j, narrow in enumerate(term.narrower):
                if narrow.target and narrow.target not in targets:
                    check.error(
                        f"{section}[{i}].narrower[{j}].target",
                        N_("unknown target group %(slug)r; expected one of: %(choices)s"),
                        slug=narrow.target,
                        choices=", ".join(sorted(targets)),
                    )


def _slug_and_label(
    check: Checker, item: dict[str, Any], where: str, seen: set[str]
) -> tuple[str, tuple[str, str]]:
    """A term's (or narrower concept's) slug, unique among `seen`, and its bilingual label."""
    slug = check.text(item, "slug", f"{where}.slug") or ""
    if not SLUG_RE.match(slug):
        check.error(f"{where}.slug", N_("expected lowercase letters, digits and hyphens"))
    if slug in seen:
        check.error(f"{where}.slug", N_("duplicate slug %(slug)r"), slug=slug)
    seen.add(slug)
    label = check.bilingual(item, "label", f"{where}.label")
    for lang, text_value in zip(LANGUAGES, label, strict=True):
        if not text_value.strip():
            check.error(f"{where}.label.{lang}", N_("required; expected a label"))
    return slug, label


def _synonyms(check: Checker, item: dict[str, Any], where: str) -> tuple[tuple[str, ...], ...]:
    """The French and English synonym lists of a term or of a narrower concept."""
    synonyms = item.get("synonyms") or {}
    if not isinstance(synonyms, dict):
        check.error(f"{where}.synonyms", N_("expected a mapping with fr and en lists"))
        synonyms = {}
    check.mapping(synonyms, f"{where}.synonyms", LANGUAGES)
    return tuple(
        check.strings(synonyms, lang, f"{where}.synonyms.{lang}") for lang in LANGUAGES
    )


def _narrower(
    check: Checker, item: dict[str, Any], where: str, seen: set[str]
) -> tuple[Narrower, ...]:
    """A term's narrower concepts: slug (unique within the section), label, synonyms."""
    items = item.get("narrower")
    if items is None:
        return ()
    if not isinstance(items, list):
        check.error(f"{where}.narrower", N_("expected a list of narrower concepts"))
        return ()
    out: list[Narrower] = []
    for j, entry in enumerate(items):
        at = f"{where}.narrower[{j}]"
        entry = check.mapping(entry, at, NARROWER_KEYS)
        slug, label = _slug_and_label(check, entry, at, seen)
        synonyms = _synonyms(check, entry, at)
        target = check.text(entry, "target", f"{at}.target", required=False) or ""
        out.append(Narrower(slug, label[0], label[1], synonyms[0], synonyms[1], target))
    return tuple(out)
