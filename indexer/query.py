"""User query text -> Whoosh query: words AND, "phrases", -exclusions, field:value; never raises."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq

from .analysis import ANALYZERS, STOP_ANY, SynonymTable, analyze, fold, words
from .schema import facet_field, head_field, text_field
from .understand import is_stop, strip_filler

MAX_CHARS = 500
MAX_TERMS = 32
MIN_PREFIX = 3
# Per field and language: bounds the OR a trailing * expands to, so "a*" style queries stay fast.
MAX_PREFIX_TERMS = 16

# Names readers may type before a colon; "lang" is a convenience alias.
FIELD_ALIASES: dict[str, str] = {
    "city": "city",
    "country": "country",
    "theme": "theme",
    "approach": "approach",
    "target": "target",
    "year": "year",
    "language": "language",
    "lang": "language",
    "evidence": "evidence",
}

_TOKEN_RE = re.compile(
    r'(?P<neg>-)?(?:(?P<field>[A-Za-z_]+):)?(?:"(?P<phrase>[^"]*)"|(?P<bare>[^\s"]+))'
)

Resolver = Callable[[str, str], str | None]


@dataclass
class Clause:
    """One unit of the user's query after parsing, before it becomes Whoosh objects."""

    kind: str  # word | phrase | prefix | facet | group
    words: tuple[str, ...] = ()
    negated: bool = False
    facet: str = ""
    value: str = ""
    group_terms: tuple[tuple[str, ...], ...] = ()
    compound: bool = False  # a phrase from one bare token ("d'écoute"), not typed in quotes


@dataclass
class Parsed:
    """The parsed query plus what highlighting and spelling need from it."""

    clauses: list[Clause] = field(default_factory=list)
    spell_words: list[str] = field(default_factory=list)  # as typed, for "did you mean"
    error: str | None = None
    filler: bool = False  # question words or filler were removed (understand.py)

    @property
    def positives(self) -> list[Clause]:
        """Clauses that find documents (ranked), as opposed to exclusions and field filters."""
        return [c for c in self.clauses if not c.negated and c.kind != "facet"]

    @property
    def is_browse(self) -> bool:
        """True when the text only excludes or filters: every document is a candidate."""
        return not self.positives


def sanitize(text: str) -> tuple[str, str | None]:
    """Drop control and format characters and cap the length, so input cannot blow up parsing."""
    error = None
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
        error = f"Query shortened to {MAX_CHARS} characters."
    cleaned = "".join(
        " " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in text
    )
    if cleaned.count('"') % 2:
        # An unbalanced quote degrades to plain words rather than one phrase to the end.
        index = cleaned.rfind('"')
        cleaned = cleaned[:index] + " " + cleaned[index + 1 :]
        error = error or "Unbalanced quote ignored."
    return " ".join(cleaned.split()), error


def parse(text: str, synonyms: SynonymTable, resolve: Resolver) -> Parsed:
    """Parse reader text into clauses; anything malformed degrades to plain words."""
    cleaned, error = sanitize(text)
    cleaned, filler = strip_filler(cleaned, _TOKEN_RE)
    parsed = Parsed(error=error, filler=filler)
    budget = MAX_TERMS
    raw: list[Clause] = []
    for match in _TOKEN_RE.finditer(cleaned):
        if budget <= 0:
            parsed.error = parsed.error or f"Only the first {MAX_TERMS} terms were used."
            break
        negated = bool(match.group("neg"))
        name = (match.group("field") or "").lower()
        phrase = match.group("phrase")
        bare = match.group("bare")
        value = phrase if phrase is not None else (bare or "")
        if name in FIELD_ALIASES and value.strip(" *"):
            facet = FIELD_ALIASES[name]
            resolved = resolve(facet, value.strip(" *")) or value.strip(" *")
            raw.append(Clause("facet", negated=negated, facet=facet, value=resolved))
            budget -= 1
            continue
        if name:
            # Unknown field names are just words the reader typed.
            value = f"{match.group('field')} {value}"
        toks = words(value)
        if not toks:
            continue
        toks = toks[:budget]
        budget -= len(toks)
        if phrase is None and len(toks) == 1 and value.endswith("*"):
            prefix = fold(toks[0])
            if len(prefix) >= MIN_PREFIX:
                raw.append(Clause("prefix", (prefix,), negated))
                continue
            parsed.error = parsed.error or f"Wildcards need at least {MIN_PREFIX} letters."
        if not negated:
            parsed.spell_words.extend(toks)
        if phrase is not None or len(toks) > 1 and phrase is None and not _is_plain(value):
            kind = "phrase" if len(toks) > 1 else "word"
            raw.append(Clause(kind, tuple(toks), negated, compound=phrase is None))
        else:
            raw.extend(Clause("word", (t,), negated) for t in toks)
    parsed.clauses = _drop_stopwords(_apply_synonyms(raw, synonyms))
    return parsed


