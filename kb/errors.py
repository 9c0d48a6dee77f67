"""The errors of kb, each carrying its HTTP status, rendered by one handler as HTML or JSON.

KBError (500)
├── BadRequest (400)
├── PermissionDenied (403)
├── NotFound (404)
├── Conflict (409)            stale version in an optimistic-concurrency update
├── PreconditionFailed (412)  an API request's If-Match no longer names the current version
└── ValidationError (422)     one or more FieldError, each naming the field and what is expected

Every message a person may read is a fixed English msgid marked with `N_` (extracted by Babel),
with `%(name)s` placeholders whose values travel alongside as keyword parameters:

    FieldError("comment", N_("expected at most %(max)d characters"), max=COMMENT_MAX)

The message is translated when it is shown, in the reader's language (`render(gettext)`); the
English text (`message`, `str()`) is for logs, the CLI and API clients that ask for English. What a
person typed only ever travels as a parameter, never as the format string.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a fixed domain message for translation (extracted by Babel, translated by the view)."""
    return message


def english(message: str) -> str:
    """The gettext of the source language: the msgid itself."""
    return message


@dataclass(frozen=True, init=False)
class Text:
    """A message for a person: a marked msgid and its parameters, translated when shown.

    A parameter may itself be a Text (a reason inside a sentence): it is translated too.
    """

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __init__(self, msgid: str, /, **params: Any) -> None:
        object.__setattr__(self, "msgid", msgid)
        object.__setattr__(self, "params", params)

    def render(self, gettext: Gettext = english) -> str:
        text = gettext(self.msgid)
        if not self.params:
            return text  # never %-format a message without parameters
        return text % {
            k: v.render(gettext) if isinstance(v, Text) else v for k, v in self.params.items()
        }

    def __str__(self) -> str:
        return self.render()


def as_text(message: str | Text, params: Mapping[str, Any]) -> Text:
    return message if isinstance(message, Text) else Text(message, **params)


def freeze(obj: object, **values: Any) -> None:
    """Set the fields of a frozen dataclass from its own `__init__`."""
    for name, value in values.items():
        object.__setattr__(obj, name, value)


class Explained:
    """A problem that carries a Text: its English message, and its rendering in a language."""

    text: Text

    @property
    def message(self) -> str:
        """The message in English."""
        return self.text.render()

    def render(self, gettext: Gettext = english) -> str:
        return self.text.render(gettext)


@dataclass(frozen=True, init=False)
class FieldError(Explained):
    field: str
    text: Text

    def __init__(self, field: str, message: str | Text, /, **params: Any) -> None:
        freeze(self, field=field, text=as_text(message, params))

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class KBError(Exception):
    status = 500
    code = "error"

    def __init__(self, message: str | Text, /, **params: Any) -> None:
        self.text = as_text(message, params)
        self.message = self.text.render()
        super().__init__(self.message)

    def render(self, gettext: Gettext = english) -> str:
        return self.text.render(gettext)

    def to_dict(self, gettext: Gettext = english) -> dict[str, object]:
        return {
            "error": {"code": self.code, "status": self.status, "message": self.render(gettext)}
        }


class BadRequest(KBError):
    status = 400
    code = "bad_request"


class PermissionDenied(KBError):
    status = 403
    code = "forbidden"


class NotFound(KBError):
    status = 404
    code = "not_found"


class Conflict(KBError):
    status = 409
    code = "conflict"


class PreconditionFailed(KBError):
    """`If-Match` named a version that is no longer current; carries the current record."""

    status = 412
    code = "precondition_failed"

    def __init__(self, message: str | Text, current: dict[str, Any], /, **params: Any) -> None:
        super().__init__(message, **params)
        self.current = current

    def to_dict(self, gettext: Gettext = english) -> dict[str, object]:
        data = super().to_dict(gettext)
        data["error"]["current"] = self.current  # type: ignore[index]
        return data


class ValidationError(KBError):
    status = 422
    code = "invalid"

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__(Text("; ".join(str(e) for e in errors)))

    def render(self, gettext: Gettext = english) -> str:
        return "; ".join(f"{e.field}: {e.render(gettext)}" for e in self.errors)

    def to_dict(self, gettext: Gettext = english) -> dict[str, object]:
        data = super().to_dict(gettext)
        data["error"]["fields"] = [  # type: ignore[index]
            {"field": e.field, "message": e.render(gettext)} for e in self.errors
        ]
        return data
