"""Sentences that say an evaluation is missing are not evidence of one: they are not indexed.

Most practices end their results with "No independent evaluation was found" or « Aucune
évaluation indépendante n'a été trouvée ». Indexed as text, that sentence made the practice
match "évaluation indépendante" (a phrase, and the concept term of the `independent-evaluation`
evidence level) as strongly as a practice that has one. What kb knows of a practice's evaluation
is its evidence level, a facet the query's synonyms reach; so the clause stating the absence is
left out of the indexed text (the page still shows it, from the database).

A clause is the text between sentence or clause marks (. ; ! ?); it is left out when a negation
governs an evaluation word in it: "no [up to three words] evaluation", "not (been) evaluated",
« aucune … évaluation », « pas d'évaluation », « n'a pas été évalué ». "The evaluation found no
effect" stays: there the negation bears on a finding, not on the evaluation.
"""

from __future__ import annotations

import re

_EVALUATION = r"(?:evaluations?|assessments?|évaluations?|evaluation)"
_EVALUATED = r"(?:evaluated|assessed|évaluée?s?)"
_GAP = r"(?:[\w'’-]+\s+){0,3}?"  # up to three words between the negation and the noun

_NEGATED = re.compile(
    "|".join(
        (
            rf"\bno\s+{_GAP}{_EVALUATION}\b",
            rf"\bnot\s+(?:been\s+|yet\s+|be\s+)?(?:\w+ly\s+)?{_EVALUATED}\b",
            rf"\bnot\s+{_GAP}an?\s+{_EVALUATION}\b",  # "not the finding of an evaluation"
            rf"\bnever\s+(?:been\s+)?(?:\w+ly\s+)?{_EVALUATED}\b",
            rf"\baucune?\s+{_GAP}{_EVALUATION}\b",
            rf"\b(?:pas|ni|sans)\s+(?:d['’]\s*|de\s+|une?\s+)?{_GAP}{_EVALUATION}\b",
            rf"\b(?:pas|jamais)\s+(?:été\s+)?{_EVALUATED}\b",
        )
    ),
    re.IGNORECASE,
)
# Between clauses: a space after a sentence or clause mark, or a line break (kept as they are).
_BETWEEN = re.compile(r"((?<=[.;!?])\s+|\n)")


def without_negated_evaluation(text: str) -> str:
    """`text` without the clauses that state an evaluation is missing."""
    if not _NEGATED.search(text):
        return text  # most texts: one scan, nothing to cut
    parts = _BETWEEN.split(text)  # clauses at even indexes, what separates them at odd ones
    parts.append("")
    kept: list[str] = []
    for clause, after in zip(parts[::2], parts[1::2], strict=True):
        if not _NEGATED.search(clause):
            kept += (clause, after)
        elif "\n" in after:
            kept.append(after)  # the line structure stays; the space after a sentence goes
    return "".join(kept)
