"""Search engine library on Whoosh: stdlib and whoosh only, never flask, sqlmodel or kb."""

from __future__ import annotations

from .index import Index
from .model import (
    FACETS,
    Change,
    Document,
    FacetCount,
    Hit,
    IndexBusy,
    Query,
    Results,
    Suggestion,
    SynonymGroup,
    VerifyReport,
)
from .schema import facet_values

__all__ = [
    "FACETS",
    "Change",
    "Document",
    "FacetCount",
    "Hit",
    "Index",
    "IndexBusy",
    "Query",
    "Results",
    "Suggestion",
    "SynonymGroup",
    "VerifyReport",
    "facet_values",
]
