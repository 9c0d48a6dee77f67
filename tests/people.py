"""People using the web app's forms as a browser does: signed in, each with their own client.

Shared by the tests of several areas (moderation, page editing, translations)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from kb.moderation.reviews import CHECKLIST
from tests.conftest import AuthActions

FORM: dict[str, Any] = {
    "slug": "dialogue-evenings",
    "title_fr": "Soirées de dialogue entre voisins",
    "title_en": "Neighbourhood dialogue evenings",
    "summary_fr": "La ville réunit chaque mois des habitants pour parler du vivre-ensemble.",
    "summary_en": "The city brings residents together every month to talk about living together.",
    "language": "en",
    "cities": "Testville",
    "country": "FR",
    "themes": ["social-cohesion"],
    "lead_organisation": "City of Testville",
    "status": "ongoing",
    "evidence_level": "none-found",
    "body": "## Context\n\nResidents meet every month.\n",
    "sources-0-title": "City page",
    "sources-0-url": "https://example.org/dialogue",
}


class Person:
    def __init__(self, app: Flask, account: Any) -> None:
        self.account, self.client = account, app.test_client()
        self.auth = AuthActions(self.client)
        assert self.auth.login(account.user.email).status_code == 302

    def post(self, path: str, data: dict[str, Any], page: str = "/fr/moderation/") -> Any:
        return self.auth.post(path, data, page=page)

    def get(self, path: str) -> Any:
        return self.client.get(path)


@pytest.fixture
def team(app: Flask, make_account: Callable[..., Any], vocabulary_loaded: Any) -> dict[str, Person]:
    return {
        role: Person(app, make_account(*roles, email=f"{role}@example.org", name=role.title()))
        for role, roles in (
            ("writer", ("contributor",)),
            ("mod1", ("moderator",)),
            ("mod2", ("moderator",)),
            ("admin", ("admin",)),
        )
    }


def proposal_id(response: Any) -> int:
    match = re.search(r"/proposals/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def approve(person: Person, pid: int, **extra: Any) -> Any:
    data = {"decision": "approve", "checklist": list(CHECKLIST), **extra}
    return person.post(f"/fr/moderation/proposals/{pid}/decision", data)
