"""What makes a password acceptable: its length, and how hard it is to guess. Flask-free.

The strength is zxcvbn's estimate (Dropbox's estimator, the zxcvbn package on PyPI): it knows
common passwords and words, names, dates, keyboard rows, repeats and sequences, and takes the
account's own e-mail address and name as words to refuse. zxcvbn's own feedback is English only,
so the reason a person reads is one of kb's messages, chosen from the weakest part it found, and
translated like every other message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from zxcvbn import zxcvbn

from kb.errors import N_, FieldError, ValidationError

PASSWORD_MIN, PASSWORD_MAX = 12, 1024  # also spelled out in the messages below
MIN_SCORE = 3  # zxcvbn's "safely unguessable" (about 10**8 guesses and more)
ESTIMATED_CHARS = 72  # zxcvbn refuses longer input; the first 72 characters set a floor

# Why a password is refused, by the kind of zxcvbn match that makes it weakest.
REASONS = {
    "user_inputs": N_("must not contain your name or your e-mail address"),
    "dictionary": N_("too easy to guess: it is or contains a common password, word or name"),
    "repeat": N_("too easy to guess: it repeats the same characters"),
    "sequence": N_("too easy to guess: it follows a sequence such as abcd or 1234"),
    "spatial": N_("too easy to guess: it follows a row of the keyboard"),
    "date": N_("too easy to guess: it is built on a date or a year"),
}
GENERIC = N_("too easy to guess: add a few unrelated words or characters")


def own_words(email: str, display_name: str) -> list[str]:
    """The words of an account that its password must not be built on."""
    local = email.split("@", 1)[0]
    words = {email, local, display_name, *re.split(r"[\W_]+", f"{local} {display_name}")}
    return sorted(w.lower() for w in words if len(w) >= 3)


def _reason(matches: Sequence[Mapping[str, Any]]) -> str:
    def kind(match: Mapping[str, Any]) -> str:
        if match.get("dictionary_name") == "user_inputs":
            return "user_inputs"
        return str(match.get("pattern", ""))

    found = [kind(m) for m in matches if kind(m) in REASONS]
    if not found:
        return GENERIC
    if "user_inputs" in found:
        return REASONS["user_inputs"]
    longest = max(
        (m for m in matches if kind(m) in REASONS), key=lambda m: len(str(m.get("token", "")))
    )
    return REASONS[kind(longest)]


def check_password(password: str, field: str = "password", *, own: Iterable[str] = ()) -> None:
    """ValidationError naming `field` when the password is too short, too long or guessable."""
    if len(password) < PASSWORD_MIN:
        raise ValidationError([FieldError(field, N_("at least 12 characters"))])
    if len(password) > PASSWORD_MAX:
        raise ValidationError([FieldError(field, N_("at most 1024 characters"))])
    words = list(own)
    lowered = password.lower()
    if any(len(w) >= 4 and w in lowered for w in words):
        raise ValidationError([FieldError(field, REASONS["user_inputs"])])
    estimate = zxcvbn(password[:ESTIMATED_CHARS], user_inputs=words)
    if estimate["score"] < MIN_SCORE:
        reason = _reason(estimate["sequence"])  # one of the marked REASONS, or GENERIC
        raise ValidationError([FieldError(field, reason)])
