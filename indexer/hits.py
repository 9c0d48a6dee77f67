"""The shown page: stored fields of the hits, then escaped highlights and body snippets."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import query as qmod
from .highlight import highlight, snippet
from .model import Hit

BodyText = Callable[[Sequence[int]], Mapping[int, str]]


def wants_bodies(parsed: qmod.Parsed) -> bool:
    """A snippet needs the body only when the query has something to highlight."""
    terms, prefixes = qmod.highlight_terms(parsed)
    phrases = qmod.highlight_phrases(parsed)
    return any(terms.values()) or bool(prefixes) or any(phrases.values())


def build_hits(
    shown: Sequence[tuple[float, Mapping[str, Any]]],
    parsed: qmod.Parsed,
    lang: str,
    bodies: Mapping[int, str],
) -> tuple[Hit, ...]:
    """Hits from (score, stored fields) pairs and the bodies loaded for them."""
    terms, prefixes = qmod.highlight_terms(parsed)
    phrases = qmod.highlight_phrases(parsed)
    other = "fr" if lang == "en" else "en"
    hits: list[Hit] = []
    for score, fields_ in shown:
        doc_id = int(fields_["id"])
        title = fields_.get(f"title_{lang}") or fields_.get(f"title_{other}") or ""
        summary = fields_.get(f"summary_{lang}") or fields_.get(f"summary_{other}") or ""
        body_lang = fields_.get("lang", "en")
        body = bodies.get(doc_id, "")
        hits.append(
            Hit(
                id=doc_id,
                slug=fields_.get("slug", ""),
                score=float(score),
                title=highlight(title, lang, terms[lang], prefixes, phrases[lang]),
                summary=highlight(summary, lang, terms[lang], prefixes, phrases[lang]),
                snippet=snippet(
                    body, body_lang, terms[body_lang], prefixes, phrases=phrases[body_lang]
                )
                if body
                else "",
            )
        )
    return tuple(hits)
