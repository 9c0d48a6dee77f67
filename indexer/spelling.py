""""Did you mean": a corrected query from the unstemmed vocabulary, when a word is unknown."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import query as qmod
from .analysis import analyze, fold
from .model import LANGS
from .schema import head_field, text_field
from .vocab import Vocabulary

FEW_RESULTS = 3  # below this many hits a "did you mean" is worth its cost


def did_you_mean(
    s: Any, vocabulary: Callable[[], Vocabulary], parsed: qmod.Parsed, text: str, total: int
) -> str | None:
    """A corrected query, only when a word is neither in the vocabulary nor indexed (the
    vocabulary is loaded on the first call that needs it)."""
    if not parsed.spell_words or total >= FEW_RESULTS:
        return None
    vocab = vocabulary()
    unknown = [w for w in parsed.spell_words if _unknown(s, vocab, w)]
    if not unknown:
        return None
    corrected = text
    changed = False
    for word in dict.fromkeys(unknown):
        if len(word) < 3 or word.isdigit():
            continue
        folded = fold(word)
        found = vocab.suggest(folded, maxdist=2, prefix=1)
        if not found:
            continue
        # The closest word reads better ("polarisaton" -> "polarisation", not the more
        # frequent "polarization"); among equally close ones, the most frequent.
        best = min(found, key=lambda cand: (_distance(folded, cand), -vocab.count(cand), cand))
        if best != folded:
            corrected = _replace_word(corrected, word, best)
            changed = True
    return " ".join(corrected.split()) if changed else None


def _unknown(s: Any, vocab: Vocabulary, word: str) -> bool:
    """Neither the word nor its stem is indexed: an inflection of a known word is no typo."""
    if fold(word) in vocab:
        return False
    for lang in LANGS:
        for term in analyze(lang, word):
            if s.doc_frequency(text_field(lang), term) or s.doc_frequency(
                head_field(lang), term
            ):
                return False
    return True


def _replace_word(text: str, word: str, fixed: str) -> str:
    """Replace one word as typed (whole word, case-insensitive) in the reader's text."""
    pattern = re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.IGNORECASE)
    return pattern.sub(fixed, text, count=1)


def _distance(a: str, b: str) -> int:
    """Levenshtein distance with adjacent transpositions, for ranking spelling candidates."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]
