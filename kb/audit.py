"""The audit log: one typed event per kind of change, written in the caller's transaction.

Each event is a frozen dataclass naming its `action` and `target_kind`; its fields are the small
JSON detail. The code that acts emits the event (`record(session, actor, event)`); nothing builds
free-form strings. Passwords, tokens and links never appear in a detail. Reading the log (filters,
pages, CSV) is `kb.audit_reads`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from sqlmodel import Session

from kb.models import AuditEvent
from kb.permissions import Actor

_TYPES: list[type[Event]] = []


@dataclass(frozen=True)
class Event:
    action: ClassVar[str]
    target_kind: ClassVar[str]
    target_field: ClassVar[str]  # the field holding the target's id

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "action" in cls.__dict__:  # a kind of event, not a family base such as PracticeEvent
            _TYPES.append(cls)

    def target_id(self) -> str:
        return str(getattr(self, self.target_field))

    def detail(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PracticeEvent(Event):
    target_kind: ClassVar[str] = "practice"
    practice_id: int
    slug: str
    version: int

    target_field: ClassVar[str] = "practice_id"


@dataclass(frozen=True)
class PracticeCreated(PracticeEvent):
    action: ClassVar[str] = "practice.create"
    state: str


@dataclass(frozen=True)
class PracticeUpdated(PracticeEvent):
    action: ClassVar[str] = "practice.update"
    changed: tuple[str, ...]


@dataclass(frozen=True)
class PracticeStateChanged(PracticeEvent):
    action: ClassVar[str] = "practice.set_state"
    before: str
    after: str


@dataclass(frozen=True)
class PracticeDeleted(PracticeEvent):
    action: ClassVar[str] = "practice.delete"


@dataclass(frozen=True)
class AccountEvent(Event):
    target_kind: ClassVar[str] = "user"
    user_id: int

    target_field: ClassVar[str] = "user_id"


@dataclass(frozen=True)
class UserCreated(AccountEvent):
    action: ClassVar[str] = "user.create"
    roles: tuple[str, ...]


@dataclass(frozen=True)
class UserInvited(AccountEvent):
    action: ClassVar[str] = "user.invite"
    roles: tuple[str, ...]


@dataclass(frozen=True)
class RolesChanged(AccountEvent):
    action: ClassVar[str] = "user.set_roles"
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class UserDeactivated(AccountEvent):
    action: ClassVar[str] = "user.deactivate"


@dataclass(frozen=True)
class UserReactivated(AccountEvent):
    action: ClassVar[str] = "user.reactivate"


@dataclass(frozen=True)
class AccountEdited(AccountEvent):
    action: ClassVar[str] = "account.edit"
    changed: tuple[str, ...]


@dataclass(frozen=True)
class PasswordChanged(AccountEvent):
    action: ClassVar[str] = "account.change_password"
    via: str  # "account" (knew the old one), "link" (invitation or reset), "cli"


@dataclass(frozen=True)
class PasswordResetRequested(AccountEvent):
    action: ClassVar[str] = "account.reset_request"


@dataclass(frozen=True)
class LoggedIn(AccountEvent):
    action: ClassVar[str] = "account.login"


@dataclass(frozen=True)
class SignedOutEverywhere(AccountEvent):
    action: ClassVar[str] = "account.sign_out_everywhere"


@dataclass(frozen=True)
class TokenEvent(Event):
    target_kind: ClassVar[str] = "token"
    token_id: int
    user_id: int
    name: str

    target_field: ClassVar[str] = "token_id"


@dataclass(frozen=True)
class TokenCreated(TokenEvent):
    action: ClassVar[str] = "token.create"


@dataclass(frozen=True)
class TokenRevoked(TokenEvent):
    action: ClassVar[str] = "token.revoke"


@dataclass(frozen=True)
class CollectionEvent(Event):
    target_kind: ClassVar[str] = "collection"
    collection_id: int
    slug: str
    version: int

    target_field: ClassVar[str] = "collection_id"


@dataclass(frozen=True)
class CollectionCreated(CollectionEvent):
    action: ClassVar[str] = "collection.create"


@dataclass(frozen=True)
class CollectionEdited(CollectionEvent):
    action: ClassVar[str] = "collection.edit"
    changed: tuple[str, ...]


@dataclass(frozen=True)
class CollectionItemAdded(CollectionEvent):
    action: ClassVar[str] = "collection.add_item"
    practice_id: int
    practice_slug: str


@dataclass(frozen=True)
class CollectionItemRemoved(CollectionEvent):
    action: ClassVar[str] = "collection.remove_item"
    practice_id: int
    practice_slug: str


@dataclass(frozen=True)
class CollectionNoteChanged(CollectionEvent):
    action: ClassVar[str] = "collection.note"
    practice_id: int


@dataclass(frozen=True)
class CollectionReordered(CollectionEvent):
    action: ClassVar[str] = "collection.reorder"
    order: tuple[int, ...]


@dataclass(frozen=True)
class CollectionPublished(CollectionEvent):
    action: ClassVar[str] = "collection.publish"


@dataclass(frozen=True)
class CollectionUnpublished(CollectionEvent):
    action: ClassVar[str] = "collection.unpublish"


@dataclass(frozen=True)
class ProposalEvent(Event):
    target_kind: ClassVar[str] = "proposal"
    proposal_id: int
    slug: str

    target_field: ClassVar[str] = "proposal_id"


@dataclass(frozen=True)
class ProposalCreated(ProposalEvent):
    action: ClassVar[str] = "proposal.create"
    base_version: int | None


@dataclass(frozen=True)
class ProposalEdited(ProposalEvent):
    action: ClassVar[str] = "proposal.edit"


@dataclass(frozen=True)
class ProposalMoved(ProposalEvent):
    """A move of the proposal workflow (submit, withdraw, rebase)."""

    action: ClassVar[str] = "proposal.move"
    move: str
    before: str
    after: str


@dataclass(frozen=True)
class ProposalDecided(ProposalEvent):
    """A reviewer's decision, with the checklist as ticked."""

    action: ClassVar[str] = "proposal.decide"
    decision: str
    round: int
    checklist: tuple[str, ...]


