"""The admins' side of webhooks: see subscriptions and deliveries, disable or enable, redeliver.

Registering is `kb.webhooks.add`. Every function checks `kb.permissions` (`webhook.read`,
`webhook.manage`); writers audit in the caller's transaction and flush (the caller commits).
A secret is never read back here: the page only says that one is set.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import Session, col, select

from kb import audit
from kb.distribution import webhooks
from kb.errors import N_, NotFound
from kb.models import Webhook, WebhookDelivery, utcnow
from kb.permissions import Actor, require

RECENT = 50


def new_secret() -> str:
    """A secret for an admin who leaves the field empty (shown once, then never again)."""
    return secrets.token_urlsafe(32)


def overview(*, session: Session, actor: Actor) -> list[webhooks.WebhookStatus]:
    """Every webhook with its outbox counts and oldest pending failure."""
    require(actor, "webhook.read")
    return webhooks.status(session)


@dataclass(frozen=True)
class Deliveries:
    webhook: Webhook
    failing: list[WebhookDelivery]  # pending after at least one attempt, oldest change first
    recent: list[WebhookDelivery]  # the latest deliveries, newest first
    pending: int


def get(session: Session, webhook_id: int) -> Webhook:
    found = session.get(Webhook, webhook_id)
    if found is None:
        raise NotFound(N_("no webhook with id %(webhook_id)s"), webhook_id=webhook_id)
    return found


def deliveries(*, session: Session, actor: Actor, webhook_id: int) -> Deliveries:
    """A webhook's failing deliveries (what redelivery will send, in order) and recent ones."""
    require(actor, "webhook.read")
    hook = get(session, webhook_id)
    pending = list(
        session.exec(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.status == "pending")
            .order_by(col(WebhookDelivery.change_cursor))
        )
    )
    recent = list(
        session.exec(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == webhook_id)
            .order_by(col(WebhookDelivery.change_cursor).desc())
            .limit(RECENT)
        )
    )
    return Deliveries(hook, [d for d in pending if d.attempts], recent, len(pending))


def set_active(*, session: Session, actor: Actor, webhook_id: int, active: bool) -> Webhook:
    """Disable (nothing is queued or sent) or enable again (it catches up from its cursor)."""
    require(actor, "webhook.manage")
    hook = get(session, webhook_id)
    if hook.active == active:
        return hook
    hook.active = active
    session.add(hook)
    audit.record(session, actor, audit.WebhookActivated(webhook_id, hook.url, active))
    session.flush()
    return hook


def redeliver(*, session: Session, actor: Actor, webhook_id: int) -> int:
    """Make every pending delivery of a webhook due now, in change order; how many."""
    require(actor, "webhook.manage")
    hook = get(session, webhook_id)
    now = utcnow()
    due = list(
        session.exec(
            select(WebhookDelivery).where(
                WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.status == "pending"
            )
        )
    )
    for delivery in due:
        delivery.next_attempt_at = now
        session.add(delivery)
    audit.record(session, actor, audit.WebhookRedelivered(webhook_id, hook.url, len(due)))
    session.flush()
    return len(due)
