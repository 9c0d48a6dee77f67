"""Query understanding: question words and filler that must not restrict what a query matches.

Practitioners type needs as questions ("quelles actions pour les jeunes…", "what works for
preventing…", "est-ce qu'il existe…"). Under all-words matching those words decide the result
set, so they are removed before parsing, as whole tokens and only outside quotes, field filters
and exclusions. A query that had filler removed reads as natural language (see ranking.py).
Prepositions that the indexed stop lists lack ("entre", "après", "among") are WEAK: a query's
single-word clause of them is dropped, as a stop word's is (query.py). French articles and
pronouns ("les", "cette", "dont") are in the French stop list itself (analysis.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .analysis import STOP_ANY, fold, words

# Folded word sequences, longest first where one extends another. Elisions and hyphens split
# into words ("est-ce qu'il" -> est ce qu il), so the sequences are written that way.
_FILLER_FR = (
    "est ce qu il existe",
    "est ce qu il y a",
    "est ce que",
    "est ce qu",
    "qu est ce que",
    "qu est ce qui",
    "y a t il",
    "existe t il",
    "il existe",
    "quelles actions",
    "quelles mesures",
    "quelles solutions",
    "quelles pratiques",
    "quels dispositifs",
    "quels programmes",
    "quelles initiatives",
    "des exemples de",
    "exemples de",
    "bonnes pratiques",
    "comment faire pour",
    "comment",
    "pourquoi",
    "quel",
    "quelle",
    "quels",
    "quelles",
    "dans ma ville",
    "dans notre ville",
    "dans ma commune",
    "dans notre commune",
    "ma ville",
    "notre ville",
    # Verbs every practice of this domain could use: they name no concept of their own.
    "lutter contre",
    "agir contre",
    "mettre en place",
    "mettre en œuvre",
    "lutter",
    "agir",
    "aider",
    "renforcer",
    "permettre",
    "favoriser",
    "améliorer",
    "prévenir",
    "réduire",
    "combattre",
)
_FILLER_EN = (
    "what works for",
    "what works",
    "what can",
    "what should",
    "what are",
    "what is",
    "how can",
    "how do",
    "how to",
    "is there",
    "are there",
    "examples of",
    "best practices for",
    "best practices",
    "in my city",
    "in our city",
    "my city",
    "our city",
    "does",
    "do",
    "how",
    "what",
    "which",
    "why",
    "set up",
    "deal with",
    "tackle",
    "tackling",
    "fight",
    "fighting",
    "help",
    "helping",
    "improve",
    "prevent",
    "preventing",
    "reduce",
    "reducing",
    "combat",
    "combating",
)
# Words the indexed stop lists lack: prepositions that name no concept. They stay indexed
# (compounds and phrases keep them); a query's word clause of them is dropped.
_WEAK_FR = (
    "contre", "entre", "après", "auprès", "avant", "chez", "vers", "sans", "sous", "afin",
    "lors", "parmi", "selon", "via", "dès", "depuis", "pendant", "plus",
)
_WEAK_EN = (
    "among", "amongst", "within", "without", "across", "towards", "toward", "via", "also",
    "like", "upon", "onto", "per",
)
WEAK: frozenset[str] = frozenset(fold(w) for w in _WEAK_FR + _WEAK_EN) | frozenset(
    fold(w) for w in STOP_ANY
)


def is_stop(word: str) -> bool:
    """A word that restricts nothing in a query: a stop word of either language, accents or not."""
    return word in STOP_ANY or fold(word) in WEAK


FILLER: tuple[tuple[str, ...], ...] = tuple(
    sorted({tuple(fold(w) for w in words(p)) for p in _FILLER_FR + _FILLER_EN}, key=len)
)
_MAX_LEN = max(len(p) for p in FILLER)
_FILLER_SET = frozenset(FILLER)


def strip_filler(text: str, token_re: re.Pattern[str]) -> tuple[str, bool]:
    """`text` without question words and filler; True when something was removed.

    `token_re` is the query tokenizer (query._TOKEN_RE): a filler sequence must cover whole bare
    tokens, never part of a quoted phrase, a field filter or an exclusion. Nothing is removed
    when only filler would be left.
    """
    matches = list(token_re.finditer(text))
    # Per bare token: its folded words; None for tokens filler never touches.
    per_token: list[tuple[str, ...] | None] = []
    for m in matches:
        plain = m.group("bare") is not None and not m.group("neg") and not m.group("field")
        per_token.append(tuple(fold(w) for w in words(m.group("bare"))) if plain else None)
    drop: set[int] = set()
    i = 0
    while i < len(matches):
        span = _filler_at(per_token, i)
        if span:
            drop.update(range(i, i + span))
            i += span
        else:
            i += 1
    if not drop or not any(_positive(m) for j, m in enumerate(matches) if j not in drop):
        return text, False
    kept = [m.group(0) for j, m in enumerate(matches) if j not in drop]
    return " ".join(kept), True


def _positive(match: re.Match[str]) -> bool:
    """A token that finds documents: a word or phrase, not an exclusion or a field filter."""
    if match.group("neg") or match.group("field"):
        return False
    return bool(words(match.group("phrase") or match.group("bare") or ""))


def _filler_at(per_token: Sequence[tuple[str, ...] | None], start: int) -> int:
    """Number of whole tokens from `start` that form one filler sequence (0: none)."""
    seq: tuple[str, ...] = ()
    best = 0
    for j in range(start, len(per_token)):
        token = per_token[j]
        if not token:
            break
        seq += token
        if len(seq) > _MAX_LEN:
            break
        if seq in _FILLER_SET:
            best = j - start + 1
    return best
