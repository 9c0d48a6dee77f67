"""`kb user …` and `kb mail …`: thin calls into kb.accounts and kb.mail, as the system actor.

Whoever runs the CLI controls the instance, so these commands act as `Actor.system`; the first
admin of a new instance is made with `kb user create … --role admin --password-stdin`.
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from kb import db, mail, uow
from kb.accounts import accounts
from kb.accounts import tokens as api_tokens
from kb.cli import running_app
from kb.db import session_scope
from kb.errors import KBError
from kb.permissions import ROLES, Actor


def _fail(error: KBError) -> None:
    click.echo(f"error: {error.message}", err=True)
    sys.exit(1)


def _account(session: object, email: str) -> accounts.Account:
    account = accounts.find_by_email(session, email)  # type: ignore[arg-type]
    if account is None:
        click.echo(f"error: no account uses {email!r} (see `kb user list`)", err=True)
        sys.exit(1)
    return account


role_option = click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(ROLES),
    help="A role to give (repeat for several).",
)


@click.group("user")
def user_group() -> None:
    """Accounts: create, list, roles, deactivate, API tokens."""


@user_group.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@role_option
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--language", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@with_appcontext
def user_create(
    email: str, name: str, roles: tuple[str, ...], password_stdin: bool, language: str
) -> None:
    """Create an account (with --password-stdin, ready to sign in)."""
    if not password_stdin:
        click.echo("error: give the password on standard input with --password-stdin", err=True)
        sys.exit(2)
    password = sys.stdin.readline().rstrip("\r\n")
    with session_scope(db.get_engine(running_app())) as session:
        try:
            account = accounts.create(
                session=session,
                actor=Actor.system("kb user create"),
                email=email,
                display_name=name,
                roles=set(roles),
                password=password,
                language=language,
            )
        except KBError as error:
            _fail(error)
        uow.commit(session=session)
    click.echo(
        f"account {account.user.email} created (roles: {', '.join(sorted(roles)) or 'none'})"
    )


@user_group.command("list")
@with_appcontext
def user_list() -> None:
    """List the accounts: e-mail, name, roles, state."""
    with session_scope(db.get_engine(running_app())) as session:
        listing = accounts.list_accounts(session=session, actor=Actor.system("kb user list"))
    for account in listing:
        state = "active" if account.user.active else "deactivated"
        if account.user.active and not account.user.password_hash:
            state = "invited"
        roles = ",".join(sorted(account.roles)) or "-"
        click.echo(f"{account.user.email}\t{account.user.display_name}\t{roles}\t{state}")


@user_group.command("set-role")
@click.argument("email")
@click.argument("roles", nargs=-1, type=click.Choice(ROLES))
@with_appcontext
def user_set_role(email: str, roles: tuple[str, ...]) -> None:
    """Give EMAIL exactly the ROLES listed (none listed: no role)."""
    with session_scope(db.get_engine(running_app())) as session:
        account = _account(session, email)
        try:
            accounts.set_roles(
                session=session,
                actor=Actor.system("kb user set-role"),
                user_id=account.id,
                roles=set(roles),
            )
        except KBError as error:
            _fail(error)
        uow.commit(session=session)
    click.echo(f"{account.user.email}: roles {', '.join(sorted(roles)) or 'none'}")


@user_group.command("deactivate")
@click.argument("email")
@with_appcontext
def user_deactivate(email: str) -> None:
    """Deactivate an account (its sessions and tokens stop working; nothing is deleted)."""
    with session_scope(db.get_engine(running_app())) as session:
        account = _account(session, email)
        accounts.set_active(
            session=session,
            actor=Actor.system("kb user deactivate"),
            user_id=account.id,
            active=False,
        )
        uow.commit(session=session)
    click.echo(f"{account.user.email} deactivated")


@user_group.command("token")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for.")
@with_appcontext
def user_token(email: str, name: str) -> None:
    """Create an API token for EMAIL and print it once."""
    with session_scope(db.get_engine(running_app())) as session:
        account = _account(session, email)
        try:
            _token, plain = api_tokens.create_token(
                session=session,
                actor=Actor.system("kb user token"),
                user_id=account.id,
                name=name,
            )
        except KBError as error:
            _fail(error)
        uow.commit(session=session)
    click.echo(plain)


@click.group("mail")
def mail_group() -> None:
    """The e-mail outbox."""


@mail_group.command("outbox")
@with_appcontext
def mail_outbox() -> None:
    """List the messages not sent yet (with their text: links included)."""
    with session_scope(db.get_engine(running_app())) as session:
        messages = mail.pending(session)
    if not messages:
        click.echo("outbox empty")
    for message in messages:
        click.echo(
            f"--- #{message.id} to {message.to_address} ({message.purpose}, "
            f"{message.attempts} attempt(s)): {message.subject}"
        )
        click.echo(message.body)


@mail_group.command("send")
@with_appcontext
def mail_send() -> None:
    """Send the pending messages through KB_SMTP_URL."""
    app = running_app()
    if not app.config.get("KB_SMTP_URL"):
        click.echo("error: KB_SMTP_URL is not set; nothing can be sent", err=True)
        sys.exit(1)
    with session_scope(db.get_engine(app)) as session:
        sent = mail.deliver(
            session, smtp_url=app.config["KB_SMTP_URL"], sender=app.config["KB_MAIL_FROM"]
        )
        left = len(mail.pending(session))
    click.echo(f"{sent} message(s) sent, {left} still pending")


COMMANDS = (user_group, mail_group)