@dataclass(frozen=True)
class ProposalPublished(ProposalEvent):
    action: ClassVar[str] = "proposal.publish"
    practice_id: int
    version: int


@dataclass(frozen=True)
class ProposalCommented(ProposalEvent):
    action: ClassVar[str] = "proposal.comment"
    comment_id: int


@dataclass(frozen=True)
class SuggestionClosed(Event):
    """A public suggestion closed (its e-mail erased), possibly turned into a draft."""

    action: ClassVar[str] = "suggestion.close"
    target_kind: ClassVar[str] = "suggestion"
    suggestion_id: int
    proposal_id: int | None

    target_field: ClassVar[str] = "suggestion_id"


@dataclass(frozen=True)
class PagePublished(Event):
    """An editorial page's new version, published from a reviewed proposal."""

    action: ClassVar[str] = "page.update"
    target_kind: ClassVar[str] = "page"
    slug: str
    version: int
    proposal_id: int | None
    changed: tuple[str, ...]

    target_field: ClassVar[str] = "slug"


@dataclass(frozen=True)
class WebhookEvent(Event):
    target_kind: ClassVar[str] = "webhook"
    webhook_id: int
    url: str

    target_field: ClassVar[str] = "webhook_id"


@dataclass(frozen=True)
class WebhookAdded(WebhookEvent):
    action: ClassVar[str] = "webhook.add"


@dataclass(frozen=True)
class WebhookActivated(WebhookEvent):
    action: ClassVar[str] = "webhook.set_active"
    active: bool


@dataclass(frozen=True)
class WebhookRedelivered(WebhookEvent):
    action: ClassVar[str] = "webhook.redeliver"
    deliveries: int


@dataclass(frozen=True)
class SecurityEvent(Event):
    """A refused attempt, targeted at the client's network (/24 or /48, as the row's address)."""

    target_kind: ClassVar[str] = "security"
    network: str

    target_field: ClassVar[str] = "network"


@dataclass(frozen=True)
class SignInFailed(SecurityEvent):
    action: ClassVar[str] = "security.sign_in_failed"
    user_id: int | None  # None: no account has the address typed


@dataclass(frozen=True)
class SignInThrottled(SecurityEvent):
    action: ClassVar[str] = "security.sign_in_throttled"
    scope: str  # "address" or "account"
    limit: str


@dataclass(frozen=True)
class WriteForbidden(SecurityEvent):
    """A 403 on a route that writes (any method but GET, HEAD and OPTIONS)."""

    action: ClassVar[str] = "security.forbidden"
    method: str
    path: str


@dataclass(frozen=True)
class RevokedTokenUsed(SecurityEvent):
    """A revoked token, or one of a deactivated account, presented to the API."""

    action: ClassVar[str] = "security.revoked_token"
    token_id: int
    user_id: int


EVENT_TYPES: tuple[type[Event], ...] = tuple(_TYPES)  # every kind, in declaration order
ACTIONS: tuple[str, ...] = tuple(sorted({t.action for t in EVENT_TYPES}))
TARGET_KINDS: tuple[str, ...] = tuple(sorted({t.target_kind for t in EVENT_TYPES}))


def record(session: Session, actor: Actor, event: Event) -> AuditEvent:
    """Add the event to the caller's transaction (flushed with it, never committed here)."""
    detail = {k: list(v) if isinstance(v, tuple) else v for k, v in event.detail().items()}
    row = AuditEvent(
        actor_id=actor.user_id,
        actor_kind=actor.kind,
        action=event.action,
        target_kind=event.target_kind,
        target_id=event.target_id(),
        detail=detail | ({"via": actor.label} if actor.kind == "system" and actor.label else {}),
        address=actor.address,
    )
    session.add(row)
    return row
