"""Who may do what: the permission table read as a specification, then enforced by the domain
and through HTTP for every role (and anonymous) and every action."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from kb import db, uow
from kb.accounts import accounts
from kb.accounts import audit_log as audit_reads
from kb.accounts import links as account_links
from kb.accounts import tokens as api_tokens
from kb.catalogue import history, pages, practices, taxonomy
from kb.catalogue.data import PracticeData, SourceData
from kb.catalogue.pages import PageData, PageEdit
from kb.collections import collections
from kb.collections import items as collection_items
from kb.collections.collections import CollectionData
from kb.content.folder import ContentSet, apply
from kb.distribution import webhook_admin, webhooks
from kb.errors import PermissionDenied
from kb.moderation import page_subject as page_proposals
from kb.moderation import practice_subject as proposals
from kb.moderation import reviews, subjects, suggestions, workflow
from kb.permissions import ACTIONS, ROLES, Actor, allowed
from tests.conftest import BASE_PRACTICE, PASSWORD, AuthActions

WHO = ("anonymous", "no-role", *ROLES)
COLLECTION = CollectionData(title_fr="Une sélection", title_en="A selection")

# The specification. Columns: anonymous, a signed-in account with no role, then each role.
# "own" = allowed on one's own account or proposal only (the guard); "other" = allowed on someone
# else's proposal only (four eyes); "yes" = allowed; "-" = refused.
SPEC_TABLE = """
action                    anonymous no-role contributor moderator curator admin
practice.create           -         -       -           yes       -       -
practice.update           -         -       -           yes       -       -
practice.set_state        -         -       -           yes       -       -
practice.delete           -         -       -           -         -       yes
content.import            -         -       -           -         -       yes
user.list                 -         -       -           -         -       yes
user.create               -         -       -           -         -       yes
user.invite               -         -       -           -         -       yes
user.set_roles            -         -       -           -         -       yes
user.deactivate           -         -       -           -         -       yes
user.reactivate           -         -       -           -         -       yes
audit.read                -         -       -           -         -       yes
account.edit              -         own     own         own       own     own
account.change_password   -         own     own         own       own     own
token.create              -         own     own         own       own     own
token.revoke              -         own     own         own       own     yes
collection.create         -         -       -           -         yes     -
collection.edit           -         -       -           -         yes     -
collection.publish        -         -       -           -         yes     -
collection.unpublish      -         -       -           -         yes     -
proposal.create           -         -       yes         yes       -       -
proposal.edit             -         -       own         own       -       -
proposal.submit           -         -       own         own       -       -
proposal.withdraw         -         -       own         own       -       -
proposal.read             -         -       own         yes       -       -
proposal.comment          -         -       own         yes       -       -
proposal.rebase           -         -       own         yes       -       -
proposal.approve          -         -       -           other     -       -
proposal.request_changes  -         -       -           other     -       -
proposal.reject           -         -       -           other     -       -
proposal.queue            -         -       -           yes       -       -
suggestion.manage         -         -       -           yes       -       -
page.propose              -         -       -           yes       -       -
page.update               -         -       -           yes       -       -
practice.archive          -         -       -           -         -       yes
practice.restore          -         -       -           -         -       yes
webhook.read              -         -       -           -         -       yes
webhook.manage            -         -       -           -         -       yes
"""


def _spec() -> dict[tuple[str, str], str]:
    lines = [line.split() for line in SPEC_TABLE.strip().splitlines()]
    header, rows = lines[0][1:], lines[1:]
    return {(row[0], who): cell for row in rows for who, cell in zip(header, row[1:], strict=True)}


SPEC = _spec()
CASES = [(who, action) for action in ACTIONS for who in WHO]
SELF_ID, OTHER_ID = 101, 202


def actor_for(who: str, user_id: int = SELF_ID) -> Actor:
    if who == "anonymous":
        return Actor.anonymous()
    return Actor.for_user(user_id, set() if who == "no-role" else {who})


def target_for(action: str, own: bool, actor: Actor) -> Any:
    """What each action is done to: the actor's own account, or someone else's."""
    user_id = actor.user_id if own else OTHER_ID
    if action == "user.set_roles":
        return (OTHER_ID, frozenset({"curator"}))
    if action in ("account.edit", "account.change_password", "token.create", "token.revoke"):
        return user_id
    if action.startswith("proposal."):
        return user_id  # the proposal's author
    if action in ("user.deactivate", "user.reactivate"):
        return OTHER_ID
    return None


def test_the_specification_covers_every_declared_action_and_role() -> None:
    assert {action for action, _who in SPEC} == set(ACTIONS)
    assert {who for _action, who in SPEC} == set(WHO)


@pytest.mark.parametrize(("who", "action"), CASES)
def test_the_table_allows_exactly_what_the_specification_says(who: str, action: str) -> None:
    actor = actor_for(who)
    expected = SPEC[(action, who)]
    assert allowed(actor, action, target_for(action, True, actor)) == (expected in ("yes", "own"))
    # On someone else's account or proposal, "own" is refused; "yes" and "other" are allowed.
    assert allowed(actor, action, target_for(action, False, actor)) == (
        expected in ("yes", "other")
    )


def test_no_one_locks_themselves_out() -> None:
    admin = Actor.for_user(SELF_ID, {"admin"})
    assert not allowed(admin, "user.deactivate", SELF_ID)
    assert not allowed(admin, "user.set_roles", (SELF_ID, frozenset({"moderator"})))
    assert allowed(admin, "user.set_roles", (SELF_ID, frozenset({"admin", "moderator"})))


def test_the_operator_at_the_command_line_may_do_everything() -> None:
    operator = Actor.system("tests")
    assert all(allowed(operator, action, target_for(action, False, operator)) for action in ACTIONS)
    assert allowed(operator, "proposal.approve", operator.user_id)


def test_client_addresses_are_kept_as_networks_only() -> None:
    assert Actor.anonymous(address="203.0.113.77").address == "203.0.113.0/24"
    assert Actor.anonymous(address="2001:db8:abcd:12::1").address == "2001:db8:abcd::/48"
    assert Actor.anonymous(address="not an address").address is None


# --- through the domain ----------------------------------------------------------------------


class World:
    """A database with the seed vocabulary, a published practice and a few accounts."""

    def __init__(self, app: Flask, session: Session, seed_content: Any, who: str) -> None:
        self.app, self.session, self.who = app, session, who
        operator = Actor.system("tests")
        apply(
            session=session,
            actor=operator,
            content=ContentSet(
                vocabulary=seed_content.vocabulary, events=seed_content.events
            ),
        )
        self.vocabulary = taxonomy.load(session)
        values = {**BASE_PRACTICE, "sources": (SourceData("Test source", "https://example.org/"),)}
        self.data = PracticeData(**values)
        self.practice = practices.create(
            session=session,
            actor=operator,
            data=self.data,
            vocabulary=self.vocabulary,
            state="published",
        )
        self.other = self._account("other@example.org", {"contributor"})
        self.me = (
            None
            if who == "anonymous"
            else self._account("me@example.org", set() if who == "no-role" else {who})
        )
        owner = self.me.id if self.me else self.other.id
        self.token, _plain = api_tokens.create_token(
            session=session, actor=operator, user_id=owner, name="sync"
        )
        pages.save(
            session=session,
            pages=[PageData("about", lang, f"About ({lang})", "Text.\n") for lang in ("fr", "en")],
        )
        self.page = PageEdit("about", "À propos", "About", "Texte.\n", "Text.\n")
        self.collection = collections.create(
            session=session, actor=operator, slug="a-collection", data=COLLECTION
        )
        self.archived = practices.create(
            session=session,
            actor=operator,
            data=replace(self.data, slug="archived-practice"),
            vocabulary=self.vocabulary,
            state="archived",
        )
        # A draft edit by the acting person (or by the other account when anonymous), and a
        # submitted new practice by the other account, for the reviewers' actions.
        author = Actor.for_user(owner, set())
        self.mine = self._proposal(author, replace(self.data, title_en="Edited"), "test-practice")
        theirs_author = Actor.for_user(self.other.id, {"contributor"})
        self.theirs = self._proposal(theirs_author, replace(self.data, slug="theirs"), None)
        proposals.submit(
            session=session,
            actor=theirs_author,
            proposal_id=self.theirs,
            vocabulary=self.vocabulary,
        )
        uow.commit(session=session)

    def _proposal(self, author: Actor, data: PracticeData, base_slug: str | None) -> int:
        proposal = proposals.start(
            session=self.session,
            actor=Actor("user", author.user_id, frozenset({"contributor"})),
            data=data,
            base_slug=base_slug,
        )
        assert proposal.id is not None
        return proposal.id

    def _account(self, email: str, roles: set[str]) -> accounts.Account:
        return accounts.create(
            session=self.session,
            actor=Actor.system("tests"),
            email=email,
            display_name="Someone",
            roles=roles,
            password=PASSWORD,
        )

    @property
    def actor(self) -> Actor:
        return actor_for(self.who, self.me.id if self.me else SELF_ID)

    @property
    def own_id(self) -> int:
        return self.me.id if self.me else self.other.id

    def _unpublish(self, actor: Actor) -> Any:
        cid = self.collection.id or 0
        collections.set_state(
            session=self.session, actor=Actor.system("tests"), collection_id=cid, state="published"
        )
        return collections.set_state(
            session=self.session, actor=actor, collection_id=cid, state="draft"
        )

    def perform(self, action: str) -> None:
        s, actor, pid = self.session, self.actor, self.practice.id
        cid = self.collection.id or 0
        assert pid is not None
        calls: dict[str, Callable[[], Any]] = {
            "practice.create": lambda: practices.create(
                session=s,
                actor=actor,
                data=replace(self.data, slug="another-practice"),
                vocabulary=self.vocabulary,
            ),
            "practice.update": lambda: practices.update(
                session=s,
                actor=actor,
                practice_id=pid,
                expected_version=1,
                data=replace(self.data, title_en="A renamed practice"),
                vocabulary=self.vocabulary,
            ),
            "practice.set_state": lambda: practices.set_state(
                session=s, actor=actor, practice_id=pid, state="archived", expected_version=1
            ),
            "practice.delete": lambda: practices.delete(
                session=s, actor=actor, practice_id=pid, expected_version=1
            ),
            "content.import": lambda: apply(
                session=s, actor=actor, content=ContentSet(vocabulary=self.vocabulary)
            ),
            "user.list": lambda: accounts.list_accounts(session=s, actor=actor),
            "user.create": lambda: accounts.create(
                session=s,
                actor=actor,
                email="new@example.org",
                display_name="New",
                password=PASSWORD,
            ),
            "user.invite": lambda: account_links.invite(
                session=s,
                actor=actor,
                email="new@example.org",
                display_name="New",
                roles=(),
                secret="s3cret",
                link=lambda token: f"https://kb.example/{token}",
            ),
            "user.set_roles": lambda: accounts.set_roles(
                session=s, actor=actor, user_id=self.other.id, roles={"curator"}
            ),
            "user.deactivate": lambda: accounts.set_active(
                session=s, actor=actor, user_id=self.other.id, active=False
            ),
            "user.reactivate": lambda: accounts.set_active(
                session=s, actor=actor, user_id=self.other.id, active=True
            ),
            "audit.read": lambda: audit_reads.search(
                session=s, actor=actor, filters=audit_reads.AuditFilter()
            ),
            "account.edit": lambda: accounts.edit_profile(
                session=s,
                actor=actor,
                user_id=self.own_id,
                display_name="Renamed",
                language="en",
                email_notifications=False,
            ),
            "account.change_password": lambda: accounts.change_password(
                session=s,
                actor=actor,
                user_id=self.own_id,
                current=PASSWORD,
                new="another long passphrase",
            ),
            "token.create": lambda: api_tokens.create_token(
                session=s, actor=actor, user_id=self.own_id, name="mine"
            ),
            "token.revoke": lambda: api_tokens.revoke_token(
                session=s, actor=actor, token_id=self.token.id or 0
            ),
            "collection.create": lambda: collections.create(
                session=s, actor=actor, slug="another-collection", data=COLLECTION
            ),
            "collection.edit": lambda: collection_items.add_item(
                session=s, actor=actor, collection_id=cid, practice_slug=self.practice.slug
            ),
            "collection.publish": lambda: collections.set_state(
                session=s, actor=actor, collection_id=cid, state="published"
            ),
            "collection.unpublish": lambda: self._unpublish(actor),
            "webhook.read": lambda: webhook_admin.overview(session=s, actor=actor),
            "webhook.manage": lambda: webhooks.add(
                session=s, actor=actor, url="https://centre.example.org/hook", secret="s" * 16
            ),
        }
        calls.update(self._moderation_calls(s, actor))
        assert set(calls) == set(ACTIONS), "every action has a domain call in this test"
        calls[action]()

    def _moderation_calls(self, s: Session, actor: Actor) -> dict[str, Callable[[], Any]]:
        mine, theirs, vocabulary = self.mine, self.theirs, self.vocabulary

        def decide(decision: str) -> Callable[[], Any]:
            return lambda: reviews.decide(
                session=s,
                actor=actor,
                proposal_id=theirs,
                decision=decision,
                comment="Reason.",
                checklist=dict.fromkeys(reviews.CHECKLIST, True),
                vocabulary=vocabulary,
            )

        return {
            "proposal.create": lambda: proposals.start(
                session=s, actor=actor, data=replace(self.data, slug="new-one")
            ),
            "proposal.edit": lambda: proposals.save(
                session=s, actor=actor, proposal_id=mine, data=self.data
            ),
            "proposal.submit": lambda: proposals.submit(
                session=s, actor=actor, proposal_id=mine, vocabulary=vocabulary
            ),
            "proposal.withdraw": lambda: subjects.withdraw(
                session=s, actor=actor, proposal_id=mine
            ),
            "proposal.read": lambda: workflow.read(s, actor, mine),
            "proposal.comment": lambda: reviews.comment(
                session=s, actor=actor, proposal_id=mine, body="A remark."
            ),
            "proposal.rebase": lambda: subjects.rebase(session=s, actor=actor, proposal_id=mine),
            "proposal.approve": decide("approve"),
            "proposal.request_changes": decide("request_changes"),
            "proposal.reject": decide("reject"),
            "proposal.queue": lambda: reviews.queue(s, actor),
            "suggestion.manage": lambda: suggestions.open_ones(s, actor),
            "page.propose": lambda: page_proposals.start(session=s, actor=actor, data=self.page),
            "page.update": lambda: pages.publish(
                session=s, actor=actor, data=self.page, expected_version=1
            ),
            "practice.archive": lambda: history.archive(
                session=s, actor=actor, slug="test-practice"
            ),
            "practice.restore": lambda: history.unarchive(
                session=s, actor=actor, slug="archived-practice"
            ),
        }


@pytest.mark.parametrize("who", WHO)
def test_the_domain_enforces_the_table(
    who: str, app: Flask, session: Session, seed_content: Any
) -> None:
    """Every action, done by `who` through the domain functions: refused exactly as specified."""
    world = World(app, session, seed_content, who)
    outcomes: dict[str, str] = {}
    for action in ACTIONS:
        try:
            world.perform(action)
            outcomes[action] = "allowed"
        except PermissionDenied:
            outcomes[action] = "refused"
        finally:
            session.rollback()  # domain functions only flush: each action starts from the world
    expected = {a: "refused" if SPEC[(a, who)] == "-" else "allowed" for a in ACTIONS}
    assert outcomes == expected


# --- through HTTP ----------------------------------------------------------------------------

# Actions with a page or form; the others are domain and CLI only until their screens exist.
HTTP_ACTIONS = (
    "user.list",
    "user.invite",
    "user.set_roles",
    "user.deactivate",
    "user.reactivate",
    "audit.read",
    "account.edit",
    "token.create",
    "token.revoke",
    "collection.create",
    "collection.edit",
    "collection.publish",
    "collection.unpublish",
    "webhook.read",
    "webhook.manage",
    "account.change_password",
)


def _request(
    action: str, client: FlaskClient, auth: AuthActions, other_id: int, token_id: int
) -> Any:
    page = "/fr/login"  # a page anyone can open, for a CSRF token of this session
    forms: dict[str, tuple[str, dict[str, Any]]] = {
        "user.invite": (
            "/fr/admin/users/invite",
            {"email": "invited@example.org", "display_name": "Invited", "language": "fr"},
        ),
        "user.set_roles": (f"/fr/admin/users/{other_id}/roles", {"roles": ["curator"]}),
        "user.deactivate": (f"/fr/admin/users/{other_id}/deactivate", {}),
        "user.reactivate": (f"/fr/admin/users/{other_id}/reactivate", {}),
        "account.edit": (
            "/fr/account",
            {"display_name": "Renamed", "language": "en", "email_notifications": "y"},
        ),
        "account.change_password": (
            "/fr/account/password",
            {
                "current_password": PASSWORD,
                "new_password": "another long passphrase",
                "confirm": "another long passphrase",
            },
        ),
        "token.create": ("/fr/account/tokens", {"name": "sync"}),
        "token.revoke": (f"/fr/account/tokens/{token_id}/revoke", {}),
        "collection.create": (
            "/fr/collections/manage/new",
            {"slug": "made-by-http", "title_fr": "Une sélection", "title_en": "A selection"},
        ),
        "collection.edit": (
            "/fr/collections/manage/a-collection",
            {"title_fr": "Une sélection revue", "title_en": "A revised selection"},
        ),
        "collection.publish": ("/fr/collections/manage/a-collection/publish", {}),
        "collection.unpublish": ("/fr/collections/manage/a-collection/unpublish", {}),
        "webhook.manage": (
            "/fr/admin/webhooks/",
            {"url": "https://centre.example.org/hook", "secret": "s" * 16},
        ),
    }
    if action == "user.list":
        return client.get("/fr/admin/users")
    if action == "audit.read":
        return client.get("/fr/admin/audit")
    if action == "webhook.read":
        return client.get("/fr/admin/webhooks/")
    path, data = forms[action]
    return auth.post(path, data, page=page)


@pytest.mark.parametrize("who", WHO)
def test_http_enforces_the_table(
    who: str,
    client: FlaskClient,
    auth: AuthActions,
    make_account: Callable[..., Any],
    app: Flask,
) -> None:
    """Every action with a screen, done by `who` in a browser session: answered as specified."""
    other = make_account("contributor", email="other@example.org")
    me = None
    if who != "anonymous":
        me = make_account(*(() if who == "no-role" else (who,)), email="me@example.org")
        assert auth.login(me.user.email).status_code == 302
    with Session(db.get_engine(app)) as s:
        owner = me.id if me else other.id
        token, _ = api_tokens.create_token(
            session=s, actor=Actor.system("tests"), user_id=owner, name="t"
        )
        collections.create(
            session=s, actor=Actor.system("tests"), slug="a-collection", data=COLLECTION
        )
        s.commit()
        token_id = token.id or 0
    outcomes: dict[str, int] = {}
    for action in HTTP_ACTIONS:  # the password change comes last: it renews the session
        outcomes[action] = _request(action, client, auth, other.id, token_id).status_code
    if who == "anonymous":
        expected = dict.fromkeys(HTTP_ACTIONS, 302)  # to the sign-in page
    else:
        expected = {
            a: 403
            if SPEC[(a, who)] == "-"
            else outcomes[a]
            if outcomes[a] in (200, 201, 302)
            else -1
            for a in HTTP_ACTIONS
        }
    assert outcomes == expected


def test_every_action_with_a_screen_is_in_the_http_matrix(app: Flask) -> None:
    routed = {"admin", "account", "curation"}
    endpoints = {rule.endpoint.split(".")[0] for rule in app.url_map.iter_rules()}
    assert routed <= endpoints
    assert set(HTTP_ACTIONS) <= set(ACTIONS)


# Moderation screens: each row through its form, on the World's proposals. Anonymous
# visitors are sent to sign in (GET) or shown back what they typed with a 401 (POST).
MODERATION_HTTP: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("proposal.read", "GET", "/fr/moderation/proposals/{mine}", {}),
    ("proposal.comment", "POST", "/fr/moderation/proposals/{mine}/comments", {"body": "A remark"}),
    (
        "proposal.edit",
        "POST",
        "/fr/moderation/proposals/{mine}/edit",
        {"title_en": "Edited on screen", "action": "save"},
    ),
    (
        "proposal.create",
        "POST",
        "/fr/moderation/proposals/new",
        {"slug": "via-form", "title_fr": "Titre", "action": "save"},
    ),
    (
        "proposal.approve",
        "POST",
        "/fr/moderation/proposals/{theirs}/decision",
        {"decision": "approve", "checklist": list(reviews.CHECKLIST)},
    ),
    ("proposal.rebase", "POST", "/fr/moderation/proposals/{mine}/rebase", {}),
    ("proposal.withdraw", "POST", "/fr/moderation/proposals/{mine}/withdraw", {}),
    ("practice.archive", "POST", "/fr/moderation/practices/test-practice/archive", {}),
    ("practice.restore", "POST", "/fr/moderation/practices/archived-practice/unarchive", {}),
)


@pytest.mark.parametrize("who", WHO)
def test_http_enforces_the_moderation_rows(
    who: str,
    client: FlaskClient,
    auth: AuthActions,
    app: Flask,
    session: Session,
    seed_content: Any,
) -> None:
    world = World(app, session, seed_content, who)
    if world.me is not None:
        assert auth.login("me@example.org").status_code == 302
    outcomes, expected = {}, {}
    for action, method, path, data in MODERATION_HTTP:
        url = path.format(mine=world.mine, theirs=world.theirs)
        if method == "GET":
            response = client.get(url)
        else:
            response = auth.post(url, data, page="/fr/login")
        outcomes[action] = response.status_code
        if who == "anonymous":
            expected[action] = 302 if method == "GET" else 401
        elif SPEC[(action, who)] == "-":
            expected[action] = 403
        else:
            expected[action] = response.status_code if response.status_code in (200, 302) else -1
    assert outcomes == expected
