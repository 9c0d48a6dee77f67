"""The errors of kb, each carrying its HTTP status, rendered by one handler as HTML or JSON.

KBError (500)
├── BadRequest (400)
├── PermissionDenied (403)
├── NotFound (404)
├── Conflict (409)            stale version in an optimistic-concurrency update
└── ValidationError (422)     one or more FieldError, each naming the field and what is expected
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(message: str) -> str:
    """Mark a fixed domain message for translation (extracted by Babel, translated by the view)."""
    return message


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class KBError(Exception):
    status = 500
    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict[str, object]:
        return {"error": {"code": self.code, "status": self.status, "message": self.message}}


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


class ValidationError(KBError):
    status = 422
    code = "invalid"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        data["error"]["fields"] = [  # type: ignore[index]
            {"field": e.field, "message": e.message} for e in self.errors
        ]
        return data
