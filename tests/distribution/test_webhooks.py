"""Webhooks deliver every public change, signed, in order, to a real local HTTP receiver."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlmodel import Session

from kb.catalogue import practices, taxonomy
from kb.catalogue.reads import to_data
from kb.collections import collections
from kb.collections import items as collection_items
from kb.distribution import webhooks
from kb.models import utcnow
from tests.receiver import SECRET, Receiver
from tests.writes import committed


def _edit(session: Session, practice: Any, summary: str) -> Any:
    return committed(
        practices.update,
        session=session,
        index=None,
        practice_id=practice.id,
        data=replace(to_data(session, practice), summary_en=summary),
        expected_version=practice.version,
        vocabulary=taxonomy.load(session),
    )


def _enqueue(session: Session) -> int:
    """Queue the waiting changes (inside a request context: records carry absolute URLs)."""
    from kb.web.record_urls import practice_urls, record_url

    return webhooks.enqueue(session=session, urls=practice_urls, collection_url=record_url)


def test_changes_are_delivered_signed_in_order_after_retries(
    app: Flask,
    runner: FlaskCliRunner,
    make_practice: Callable[..., Any],
    session: Session,
    receiver: Receiver,
) -> None:
    added = runner.invoke(args=["webhook", "add", receiver.url, "--secret-stdin"], input=SECRET)
    assert added.exit_code == 0, added.output
    one = make_practice(slug="one")
    receiver.statuses = [500, 503]

    first = runner.invoke(args=["webhook", "deliver"])
    assert "1 queued; 0 delivered, 1 failed, 0 waiting" in first.output
    listed = runner.invoke(args=["webhook", "list"]).output
    assert "0 delivered, 1 pending, last error: HTTP 500" in listed

    make_practice(slug="two")
    _edit(session, one, "Edited once.")
    with app.test_request_context():
        assert _enqueue(session) == 2
        early = webhooks.deliver(session=session)  # the backoff has not passed: nothing is sent
        assert (early.delivered, early.failed, len(receiver.requests)) == (0, 0, 1)
        later = webhooks.deliver(session=session, now=utcnow() + timedelta(minutes=1))
        assert (later.delivered, later.failed, later.waiting) == (0, 1, 2)  # 503: order holds
        last = webhooks.deliver(session=session, now=utcnow() + timedelta(hours=1))
        assert (last.delivered, last.failed, last.waiting) == (3, 0, 0)

    attempts = [headers["X-KB-Delivery"] for headers, _, _ in receiver.requests]
    assert attempts[0] == attempts[1] == attempts[2]  # the same delivery retried before the next
    for headers, body, _ in receiver.requests:
        assert webhooks.verify(SECRET, body, headers[webhooks.SIGNATURE_HEADER])
        assert headers["Content-Type"] == "application/json"
    changes = [payload["change"] for payload in receiver.accepted()]
    cursors = [int(c["cursor"]) for c in changes]
    assert cursors == sorted(cursors) and len(set(cursors)) == 3
    assert [(c["type"], c["slug"]) for c in changes] == [
        ("published", "one"),
        ("published", "two"),
        ("updated", "one"),
    ]
    assert changes[-1]["record"]["summary_en"] == "Edited once."
    assert "3 delivered, 0 pending" in runner.invoke(args=["webhook", "list"]).output


def test_collection_changes_are_delivered_like_practice_changes(
    app: Flask,
    make_practice: Callable[..., Any],
    session: Session,
    receiver: Receiver,
) -> None:
    one = make_practice(slug="one")
    committed(webhooks.add, session=session, url=receiver.url, secret=SECRET)
    draft = committed(
        collections.create,
        session=session,
        slug="pack",
        data=collections.CollectionData("Dossier", "Pack"),
    )
    committed(
        collection_items.add_item, session=session, collection_id=draft.id, practice_slug="one"
    )
    committed(collections.set_state, session=session, collection_id=draft.id, state="published")
    committed(
        practices.set_state,
        session=session,
        practice_id=one.id,
        state="archived",
        expected_version=one.version,
    )
    with app.test_request_context():
        assert _enqueue(session) == 2
        assert webhooks.deliver(session=session).delivered == 2
    changes = [payload["change"] for payload in receiver.accepted()]
    assert [(c["kind"], c["type"], c["slug"]) for c in changes] == [
        ("practice", "archived", "one"),
        ("collection", "published", "pack"),  # told once, in its current state
    ]
    assert changes[1]["record"]["items"][0]["status"] == "archived"
    assert "Dossier" not in json.dumps(changes[0])  # drafts never travel


def test_a_receiver_that_does_not_answer_is_retried_later(
    app: Flask, runner: FlaskCliRunner, make_practice: Callable[..., Any], session: Session
) -> None:
    hook = committed(
        webhooks.add, session=session, url="http://127.0.0.1:9/nothing-listens", secret=SECRET
    )
    make_practice(slug="one")
    with app.test_request_context():
        assert _enqueue(session) == 1
        report = webhooks.deliver(session=session)
    assert (report.delivered, report.failed) == (0, 1)
    status = webhooks.status(session)[0]
    assert status.webhook.id == hook.id and status.pending == 1
    assert status.last_error.startswith(("URLError", "ConnectionRefusedError"))
    assert webhooks.backoff(1) == timedelta(seconds=30)
    assert webhooks.backoff(30) == timedelta(hours=6)


@pytest.mark.parametrize(
    ("url", "secret", "message"),
    [("ftp://example.org/x", SECRET, "url"), ("https://example.org/hook", "short", "secret")],
)
def test_a_bad_webhook_is_refused_with_a_clear_message(
    runner: FlaskCliRunner, url: str, secret: str, message: str
) -> None:
    result = runner.invoke(args=["webhook", "add", url, "--secret-stdin"], input=secret)
    assert result.exit_code == 1 and message in result.output


def test_the_signature_is_hmac_sha256_of_the_body() -> None:
    import hashlib
    import hmac

    body = b'{"change": 1}'
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert webhooks.sign(SECRET, body) == expected
    assert webhooks.verify(SECRET, body, expected) and not webhooks.verify("x" * 20, body, expected)
