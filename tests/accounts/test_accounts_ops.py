"""Operating accounts: `kb user` and `kb mail`, real SMTP delivery, the 0002 upgrade."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from alembic import command
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from kb import db
from kb.accounts import accounts
from kb.accounts import links as account_links
from kb.models import AuditEvent, MailMessage
from kb.permissions import Actor
from tests.conftest import PASSWORD, AuthActions


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1, for the duration of one test."""
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


# --- the command line --------------------------------------------------------------------------


def test_the_first_admin_is_made_at_the_command_line_and_can_sign_in(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(
        args=[
            "user",
            "create",
            "admin@example.org",
            "--name",
            "Admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "admin@example.org created (roles: admin)" in result.output
    assert AuthActions(app.test_client()).login("admin@example.org").status_code == 302
    listing = runner.invoke(args=["user", "list"])
    assert "admin@example.org\tAdmin\tadmin\tactive" in listing.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["user", "create", "x@example.org", "--name", "X", "--password-stdin"],
            "short\n",
            "password: at least 12 characters",
        ),
        (
            ["user", "create", "not-an-address", "--name", "X", "--password-stdin"],
            PASSWORD,
            "email: expected an e-mail address",
        ),
        (["user", "create", "x@example.org", "--name", "X"], "", "--password-stdin"),
        (["user", "set-role", "ghost@example.org", "moderator"], "", "no account uses"),
    ],
)
def test_a_bad_command_says_what_is_wrong_in_one_line(
    runner: FlaskCliRunner, args: list[str], stdin: str, message: str
) -> None:
    result = runner.invoke(args=args, input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_roles_deactivation_and_tokens_from_the_command_line(
    app: Flask, runner: FlaskCliRunner, make_account: Callable[..., Any]
) -> None:
    account = make_account("contributor", email="c@example.org")
    assert (
        runner.invoke(args=["user", "set-role", "c@example.org", "moderator", "curator"]).exit_code
        == 0
    )
    with Session(db.get_engine(app)) as s:
        assert accounts.roles_of(s, account.id) == {"moderator", "curator"}
    token = runner.invoke(args=["user", "token", "c@example.org", "--name", "sync"]).output.strip()
    client = app.test_client()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert runner.invoke(args=["user", "deactivate", "c@example.org"]).exit_code == 0
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    with Session(db.get_engine(app)) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.actor_kind == "system")).all()
    assert {e.action for e in events} >= {"user.set_roles", "token.create", "user.deactivate"}
    cli_events = [e for e in events if e.action != "user.create"]
    assert cli_events and all(e.detail["via"].startswith("kb user") for e in cli_events)


def test_the_outbox_lists_pending_messages_with_their_links(
    app: Flask, runner: FlaskCliRunner, make_account: Callable[..., Any]
) -> None:
    make_account(email="r@example.org")
    with Session(db.get_engine(app)) as s:
        account_links.request_reset(
            session=s, email="r@example.org", secret="k", link=lambda t: f"https://kb.example/{t}"
        )
        s.commit()
    output = runner.invoke(args=["mail", "outbox"]).output
    assert "to r@example.org (reset" in output and "https://kb.example/" in output
    assert runner.invoke(args=["mail", "send"]).exit_code == 1  # no KB_SMTP_URL


# --- real SMTP ---------------------------------------------------------------------------------


def test_an_invitation_is_delivered_by_smtp_after_the_commit(
    make_app: Callable[..., Flask], smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    app = make_app(KB_SMTP_URL=f"smtp://127.0.0.1:{port}", KB_MAIL_FROM="kb <kb@example.org>")
    with Session(db.get_engine(app)) as s:
        accounts.create(
            session=s,
            actor=Actor.system("t"),
            email="admin@example.org",
            display_name="A",
            roles={"admin"},
            password=PASSWORD,
        )
        s.commit()
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("admin@example.org")
    response = auth.post(
        "/en/admin/users/invite",
        {
            "email": "guest@example.org",
            "display_name": "Guest",
            "language": "en",
            "roles": ["curator"],
        },
        page="/en/admin/users",
    )
    assert response.status_code == 302
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == ["guest@example.org"]
    body = envelope.content.decode()
    assert "Subject: Your invitation to the kb knowledge base" in body
    assert "/en/password/set/" in body
    with Session(db.get_engine(app)) as s:
        [row] = s.exec(select(MailMessage)).all()
        assert row.sent_at is not None


def test_a_mail_server_that_is_down_never_fails_the_request_and_keeps_the_message(
    make_app: Callable[..., Flask], make_account: Callable[..., Any]
) -> None:
    app = make_app(KB_SMTP_URL=f"smtp://127.0.0.1:{_free_port()}")
    with Session(db.get_engine(app)) as s:
        accounts.create(
            session=s,
            actor=Actor.system("t"),
            email="u@example.org",
            display_name="U",
            password=PASSWORD,
        )
        s.commit()
    client = app.test_client()
    auth = AuthActions(client)
    response = client.post(
        "/fr/password/reset",
        data={"email": "u@example.org", "csrf_token": auth.token("/fr/password/reset")},
    )
    assert response.status_code == 302
    with Session(db.get_engine(app)) as s:
        [row] = s.exec(select(MailMessage)).all()
        assert row.sent_at is None and row.attempts == 1 and row.last_error


# --- schema ------------------------------------------------------------------------------------


def test_upgrading_a_0001_database_with_the_seed_content_loses_nothing(seeded: Flask) -> None:
    engine = db.get_engine(seeded)

    def practices_now() -> dict[str, tuple[Any, ...]]:
        # Only the columns revision 0001 has: the comparison must hold at both ends.
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT slug, version, title_fr, body, state FROM practice"))
            return {row[0]: tuple(row[1:]) for row in rows}

    before = practices_now()
    engine.dispose()
    # The schema of last month's instances.
    command.downgrade(db.alembic_config(engine), "0001_initial_schema")
    assert "user_role" not in inspect(engine).get_table_names()
    assert practices_now() == before
    db.upgrade(engine)
    assert practices_now() == before and len(before) >= 37
    assert {"user_role", "api_token", "audit_event", "mail_message"} <= set(
        inspect(engine).get_table_names()
    )
