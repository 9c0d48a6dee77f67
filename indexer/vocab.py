"""Unstemmed folded vocabulary for "did you mean", kept as a sidecar file per generation.

rebuild() writes `vocab.txt` (sorted "word<TAB>document count" lines) next to the Whoosh files;
apply() appends the words of the documents it adds to `vocab-added.txt`. Neither costs postings:
the `spell` field this replaces was about a third of all postings written per document.
Words of deleted documents stay until the next rebuild: a correction may then name a word that
no longer matches, which the caller's "did you mean" tolerates (it is only a proposal).
"""

from __future__ import annotations

import os
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from whoosh.spelling import ListCorrector

from .analysis import fold, words

VOCAB = "vocab.txt"
ADDED = "vocab-added.txt"


def doc_words(texts: Iterable[str]) -> set[str]:
    """Distinct lowercase words of one document (folded later, once per distinct word)."""
    out: set[str] = set()
    for text in texts:
        if text:
            out.update(words(text))
    return out


class VocabularyBuilder:
    """Counts words per document during a rebuild; folding happens once per distinct word."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def add(self, texts: Iterable[str]) -> None:
        self._counts.update(doc_words(texts))

    def write(self, gen: Path) -> None:
        folded: Counter[str] = Counter()
        for word, n in self._counts.items():
            folded[fold(word)] += n
        tmp = gen / (VOCAB + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.writelines(f"{w}\t{folded[w]}\n" for w in sorted(folded) if w)
        os.replace(tmp, gen / VOCAB)


def append_words(gen: Path, texts: Iterable[str]) -> None:
    """Add the words of documents applied since the rebuild (caller holds the writer lock)."""
    found = sorted({fold(w) for w in doc_words(texts)})
    if not found:
        return
    data = ("\n".join(found) + "\n").encode("utf-8")
    fd = os.open(gen / ADDED, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, data)  # one write: readers see whole lines or nothing of it
    finally:
        os.close(fd)


class Vocabulary:
    """Sorted words with document counts (compact arrays), plus the words added since."""

    def __init__(self, gen: Path) -> None:
        self._gen = gen
        self.words: list[str] = []
        self.counts = array("I")
        try:
            with open(gen / VOCAB, encoding="utf-8") as fh:
                for line in fh:
                    word, _tab, n = line.rstrip("\n").partition("\t")
                    self.words.append(word)
                    self.counts.append(int(n or 1))
        except FileNotFoundError:
            pass
        self._added: set[str] = set()
        self._added_size = 0
        self._corrector = ListCorrector(self.words)

    def _refresh_added(self) -> None:
        try:
            size = os.stat(self._gen / ADDED).st_size
        except FileNotFoundError:
            return
        if size == self._added_size:
            return
        with open(self._gen / ADDED, "rb") as fh:
            fh.seek(self._added_size)
            chunk = fh.read(size - self._added_size)
        end = chunk.rfind(b"\n") + 1  # a line still being written is read next time
        self._added.update(chunk[:end].decode("utf-8").split())
        self._added_size += end

    def count(self, word: str) -> int:
        """Documents holding the word (1 for a word known only from apply())."""
        i = bisect_left(self.words, word)
        if i < len(self.words) and self.words[i] == word:
            return int(self.counts[i])
        self._refresh_added()
        return 1 if word in self._added else 0

    def __contains__(self, word: str) -> bool:
        return self.count(word) > 0

    def suggest(self, word: str, maxdist: int = 2, prefix: int = 1) -> list[str]:
        """Known words within `maxdist` edits sharing the first `prefix` letters."""
        self._refresh_added()
        found: list[str] = []
        if self.words:
            found.extend(self._corrector.suggest(word, limit=50, maxdist=maxdist, prefix=prefix))
        if self._added:
            extra = ListCorrector(sorted(self._added))
            found.extend(extra.suggest(word, limit=50, maxdist=maxdist, prefix=prefix))
        return list(dict.fromkeys(found))
