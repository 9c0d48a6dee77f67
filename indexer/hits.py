"""The shown page: stored fields of the hits, then escaped highlights and body snippets."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import query as qmod
from .highlight import highlight, snippet
from .model import Hit

# The caller's bodies of the shown hits: per document id, either its body (in the document's
# language) or its bodies by language, the original and its translation.
Bodies = str | Mapping[str, str]
BodyText = Callable[[Sequence[int]], Mapping[int, Bodies]]


def wants_bodies(parsed: qmod.Parsed) -> bool:
    """A snippet needs the body only when the query has something to highlight."""
    terms, prefixes = qmod.highlight_terms(parsed)
    phrases = qmod.highlight_phrases(parsed)
    return any(terms.values()) or bool(prefixes) or any(phrases.values())


def build_hits(
    shown: Sequence[tuple[float, Mapping[str, Any]]],
    parsed: qmod.Parsed,
    lang: str,
    bodies: Mapping[int, Bodies],
) -> tuple[Hit, ...]:
    """Hits from (score, stored fields) pairs and the bodies loaded for them.

    The snippet quotes the body in the reader's language where there is one (the original or
    its translation), the other language's body only when the reader's is missing.
    """
    terms, prefixes = qmod.highlight_terms(parsed)
    phrases = qmod.highlight_phrases(parsed)
    other = "fr" if lang == "en" else "en"
    hits: list[Hit] = []
    for score, fields_ in shown:
        doc_id = int(fields_["id"])
        title = fields_.get(f"title_{lang}") or fields_.get(f"title_{other}") or ""
        summary = fields_.get(f"summary_{lang}") or fields_.get(f"summary_{other}") or ""
        body_lang = fields_.get("lang", "en")
        found = bodies.get(doc_id, "")
        by_lang = {body_lang: found} if isinstance(found, str) else found
        # Never the other language's text when the reader's exists, even without a match there
        # (the title and summary still show, in the reader's language).
        text_lang = lang if by_lang.get(lang) else other
        body = by_lang.get(text_lang, "")
        text = (
            snippet(body, text_lang, terms[text_lang], prefixes, phrases=phrases[text_lang])
            if body
            else ""
        )
        hits.append(
            Hit(
                id=doc_id,
                slug=fields_.get("slug", ""),
                score=float(score),
                title=highlight(title, lang, terms[lang], prefixes, phrases[lang]),
                summary=highlight(summary, lang, terms[lang], prefixes, phrases[lang]),
                snippet=text,
            )
        )
    return tuple(hits)
