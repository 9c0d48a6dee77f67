"""Who may do what: one table of actions -> (roles, guard), checked by the domain functions.

Views never decide permissions: every domain function that changes something takes `actor=` and
calls `require(actor, action, target)`, which raises `PermissionDenied` (403). The table is the
specification; `tests/test_permissions.py` enumerates every role (and anonymous) x every action.

Actors:
- a signed-in account (`Actor.for_user`), holding zero or more roles;
- `Actor.anonymous()`, for requests without an account (reading needs no permission);
- `Actor.system(...)`, for the instance operator at the command line (`kb import`, `kb user …`):
  whoever runs the CLI already controls the database, so the system actor holds every role.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from kb.errors import N_, PermissionDenied, Text

ROLES: tuple[str, ...] = ("contributor", "moderator", "curator", "admin")
ROLE_HELP: dict[str, str] = {
    "contributor": "drafts and submits city spotlights, comments on their own submissions",
    "moderator": "reviews, edits any practice, publishes, archives",
    "curator": "curates collections and exports",
    "admin": "manages accounts, roles, the audit log and settings",
}

ActorKind = Literal["user", "anonymous", "system"]


@dataclass(frozen=True)
class Actor:
    """Who is acting, as the domain sees it: no Flask, no session, just ids and roles."""

    kind: ActorKind
    user_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    label: str = ""
    address: str | None = None  # already truncated (see `truncate_address`)

    @classmethod
    def for_user(
        cls, user_id: int, roles: frozenset[str] | set[str], *, address: str | None = None
    ) -> Actor:
        return cls("user", user_id, frozenset(roles), "", truncate_address(address))

    @classmethod
    def anonymous(cls, *, address: str | None = None) -> Actor:
        return cls("anonymous", None, frozenset(), "", truncate_address(address))

    @classmethod
    def system(cls, label: str = "cli") -> Actor:
        return cls("system", None, frozenset(ROLES), label, None)

    @property
    def authenticated(self) -> bool:
        return self.kind != "anonymous"

    def has_role(self, role: str) -> bool:
        return role in self.roles


# A guard sees the actor and the action's target; it returns a reason when it refuses.
Guard = Callable[[Actor, Any], Text | None]
# Any signed-in account, whatever its roles (a new account holds none).
SIGNED_IN: frozenset[str] = frozenset({"*"})


WRITERS: frozenset[str] = frozenset({"contributor", "moderator"})
MODERATORS: frozenset[str] = frozenset({"moderator"})


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    guard: Guard | None = None
    help: str = ""


def is_self(actor: Actor, target: Any) -> Text | None:
    """The target is the actor's own account (target: a user id)."""
    if actor.kind == "system" or target == actor.user_id:
        return None
    return Text(N_("only the account's owner may do this"))


def not_self(actor: Actor, target: Any) -> Text | None:
    """Nobody locks themselves out: an admin cannot deactivate their own account."""
    if actor.kind != "system" and target == actor.user_id:
        return Text(N_("you cannot do this to your own account"))
    return None


def keeps_own_admin(actor: Actor, target: Any) -> Text | None:
    """An admin may change anyone's roles but cannot drop their own admin role.

    target: (user_id, new_roles).
    """
    user_id, new_roles = target
    if actor.kind != "system" and user_id == actor.user_id and "admin" not in new_roles:
        return Text(N_("you cannot remove your own admin role (ask another admin)"))
    return None


def owns_token_or_admin(actor: Actor, target: Any) -> Text | None:
    """target: the user id owning the token."""
    if actor.kind == "system" or target == actor.user_id or actor.has_role("admin"):
        return None
    return Text(N_("only the token's owner or an admin may revoke it"))


def is_author(actor: Actor, target: Any) -> Text | None:
    """Only the proposal's author (target: the author's user id)."""
    if actor.kind == "system" or target == actor.user_id:
        return None
    return Text(N_("only the proposal's author may do this"))


def author_or_moderator(actor: Actor, target: Any) -> Text | None:
    """The author, or any moderator (target: the author's user id)."""
    if actor.kind == "system" or target == actor.user_id or actor.has_role("moderator"):
        return None
    return Text(N_("only the proposal's author or a moderator may do this"))


def not_author(actor: Actor, target: Any) -> Text | None:
    """Four eyes: nobody decides on their own proposal (target: the author's user id)."""
    if actor.kind != "system" and target == actor.user_id:
        return Text(N_("four eyes: you cannot decide on your own proposal"))
    return None