def _is_plain(value: str) -> bool:
    """A bare token that splits into several words only through spaces or stray symbols."""
    # "anti-racisme" or "l'extrémisme" read as one compound, so they become a phrase.
    return not re.search(r"\w[-'’.]\w", value)


def _apply_synonyms(clauses: list[Clause], synonyms: SynonymTable) -> list[Clause]:
    """Replace the longest runs of words (or whole phrases) that name a synonym group."""
    if not synonyms:
        return clauses
    out: list[Clause] = []
    i = 0
    while i < len(clauses):
        clause = clauses[i]
        if clause.kind == "phrase" and not clause.negated and not clause.compound:
            expansion = synonyms.lookup(clause.words)
            if expansion is not None:
                out.append(
                    _group(expansion.terms, expansion.facet, expansion.value, clause.words)
                )
                i += 1
                continue
        if not _runnable(clause):
            out.append(clause)
            i += 1
            continue
        # A run of plain words and compounds: "numéro d'écoute" names a group as a whole.
        run, size = 1, len(clause.words)
        while (
            i + run < len(clauses)
            and size < synonyms.max_len
            and _runnable(clauses[i + run])
        ):
            size += len(clauses[i + run].words)
            run += 1
        for length in range(run, 0, -1):
            seq = [w for c in clauses[i : i + length] for w in c.words]
            expansion = synonyms.lookup(seq)
            if expansion is not None:
                out.append(_group(expansion.terms, expansion.facet, expansion.value, tuple(seq)))
                i += length
                break
        else:
            out.append(clause)
            i += 1
    return out


def _runnable(clause: Clause) -> bool:
    """A clause that may be part of a run of words naming a synonym group."""
    return not clause.negated and (clause.kind == "word" or clause.compound)


def _group(
    terms: tuple[tuple[str, ...], ...],
    facet: str | None,
    value: str | None,
    words: tuple[str, ...],
) -> Clause:
    """A synonym group; `words` keeps what the reader typed, which ranks above its synonyms.

    A run of words finds its group through stems, which skip stop words ("to hate crimes" is
    the group of "hate crimes"), so stop words at either end are not part of what was typed.
    """
    start, end = 0, len(words)
    while start < end - 1 and is_stop(words[start]):
        start += 1
    while end - 1 > start and is_stop(words[end - 1]):
        end -= 1
    return Clause(
        "group", words=words[start:end], group_terms=terms, facet=facet or "", value=value or ""
    )


def _drop_stopwords(clauses: list[Clause]) -> list[Clause]:
    """Drop stop words of either language unless nothing else is left to search for."""
    # A word that is a stop word in French only ("son") would otherwise be required in the
    # English fields and make AND fail for every French document.
    kept = [c for c in clauses if not (c.kind == "word" and is_stop(c.words[0]))]
    if any(not c.negated and c.kind != "facet" for c in kept):
        return kept
    return clauses


def _word_query(word: str) -> Any:
    """One word in title/summary and body fields of both languages."""
    subs: list[Any] = []
    for lang in ANALYZERS:
        for term in analyze(lang, word):
            subs.append(wq.Term(head_field(lang), term))
            subs.append(wq.Term(text_field(lang), term))
    return _or(subs)


def _phrase_query(seq: Sequence[str]) -> Any:
    """A phrase per language; dropped stop words widen the allowed gap instead of breaking it."""
    subs: list[Any] = []
    for lang in ANALYZERS:
        terms = [t for w in seq for t in analyze(lang, w)]
        dropped = len(seq) - len(terms)
        if not terms:
            continue
        # Text fields repeat title and summary: one phrase matcher per language, not two.
        if len(terms) == 1:
            subs.append(wq.Term(head_field(lang), terms[0]))
            subs.append(wq.Term(text_field(lang), terms[0]))
        else:
            subs.append(wq.Phrase(text_field(lang), terms, slop=1 + dropped))
    return _or(subs)


def prefix_terms(prefix: str, reader: Any) -> list[tuple[str, str]]:
    """(field, term) a trailing * expands to, capped per field so expansion stays cheap."""
    out: list[tuple[str, str]] = []
    for lang in ANALYZERS:
        stems = set(analyze(lang, prefix))
        for name in (head_field(lang), text_field(lang)):
            found: list[str] = []
            for term in reader.expand_prefix(name, prefix):
                found.append(term.decode("utf-8") if isinstance(term, bytes) else term)
                if len(found) >= MAX_PREFIX_TERMS:
                    break
            out.extend((name, t) for t in sorted(set(found) | stems))
    return out


