"""Per-client rate limits on /api/v1: per bearer token, else per client address (Flask-Limiter)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session

from kb import db
from kb.accounts import tokens as api_tokens
from kb.distribution import openapi
from kb.permissions import Actor
from tests.writes import committed


@pytest.fixture
def limited(make_app: Callable[..., Flask]) -> Flask:
    return make_app(KB_RATELIMIT_API_ANONYMOUS="3 per minute", KB_RATELIMIT_API="2 per minute")


def _token(app: Flask, make_account: Callable[..., Any], name: str) -> str:
    account = make_account("contributor", email=f"{name}@example.org")
    with Session(db.get_engine(app)) as s:
        _row, plain = committed(
            api_tokens.create_token, session=s, actor=Actor.system("tests"), user_id=account.id,
            name=name,
        )  # fmt: skip
    return str(plain)


def test_every_api_answer_says_where_the_client_stands(client: FlaskClient) -> None:
    first = client.get("/api/v1/collections")
    second = client.get("/api/v1/changes")
    assert first.headers["X-RateLimit-Limit"] == "600"
    assert int(first.headers["X-RateLimit-Remaining"]) == 599
    assert int(second.headers["X-RateLimit-Remaining"]) == 598  # one budget for the address
    assert 0 <= int(first.headers["X-RateLimit-Reset"]) <= 60


def test_over_the_limit_the_api_answers_429_in_its_error_shape_with_retry_after(
    limited: Flask,
) -> None:
    client = limited.test_client()
    assert [client.get("/api/v1/collections").status_code for _ in range(3)] == [200] * 3
    refused = client.get("/api/v1/search?q=x")
    assert refused.status_code == 429
    error = refused.get_json()["error"]
    assert error["status"] == 429 and error["code"] and "client address" in error["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Remaining"] == "0"


def test_each_token_has_its_own_budget_apart_from_the_address(
    limited: Flask, make_account: Callable[..., Any]
) -> None:
    client = limited.test_client()
    mine, theirs = _token(limited, make_account, "mine"), _token(limited, make_account, "theirs")
    for _ in range(3):
        client.get("/api/v1/collections")  # the address's budget is spent
    assert client.get("/api/v1/collections").status_code == 429

    def as_(token: str) -> Any:
        return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert [as_(mine).status_code for _ in range(2)] == [200, 200]
    over = as_(mine)
    assert over.status_code == 429 and "token" in over.get_json()["error"]["message"]
    assert as_(theirs).status_code == 200 and as_(theirs).headers["X-RateLimit-Limit"] == "2"


def test_pages_outside_the_api_are_not_counted(limited: Flask) -> None:
    client = limited.test_client()
    for _ in range(5):
        page = client.get("/fr/collections/")
        assert page.status_code == 200 and "X-RateLimit-Limit" not in page.headers
    assert client.get("/api/v1/collections").status_code == 200


def test_the_openapi_document_describes_the_limits_of_every_api_operation(
    client: FlaskClient,
) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    api = {path: ops for path, ops in spec["paths"].items() if path.startswith("/api/v1/")}
    assert api and len(api) == len([o for o in openapi.ROUTES if o.path.startswith("/api/v1/")])
    for path, ops in api.items():
        responses = ops["get"]["responses"]
        assert "Retry-After" in responses["429"]["headers"], path
        assert responses["429"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
        assert "X-RateLimit-Remaining" in responses["200"]["headers"], path
