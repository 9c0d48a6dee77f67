"""The Whoosh schema: per-language text fields, facet keywords and sort columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from whoosh import columns, fields

from .analysis import ANALYZERS, FastTextAnalyzer, fold
from .concepts import CONCEPT_FIELD, Concepts
from .model import FACETS, LANGS, Document

# Bump when fields or analysis change: an index recording another version needs a rebuild.
# 3: no `spell` / `ac` fields (vocabulary sidecar, title prefixes); 4: concepts;
# 5: text_<lang> also holds the body translated into <lang>; 6: `key` column (tie-breaks);
# 7: French function words ("les", "entre"…) are stop words
SCHEMA_VERSION = 7

META_ID = "__meta__"  # the one document holding last_change_id, committed with the others

# Title+summary weigh more than body; BM25 length normalisation also favours the short field.
HEAD_BOOST = 2.5


def facet_field(facet: str) -> str:
    """Field holding a facet's values, prefixed so a facet never clashes with a text field."""
    return "f_" + facet


def head_field(lang: str) -> str:
    """Title and summary in one language."""
    return "head_" + lang


def text_field(lang: str) -> str:
    """Body (original or translation in that language), cities and extra text, in one language."""
    return "text_" + lang


def sort_field(lang: str) -> str:
    """Column with the folded title, for sort=title in the reader's language."""
    return "sort_" + lang


class FastText(fields.TEXT):  # type: ignore[misc]
    """TEXT whose index() builds term -> positions in one loop, without Token objects.

    Yields exactly what TEXT.index() gives with FastTextAnalyzer (checked by a test): Whoosh's
    Positions.word_values walks one token object per word through generators, which was the
    largest part of rebuild time after the posting pool.
    """

    def index(self, value: Any, **kwargs: Any) -> Any:
        analyzer = self.analyzer
        if not isinstance(value, str) or not isinstance(analyzer, FastTextAnalyzer) or kwargs:
            yield from super().index(value, **kwargs)
            return
        boost = self.format.field_boost
        encode = self.format.encode
        for term, plist in analyzer.positions(value).items():
            yield term.encode("utf-8"), len(plist), len(plist) * boost, encode(plist)


def build_schema() -> Any:
    """Schema with only what search needs stored: bodies come from the caller's database."""
    spec: dict[str, Any] = {
        "id": fields.ID(stored=True, unique=True),
        "version": fields.STORED(),
        "slug": fields.STORED(),
        "lang": fields.STORED(),
        "title_fr": fields.STORED(),
        "title_en": fields.STORED(),
        "summary_fr": fields.STORED(),
        "summary_en": fields.STORED(),
        "cities": fields.STORED(),
        "last_change_id": fields.STORED(),
        "schema_version": fields.STORED(),
        "concepts": fields.STORED(),  # fingerprint of the synonym table the concepts come from
        # Synonym groups and their multi-word members found in the document (concepts.py).
        CONCEPT_FIELD: fields.KEYWORD(commas=True, lowercase=False, scorable=False),
        "published": fields.COLUMN(columns.NumericColumn("d", default=0.0)),
        # The document id as a number: equal scores and sort keys are ordered by it, so an
        # index grown by edits lists ties as a rebuilt one does (docnums differ between them).
        "key": fields.COLUMN(columns.NumericColumn("q", default=0)),
        # No spelling or n-gram field: "did you mean" reads the generation's vocabulary file
        # (vocab.py) and suggestions the folded-title columns, so each document writes about
        # half the postings it used to.
    }
    for lang, analyzer in ANALYZERS.items():
        spec[head_field(lang)] = FastText(analyzer=analyzer, field_boost=HEAD_BOOST)
        spec[text_field(lang)] = FastText(analyzer=analyzer)
        spec[sort_field(lang)] = fields.COLUMN(columns.VarBytesColumn())
    for facet in FACETS:
        # Scorable so a synonym group's facet term can add to the score like any other term.
        spec[facet_field(facet)] = fields.KEYWORD(commas=True, scorable=True, lowercase=False)
    return fields.Schema(**spec)


def _facet_value(value: str) -> str:
    # Commas separate keyword values in the facet fields.
    return value.replace(",", " ").strip()


def document_fields(doc: Document, concepts: Concepts | None = None) -> dict[str, Any]:
    """Whoosh fields for one document; the body is indexed but never stored."""
    body_lang = doc.language if doc.language in LANGS else "en"
    titles = {"fr": doc.title_fr, "en": doc.title_en}
    summaries = {"fr": doc.summary_fr, "en": doc.summary_en}
    cities = " ".join(doc.cities)
    positions: dict[str, dict[str, list[int]]] = {}
    out: dict[str, Any] = {
        "id": str(doc.id),
        "version": doc.version,
        "slug": doc.slug,
        "lang": body_lang,
        "title_fr": doc.title_fr,
        "title_en": doc.title_en,
        "summary_fr": doc.summary_fr,
        "summary_en": doc.summary_en,
        "cities": list(doc.cities),
        "published": float(doc.published),
        "key": int(doc.id),
    }
    for lang in LANGS:
        out[head_field(lang)] = f"{titles[lang]}\n{summaries[lang]}"
        body = doc.body if lang == body_lang else doc.body_translation
        # Title and summary are repeated here so a phrase needs one field per language.
        text = f"{titles[lang]}\n{summaries[lang]}\n{body}\n{cities}\n{doc.extra_text}"
        out[text_field(lang)] = text
        if concepts:
            positions[lang] = ANALYZERS[lang].positions(text)
        title = titles[lang] or titles["en" if lang == "fr" else "fr"]
        out[sort_field(lang)] = fold(title).strip().encode("utf-8")
    for facet, values in facet_values(doc).items():
        out[facet_field(facet)] = ",".join(values)
    if concepts:
        out[CONCEPT_FIELD] = ",".join(concepts.terms_of(positions))
    return out


def facet_values(doc: Document) -> dict[str, tuple[str, ...]]:
    """Each facet's values of a document, as indexed (and as filters and counts name them)."""
    body_lang = doc.language if doc.language in LANGS else "en"
    raw: dict[str, Sequence[str]] = {
        "theme": doc.themes,
        "country": (doc.country.upper(),) if doc.country else (),
        "city": doc.cities,
        "approach": doc.approaches,
        "target": doc.targets,
        "language": (body_lang,),
        "year": (str(doc.year),) if doc.year is not None else (),
        "evidence": (doc.evidence,) if doc.evidence else (),
    }
    return {
        facet: tuple(dict.fromkeys(v for v in map(_facet_value, raw[facet]) if v))
        for facet in FACETS
    }


def vocab_texts(doc: Document) -> tuple[str, ...]:
    """The texts whose words "did you mean" may propose."""
    return (
        doc.title_fr, doc.title_en, doc.summary_fr, doc.summary_en, doc.body,
        doc.body_translation, " ".join(doc.cities), doc.extra_text,
    )


def meta_fields(last_change_id: int, fingerprint: str) -> dict[str, Any]:
    """The meta document: the last applied change id, the schema version and the synonym
    table's fingerprint, committed with the documents."""
    return {
        "id": META_ID,
        "last_change_id": last_change_id,
        "schema_version": SCHEMA_VERSION,
        "concepts": fingerprint,
    }
