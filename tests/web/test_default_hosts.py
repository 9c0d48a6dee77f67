"""Secure by default: with KB_TRUSTED_HOSTS unset kb answers only loopback names and the host of
KB_BASE_URL, and links in e-mail come from KB_BASE_URL, never from the Host header."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select

from kb import db
from kb.models import MailMessage
from kb.web.urls import listening_warning
from tests.conftest import csrf_token_of

EVIL = "attacker.example"
BASE = "https://kb.example.org"


def _outbox(app: Flask) -> list[MailMessage]:
    with Session(db.get_engine(app)) as s:
        return list(s.exec(select(MailMessage)))


def _request_reset(app: Flask, email: str, host: str) -> Any:
    client = app.test_client()
    page = client.get("/en/password/reset", headers={"Host": host})
    assert page.status_code == 200
    return client.post(
        "/en/password/reset",
        data={"email": email, "csrf_token": csrf_token_of(page.get_data(as_text=True))},
        headers={"Host": host},
    )


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:5000", "localhost:8000"])
def test_loopback_names_are_answered_by_default(app: Flask, host: str) -> None:
    assert app.test_client().get("/robots.txt", headers={"Host": host}).status_code == 200


def test_any_other_host_gets_a_400_by_default(app: Flask) -> None:
    assert app.test_client().get("/robots.txt", headers={"Host": EVIL}).status_code == 400


def test_the_host_of_kb_base_url_is_answered_without_a_trusted_host_list(
    make_app: Callable[..., Flask],
) -> None:
    client = make_app(KB_BASE_URL=BASE).test_client()
    assert client.get("/robots.txt", headers={"Host": "kb.example.org"}).status_code == 200
    assert client.get("/robots.txt", headers={"Host": EVIL}).status_code == 400


def test_a_star_answers_any_host(make_app: Callable[..., Flask]) -> None:
    client = make_app(KB_TRUSTED_HOSTS="*").test_client()
    assert client.get("/robots.txt", headers={"Host": EVIL}).status_code == 200


def test_a_reset_request_for_a_forged_host_sends_no_link_by_default(
    app: Flask, make_account: Callable[..., Any]
) -> None:
    account = make_account("moderator")
    client = app.test_client()
    response = client.post(
        "/en/password/reset", data={"email": account.user.email}, headers={"Host": EVIL}
    )
    assert response.status_code == 400
    assert _outbox(app) == []


@pytest.mark.parametrize("known", [True, False])
def test_a_mail_link_without_kb_base_url_is_refused_with_a_message_for_the_operator(
    make_app: Callable[..., Flask],
    make_account: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
    known: bool,
) -> None:
    app = make_app(KB_TRUSTED_HOSTS="kb.example.org, .example.org")
    email = make_account("moderator").user.email if known else "nobody@example.org"
    with caplog.at_level(logging.ERROR, logger="kb.web.urls"):
        response = _request_reset(app, email, "sub.example.org")
    # The same answer whether the account exists or not: the refusal reveals no address.
    assert response.status_code == 503
    assert "KB_BASE_URL" in response.get_data(as_text=True)
    assert _outbox(app) == []
    assert any("KB_BASE_URL" in r.getMessage() for r in caplog.records)


def test_mail_links_are_built_on_kb_base_url_whatever_the_host(
    make_app: Callable[..., Flask], make_account: Callable[..., Any]
) -> None:
    app = make_app(KB_BASE_URL=BASE, KB_TRUSTED_HOSTS="*")
    account = make_account("moderator")
    assert _request_reset(app, account.user.email, EVIL).status_code == 302
    [message] = _outbox(app)
    assert f"{BASE}/en/password/set/" in message.body and EVIL not in message.body


def test_kb_serve_warns_when_it_listens_beyond_loopback_with_the_default_hosts(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(KB_BASE_URL=BASE)
    warning = listening_warning(app, "0.0.0.0")
    assert warning is not None and "KB_TRUSTED_HOSTS" in warning and "kb.example.org" in warning
    assert listening_warning(app, "127.0.0.1") is None
    assert listening_warning(make_app(KB_TRUSTED_HOSTS="kb.example.org"), "0.0.0.0") is None
