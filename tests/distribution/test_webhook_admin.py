"""The admins' webhook page: register, see deliveries and failures, disable/enable, redeliver."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from kb import db
from kb.models import AuditEvent, Webhook
from tests.conftest import AuthActions
from tests.receiver import SECRET, Receiver

PAGE = "/fr/admin/webhooks/"


@pytest.fixture
def admin(login: Callable[..., Any]) -> Any:
    return login("admin")


def _register(auth: AuthActions, url: str, secret: str = SECRET) -> Any:
    return auth.post(PAGE, {"url": url, "secret": secret}, page=PAGE)


def _hook(app: Flask) -> Webhook:
    with Session(db.get_engine(app)) as s:
        found = s.exec(select(Webhook)).one()
        s.expunge(found)
        return found


def _actions(app: Flask) -> list[str]:
    with Session(db.get_engine(app)) as s:
        rows = s.exec(select(AuditEvent.action).where(AuditEvent.target_kind == "webhook"))
        return list(rows)


def test_an_admin_registers_a_webhook_and_its_secret_is_never_shown_back(
    app: Flask, client: FlaskClient, auth: AuthActions, admin: Any
) -> None:
    response = _register(auth, "https://centre.example.org/kb-hook")
    assert response.status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert "https://centre.example.org/kb-hook" in page and SECRET not in page
    assert "défini (masqué)" in page
    assert _actions(app) == ["webhook.add"]


def test_a_generated_secret_is_shown_once_only(
    app: Flask, client: FlaskClient, auth: AuthActions, admin: Any
) -> None:
    response = _register(auth, "https://centre.example.org/kb-hook", secret="")
    assert response.status_code == 201
    shown = re.search(r'<code class="secret-once">([^<]+)</code>', response.get_data(as_text=True))
    assert shown and _hook(app).secret == shown.group(1) and len(shown.group(1)) >= 32
    assert shown.group(1) not in client.get(PAGE).get_data(as_text=True)
    assert shown.group(1) not in client.get(f"/fr/admin/webhooks/{_hook(app).id}").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("url", "secret", "message"),
    [
        ("ftp://centre.example.org/x", SECRET, "http:// ou https://"),
        ("https://centre.example.org/x", "court", "Entre 16 et 200 caractères"),
    ],
)
def test_bad_input_is_refused_in_french_and_what_was_typed_is_kept(
    client: FlaskClient, auth: AuthActions, admin: Any, url: str, secret: str, message: str
) -> None:
    response = _register(auth, url, secret)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert f'value="{url}"' in html


def test_failures_are_listed_and_redelivered_in_order(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    admin: Any,
    make_practice: Callable[..., Any],
    receiver: Receiver,  # noqa: F811
) -> None:
    assert _register(auth, receiver.url).status_code == 302
    hook = _hook(app)
    make_practice(slug="one")
    make_practice(slug="two")
    receiver.statuses = [500]
    runner = app.test_cli_runner()
    assert "0 delivered, 1 failed, 1 waiting" in runner.invoke(args=["webhook", "deliver"]).output
    listing = client.get(PAGE).get_data(as_text=True)
    assert "HTTP 500" in listing
    detail = client.get(f"/fr/admin/webhooks/{hook.id}").get_data(as_text=True)
    failing = detail[detail.index('id="failing-title"') : detail.index('id="recent-title"')]
    assert "published · practice one" in failing and "HTTP 500" in failing
    assert "<td>1</td>" in failing and "<td>500</td>" in failing  # attempts, last answer

    response = auth.post(f"/fr/admin/webhooks/{hook.id}/redeliver", page=PAGE)
    assert response.status_code == 302
    flashed = client.get(f"/fr/admin/webhooks/{hook.id}").get_data(as_text=True)
    assert "2 livrée(s), 0 en échec, 0 en attente" in flashed
    assert "Aucune livraison en échec." in flashed
    slugs = [payload["change"]["slug"] for payload in receiver.accepted()]
    assert slugs == ["one", "two"]
    assert _actions(app) == ["webhook.add", "webhook.redeliver"]


def test_a_disabled_webhook_receives_nothing_until_enabled_again(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    admin: Any,
    make_practice: Callable[..., Any],
    receiver: Receiver,  # noqa: F811
) -> None:
    _register(auth, receiver.url)
    hook = _hook(app)
    assert auth.post(f"/fr/admin/webhooks/{hook.id}/disable", page=PAGE).status_code == 302
    assert "Désactivé" in client.get(PAGE).get_data(as_text=True)
    make_practice(slug="one")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["webhook", "deliver"]).output.startswith("0 queued")
    assert auth.post(f"/fr/admin/webhooks/{hook.id}/enable", page=PAGE).status_code == 302
    assert "1 queued; 1 delivered" in runner.invoke(args=["webhook", "deliver"]).output
    assert [p["change"]["slug"] for p in receiver.accepted()] == ["one"]
    assert _actions(app) == ["webhook.add", "webhook.set_active", "webhook.set_active"]


@pytest.mark.parametrize("role", ["curator", "moderator", "contributor"])
def test_only_admins_reach_the_webhook_pages(
    app: Flask, client: FlaskClient, auth: AuthActions, login: Callable[..., Any], role: str
) -> None:
    login(role)
    assert client.get(PAGE).status_code == 403
    assert _register(auth, "https://centre.example.org/kb-hook").status_code in (400, 403)


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    assert client.get(PAGE).status_code == 302


def test_without_a_csrf_token_nothing_is_registered(
    app: Flask, client: FlaskClient, admin: Any
) -> None:
    response = client.post(PAGE, data={"url": "https://centre.example.org/x", "secret": SECRET})
    assert response.status_code == 400
    with Session(db.get_engine(app)) as s:
        assert s.exec(select(Webhook)).first() is None


def test_an_unknown_webhook_is_404(client: FlaskClient, auth: AuthActions, admin: Any) -> None:
    assert client.get("/fr/admin/webhooks/999").status_code == 404
    assert auth.post("/fr/admin/webhooks/999/redeliver", page=PAGE).status_code == 404


def test_the_english_page_is_in_english(client: FlaskClient, admin: Any) -> None:
    html = client.get("/en/admin/webhooks/").get_data(as_text=True)
    assert "Register a webhook" in html and "No webhook is registered yet." in html