ACTIONS: dict[str, Rule] = {
    # Practices (direct writes; contributors' submissions go through review once it exists).
    "practice.create": Rule(frozenset({"moderator"}), help="add a practice"),
    "practice.update": Rule(frozenset({"moderator"}), help="change a practice's content"),
    "practice.set_state": Rule(frozenset({"moderator"}), help="publish, archive, unpublish"),
    "practice.delete": Rule(frozenset({"admin"}), help="remove a practice for good"),
    "content.import": Rule(frozenset({"admin"}), help="import content files"),
    # Moderation. Targets are the proposal author's user id. Archiving and restoring a
    # published practice is an admin's decision, done directly (no second person asked).
    "proposal.create": Rule(WRITERS, help="start a proposal (new practice or edit)"),
    "proposal.edit": Rule(WRITERS, is_author, help="change one's own working copy"),
    "proposal.submit": Rule(WRITERS, is_author, help="send one's own proposal to review"),
    "proposal.withdraw": Rule(WRITERS, is_author, help="withdraw one's own proposal"),
    "proposal.read": Rule(WRITERS, author_or_moderator, help="see a proposal and its review"),
    "proposal.comment": Rule(WRITERS, author_or_moderator, help="comment on a proposal"),
    "proposal.rebase": Rule(WRITERS, author_or_moderator, help="rebase onto the live version"),
    "proposal.approve": Rule(MODERATORS, not_author, help="approve (and publish) a proposal"),
    "proposal.request_changes": Rule(MODERATORS, not_author, help="send a proposal back"),
    "proposal.reject": Rule(MODERATORS, not_author, help="reject a proposal"),
    "proposal.queue": Rule(MODERATORS, help="see the moderation queue of everyone's proposals"),
    "suggestion.manage": Rule(MODERATORS, help="read public suggestions, draft or close them"),
    # Editorial pages (About, legal notice…): moderators propose edits, reviewed like practices.
    "page.propose": Rule(MODERATORS, help="start an edit of an editorial page"),
    "page.update": Rule(MODERATORS, help="publish a reviewed edit of an editorial page"),
    "practice.archive": Rule(frozenset({"admin"}), help="take a practice off the public site"),
    "practice.restore": Rule(frozenset({"admin"}), help="put an archived practice back online"),
    # Accounts.
    "user.list": Rule(frozenset({"admin"}), help="see accounts"),
    "user.create": Rule(frozenset({"admin"}), help="create an account with a password"),
    "user.invite": Rule(frozenset({"admin"}), help="invite someone by e-mail"),
    "user.set_roles": Rule(frozenset({"admin"}), keeps_own_admin, help="change roles"),
    "user.deactivate": Rule(frozenset({"admin"}), not_self, help="deactivate an account"),
    "user.reactivate": Rule(frozenset({"admin"}), help="reactivate an account"),
    "audit.read": Rule(frozenset({"admin"}), help="read and download the audit log"),
    "account.edit": Rule(SIGNED_IN, is_self, help="change one's own name, language, e-mail"),
    "account.change_password": Rule(SIGNED_IN, is_self, help="change one's own password"),
    "token.create": Rule(SIGNED_IN, is_self, help="create one's own API token"),
    "token.revoke": Rule(SIGNED_IN, owns_token_or_admin, help="revoke an API token"),
    # Curated collections.
    "collection.create": Rule(frozenset({"curator"}), help="start a collection"),
    "collection.edit": Rule(frozenset({"curator"}), help="edit a collection, its practices, notes"),
    "collection.publish": Rule(frozenset({"curator"}), help="publish a collection"),
    "collection.unpublish": Rule(frozenset({"curator"}), help="take a collection back to draft"),
    # Webhooks (the resource centre's subscriptions to the changes feed).
    "webhook.read": Rule(frozenset({"admin"}), help="see webhooks and their deliveries"),
    "webhook.manage": Rule(
        frozenset({"admin"}), help="register, disable or enable a webhook, redeliver failures"
    ),
}


def refusal(actor: Actor, action: str, target: Any = None) -> Text | None:
    """Why `actor` may not do `action` on `target`, or None when allowed."""
    rule = ACTIONS.get(action)
    if rule is None:
        raise KeyError(f"unknown action {action!r}; declare it in kb.permissions.ACTIONS")
    if not actor.authenticated:
        return Text(N_("sign in first"))
    if rule.roles != SIGNED_IN and not (rule.roles & actor.roles):
        return Text(N_("needs the role %(roles)s"), roles=" or ".join(sorted(rule.roles)))
    if rule.guard is not None:
        return rule.guard(actor, target)
    return None


def allowed(actor: Actor, action: str, target: Any = None) -> bool:
    return refusal(actor, action, target) is None


def require(actor: Actor, action: str, target: Any = None) -> None:
    """Raise PermissionDenied unless `actor` may do `action` on `target`."""
    reason = refusal(actor, action, target)
    if reason is not None:
        raise PermissionDenied(N_("%(action)s: %(reason)s"), action=action, reason=reason)


def truncate_address(address: str | None) -> str | None:
    """Keep the network, not the person: IPv4 to /24, IPv6 to /48."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
