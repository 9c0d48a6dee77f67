"""The Whoosh schema: per-language text fields, facet keywords and sort columns."""

from __future__ import annotations

from typing import Any

from whoosh import columns, fields

from .analysis import ANALYZERS, FastTextAnalyzer
from .model import FACETS

# Bump when fields or analysis change: an index recording another version needs a rebuild.
SCHEMA_VERSION = 4  # 4: text_<lang> also holds the body translated into <lang>

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
        "published": fields.COLUMN(columns.NumericColumn("d", default=0.0)),
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
