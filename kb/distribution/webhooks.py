"""Webhooks: each public change is POSTed, signed, to every registered URL, in order.

`enqueue` turns the changes feed (`kb.changes`) after each webhook's cursor into rows of an
outbox (`WebhookDelivery`), one per change; `deliver` sends them. Per webhook, deliveries go in
change order: a failure keeps the later ones waiting until it succeeds, retried with exponential
backoff (30 s, 1 min, 2 min, … at most 6 h), so a receiver sees every change once, in order.

Each POST carries `X-KB-Signature-256: sha256=<hex>`, the HMAC-SHA256 of the body with the
webhook's secret, and `X-KB-Delivery` (a delivery id; a receiver may see one twice after a
timeout, never out of order).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from kb import audit
from kb.catalogue.records import UrlsFor
from kb.catalogue.validation import is_http_url
from kb.collections.reads import UrlFor
from kb.distribution import changes
from kb.errors import N_, FieldError, ValidationError
from kb.models import CollectionRevision, Webhook, WebhookDelivery, utcnow
from kb.permissions import Actor, require
from kb.search import index_sync as search

SIGNATURE_HEADER = "X-KB-Signature-256"
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=6)
TIMEOUT_SECONDS = 10.0
MIN_SECRET = 16
SECRET_MAX = 200
URL_MAX = 2000

# (url, body, headers) -> HTTP status; raises OSError when nothing answered
Sender = Callable[[str, bytes, Mapping[str, str]], int]


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0
    waiting: int = 0


def sign(secret: str, body: bytes) -> str:
    """The signature header value of `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """What a receiver does: compare in constant time."""
    return hmac.compare_digest(sign(secret, body), signature)


def add(*, session: Session, actor: Actor, url: str, secret: str) -> Webhook:
    """Register a webhook (flushed; audited); it receives the changes made from now on."""
    require(actor, "webhook.manage")
    errors = []
    if not is_http_url(url) or len(url) > URL_MAX:
        errors.append(FieldError("url", N_("Expected an http:// or https:// address.")))
    if len(secret) < MIN_SECRET or len(secret) > SECRET_MAX:
        errors.append(FieldError("secret", N_("Between 16 and 200 characters.")))
    if errors:
        raise ValidationError(errors)
    latest_revision = session.exec(select(func.max(CollectionRevision.id))).one() or 0
    hook = Webhook(
        url=url,
        secret=secret,
        cursor=search.latest_change_id(session),
        collection_cursor=int(latest_revision),
    )
    session.add(hook)
    session.flush()
    assert hook.id is not None
    audit.record(session, actor, audit.WebhookAdded(hook.id, url))
    session.flush()
    return hook


def all_webhooks(session: Session) -> list[Webhook]:
    return list(session.exec(select(Webhook).order_by(col(Webhook.id))))


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure."""
    wait: timedelta = BACKOFF_FIRST * (2 ** max(0, attempts - 1))
    return min(wait, BACKOFF_MAX)


def enqueue(
    *, session: Session, urls: UrlsFor, collection_url: UrlFor, page_size: int = 200
) -> int:
    """Add an outbox row for every public change after each active webhook's cursors.

    A delivery's `change_cursor` is its place in the webhook's outbox (practice and collection
    changes, in feed order); the change's own cursor travels in the payload.
    """
    added = 0
    for hook in session.exec(select(Webhook).where(col(Webhook.active))).all():
        assert hook.id is not None
        place = (
            session.exec(
                select(func.max(WebhookDelivery.change_cursor)).where(
                    WebhookDelivery.webhook_id == hook.id
                )
            ).one()
            or 0
        )
        while True:
            since = changes.Cursor(hook.cursor, hook.collection_cursor)
            page = changes.read(session, since=since, limit=page_size)
            for item in changes.to_json(session, page, urls=urls, collection_url=collection_url):
                place += 1
                session.add(
                    WebhookDelivery(
                        webhook_id=hook.id,
                        change_cursor=place,
                        event=item["type"],
                        payload=item,
                    )
                )
                added += 1
            hook.cursor = page.next_cursor.practices
            hook.collection_cursor = page.next_cursor.collections
            session.add(hook)
            session.commit()
            if page.caught_up:
                break
    return added


def deliver(
    *,
    session: Session,
    send: Sender | None = None,
    now: datetime | None = None,
    webhook_id: int | None = None,
) -> DeliveryReport:
    """Send every webhook's (or one's) due deliveries in change order; a failure stops it."""
    sender = send or http_send
    moment = now or utcnow()
    report = DeliveryReport()
    hooks = select(Webhook).where(col(Webhook.active))
    if webhook_id is not None:
        hooks = hooks.where(Webhook.id == webhook_id)
    for hook in session.exec(hooks).all():
        pending = session.exec(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == hook.id, WebhookDelivery.status == "pending")
            .order_by(col(WebhookDelivery.change_cursor))
        ).all()
        for position, delivery in enumerate(pending):
            if _aware(delivery.next_attempt_at) > moment:
                report.waiting += len(pending) - position
                break
            if not _attempt(session, hook, delivery, sender, moment):
                report.failed += 1
                report.waiting += len(pending) - position - 1
                break
            report.delivered += 1
    return report


def _attempt(
    session: Session, hook: Webhook, delivery: WebhookDelivery, send: Sender, now: datetime
) -> bool:
    body = json.dumps(
        {"webhook": hook.id, "delivery": delivery.id, "change": delivery.payload},
        ensure_ascii=False,
        sort_keys=True,
    ).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "kb-webhooks",
        "X-KB-Event": delivery.event,
        "X-KB-Delivery": str(delivery.id),
        SIGNATURE_HEADER: sign(hook.secret, body),
    }
    delivery.attempts += 1
    try:
        status = send(hook.url, body, headers)
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except OSError as exc:  # refused, timed out, DNS: the receiver did not answer
        status, error = 0, f"{type(exc).__name__}: {exc}"[:500]
    delivery.last_status = status or None
    delivery.last_error = error
    if error:
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    else:
        delivery.status = "delivered"
        delivery.delivered_at = now
    session.add(delivery)
    session.commit()
    return not error


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def http_send(url: str, body: bytes, headers: Mapping[str, str]) -> int:
    """POST with the standard library; any answer's status is returned, errors raise OSError."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


@dataclass(frozen=True)
class WebhookStatus:
    webhook: Webhook
    pending: int
    delivered: int
    last_error: str
    next_attempt_at: datetime | None


def status(session: Session) -> list[WebhookStatus]:
    """Each webhook with its outbox counts and its oldest pending failure, for the admin."""
    out = []
    for hook in all_webhooks(session):
        rows = session.exec(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == hook.id)
            .order_by(col(WebhookDelivery.change_cursor))
        ).all()
        pending = [d for d in rows if d.status == "pending"]
        first = pending[0] if pending else None
        out.append(
            WebhookStatus(
                hook,
                len(pending),
                len(rows) - len(pending),
                first.last_error if first else "",
                first.next_attempt_at if first and first.attempts else None,
            )
        )
    return out
