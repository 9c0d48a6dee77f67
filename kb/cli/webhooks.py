"""`kb webhook`: add, list and deliver the signed POSTs of public changes."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from kb import db, uow
from kb.cli import running_app
from kb.db import session_scope
from kb.distribution import webhooks
from kb.errors import ValidationError
from kb.permissions import Actor
from kb.web.record_urls import practice_urls, record_url

# --- webhooks ---------------------------------------------------------------------------------


@click.group("webhook")
def webhook_group() -> None:
    """Webhooks: signed POSTs of every public change (admins also use /<lang>/admin/webhooks)."""


@webhook_group.command("add")
@click.argument("url")
@click.option("--secret-stdin", is_flag=True, required=True, help="Read the secret from stdin.")
@with_appcontext
def webhook_add(url: str, secret_stdin: bool) -> None:
    """Register URL; the secret (16+ characters) is read from standard input, never argv."""
    secret = sys.stdin.readline().strip() if secret_stdin else ""
    with session_scope(db.get_engine(running_app())) as session:
        try:
            hook = webhooks.add(
                session=session, actor=Actor.system("kb webhook add"), url=url, secret=secret
            )
        except ValidationError as exc:
            click.echo(f"webhook not added: {exc.message}", err=True)
            sys.exit(1)
        uow.commit(session=session)
        click.echo(f"webhook {hook.id} added for {hook.url} (changes after {hook.cursor})")


@webhook_group.command("list")
@with_appcontext
def webhook_list() -> None:
    """List webhooks with their pending deliveries and last failure."""
    with session_scope(db.get_engine(running_app())) as session:
        for row in webhooks.status(session):
            retry = f", next try {row.next_attempt_at.isoformat()}" if row.next_attempt_at else ""
            error = f", last error: {row.last_error}" if row.last_error else ""
            click.echo(
                f"{row.webhook.id}\t{row.webhook.url}\tcursor {row.webhook.cursor}\t"
                f"{row.delivered} delivered, {row.pending} pending{error}{retry}"
            )


@webhook_group.command("deliver")
@with_appcontext
def webhook_deliver() -> None:
    """Queue the new public changes for every webhook and send what is due (run from cron)."""
    app = running_app()
    with app.test_request_context(), session_scope(db.get_engine(app)) as session:
        queued = webhooks.enqueue(
            session=session, urls=practice_urls, collection_url=record_url
        )
        report = webhooks.deliver(session=session)
    click.echo(
        f"{queued} queued; {report.delivered} delivered, {report.failed} failed, "
        f"{report.waiting} waiting"
    )


COMMANDS = (webhook_group,)