def _prefix_query(prefix: str, reader: Any) -> Any:
    """Expand a trailing * over the lexicon, capped per field so expansion stays cheap."""
    return _or([wq.Term(name, t) for name, t in prefix_terms(prefix, reader)])


def _or(subs: list[Any]) -> Any:
    if not subs:
        return wq.NullQuery
    return subs[0] if len(subs) == 1 else wq.Or(subs)


def clause_query(clause: Clause, reader: Any) -> Any:
    """The Whoosh query for one clause (NullQuery when nothing of it is indexable)."""
    if clause.kind == "word":
        return _word_query(clause.words[0])
    if clause.kind == "phrase":
        return _phrase_query(clause.words)
    if clause.kind == "prefix":
        return _prefix_query(clause.words[0], reader)
    if clause.kind == "facet":
        return wq.Term(facet_field(clause.facet), clause.value)
    subs = [
        _word_query(t[0]) if len(t) == 1 else _phrase_query(t) for t in clause.group_terms
    ]
    if clause.facet and clause.value:
        subs.append(wq.Term(facet_field(clause.facet), clause.value))
    return _or([s for s in subs if s is not wq.NullQuery])


def build(parsed: Parsed, reader: Any, *, relaxed: bool = False) -> Any | None:
    """Whoosh query for the parsed text; None means browse (every document is a candidate)."""
    positives = [clause_query(c, reader) for c in parsed.positives]
    positives = [q for q in positives if q is not wq.NullQuery]
    required = [
        clause_query(c, reader) for c in parsed.clauses if c.kind == "facet" and not c.negated
    ]
    negatives = [clause_query(c, reader) for c in parsed.clauses if c.negated]
    negatives = [q for q in negatives if q is not wq.NullQuery]
    if parsed.positives and not positives:
        # The reader searched for something, but none of it is indexable: match nothing.
        return wq.NullQuery
    if relaxed and len(positives) > 1:
        positives = [wq.Or(positives)]
    parts = positives + required
    if not parts and not negatives:
        return None
    base: Any = wq.Every() if not parts else parts[0] if len(parts) == 1 else wq.And(parts)
    if negatives:
        base = wq.AndNot(base, _or(negatives))
    return base


def can_relax(parsed: Parsed) -> bool:
    """Any-term ranking only differs from all-terms when there are several terms."""
    return len(parsed.positives) > 1


Phrases = dict[str, tuple[tuple[tuple[str, ...], int], ...]]


def highlight_terms(parsed: Parsed) -> tuple[dict[str, frozenset[str]], tuple[str, ...]]:
    """Indexed terms per language and folded prefixes the reader's positive clauses look for.

    Single words only: the words of a multi-word synonym ("actes haineux" for "haine") are not
    highlighted on their own, only where the whole phrase occurs (highlight_phrases).
    """
    per_lang: dict[str, set[str]] = {lang: set() for lang in ANALYZERS}
    prefixes: list[str] = []
    for clause in parsed.positives:
        if clause.kind == "prefix":
            prefixes.append(clause.words[0])
            continue
        seqs = clause.group_terms if clause.kind == "group" else (clause.words,)
        for seq in seqs:
            if clause.kind == "group" and len(seq) > 1:
                continue
            for word in seq:
                if word.lower() in STOP_ANY:
                    # A stop word in one language ("de" in French) is a word of the other's
                    # text only by accident, as in "(de)radicalisation": never marked.
                    continue
                for lang in ANALYZERS:
                    per_lang[lang].update(analyze(lang, word))
    return {k: frozenset(v) for k, v in per_lang.items()}, tuple(prefixes)


def highlight_phrases(parsed: Parsed) -> Phrases:
    """Per language, the term sequences (and allowed gap) of multi-word synonyms to highlight
    only where they occur whole."""
    per_lang: dict[str, dict[tuple[tuple[str, ...], int], None]] = {
        lang: {} for lang in ANALYZERS
    }
    for clause in parsed.positives:
        if clause.kind != "group":
            continue
        for seq in clause.group_terms:
            if len(seq) < 2:
                continue
            for lang in ANALYZERS:
                terms = tuple(t for w in seq for t in analyze(lang, w))
                if terms:
                    # Stop words are not indexed: each dropped one widens the allowed gap.
                    per_lang[lang][(terms, 1 + len(seq) - len(terms))] = None
    return {lang: tuple(found) for lang, found in per_lang.items()}
