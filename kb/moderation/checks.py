"""Do-no-harm checks run before a proposal is submitted: blocking problems and warnings.

Blocking: everything `practices.validate` refuses (including e-mail addresses and phone numbers
of people, found by the same detector, and sources without an http(s) URL), and an evidence level
stronger than the sources support without a note justifying it. Warnings, shown to the reviewer:
a title or summary much shorter in one language, or the same text in both, and a justified
evidence level (so the reviewer reads the justification).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kb.catalogue.data import PracticeData
from kb.catalogue.taxonomy import Vocabulary
from kb.catalogue.validation import validate
from kb.errors import N_, Explained, Text, as_text, freeze

# Evidence levels from weakest to strongest (content/taxonomy.yaml, evidence_levels).
STRONG_EVIDENCE = ("internal-evaluation", "independent-evaluation")
EVALUATION_WORDS = ("evaluat", "évaluat", "review", "study", "étude", "report", "rapport", "bilan")


@dataclass(frozen=True, init=False)
class Check(Explained):
    severity: str  # "blocking" or "warning"
    field: str
    text: Text

    def __init__(self, severity: str, field: str, message: str | Text, /, **params: Any) -> None:
        freeze(self, severity=severity, field=field, text=as_text(message, params))

    @property
    def blocking(self) -> bool:
        return self.severity == "blocking"


def run(
    data: PracticeData, *, vocabulary: Vocabulary, events: Sequence[str] = (), note: str = ""
) -> list[Check]:
    """Every check on `data`, blocking ones first."""
    out = [
        Check("blocking", e.field, e.text)
        for e in validate(data, vocabulary=vocabulary, events=events)
    ]
    out.extend(_evidence(data, note))
    out.extend(_balance(data))
    return sorted(out, key=lambda c: not c.blocking)


def _evidence(data: PracticeData, note: str) -> list[Check]:
    if data.evidence_level not in STRONG_EVIDENCE:
        return []
    titles = " ".join(str(s.title).lower() for s in data.sources)
    if any(word in titles for word in EVALUATION_WORDS):
        return []
    if not note.strip():
        return [
            Check(
                "blocking",
                "evidence_level",
                N_(
                    "no source looks like an evaluation: justify this evidence level in the note "
                    "to reviewers, or choose a weaker one"
                ),
            )
        ]
    return [
        Check("warning", "evidence_level", N_("evidence level justified in the note: check it"))
    ]


def _balance(data: PracticeData) -> list[Check]:
    out: list[Check] = []
    for base in ("title", "summary"):
        fr, en = (str(getattr(data, f"{base}_{lang}") or "").strip() for lang in ("fr", "en"))
        if not fr or not en:
            continue  # validation already blocks a missing language
        if fr == en:
            out.append(Check("warning", f"{base}.en", N_("same text in French and English")))
        elif min(len(fr), len(en)) * 3 < max(len(fr), len(en)):
            shorter = "fr" if len(fr) < len(en) else "en"
            out.append(
                Check(
                    "warning",
                    f"{base}.{shorter}",
                    N_("much shorter than in the other language: check the translation"),
                )
            )
    return out
