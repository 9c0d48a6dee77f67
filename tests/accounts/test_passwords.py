"""Passwords: long enough, hard to guess (zxcvbn's estimate), never built on the account's own
name or address, and refused with a reason in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from kb.accounts.passwords import check_password, own_words
from kb.errors import ValidationError
from tests.conftest import PASSWORD, AuthActions

EMAIL, NAME = "jean.dupont@example.org", "Jean Dupont"


def _reason(password: str) -> str:
    with pytest.raises(ValidationError) as refused:
        check_password(password, own=own_words(EMAIL, NAME))
    [error] = refused.value.errors
    return error.message


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("aaaaaaaaaaaa", "repeats"),
        ("password1234", "common password"),
        ("motdepasse123", "common password"),
        ("azertyuiop12", "common password"),
        ("qwertyuiop[]", "row of the keyboard"),
        ("abcdefghijklmnop", "sequence"),
    ],
)
def test_guessable_passwords_are_refused_with_the_reason(password: str, reason: str) -> None:
    assert reason in _reason(password)


@pytest.mark.parametrize(
    "password", [EMAIL, "jean.dupont2024!", "Dupont et ses amis", "mon nom est JEAN DUPONT"]
)
def test_a_password_built_on_the_accounts_own_name_or_address_is_refused(password: str) -> None:
    assert _reason(password) == "must not contain your name or your e-mail address"


@pytest.mark.parametrize(
    "password", [PASSWORD, "une phrase de passe assez longue", "Kx9!mQ2#vL7pR"]
)
def test_hard_to_guess_passwords_are_accepted(password: str) -> None:
    check_password(password, own=own_words(EMAIL, NAME))


def test_a_password_longer_than_the_estimator_reads_is_still_checked() -> None:
    check_password("a" + PASSWORD * 30)  # zxcvbn reads 72 characters: no error, no crash
    assert "at most 1024" in _reason("x" * 1025)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", "trop facile à deviner"),
        ("en", "too easy to guess"),
    ],
)
def test_the_account_page_says_why_in_the_readers_language(
    client: FlaskClient, auth: AuthActions, login: Callable[..., Any], lang: str, expected: str
) -> None:
    login("contributor")
    response = auth.post(
        f"/{lang}/account/password",
        {"current_password": PASSWORD, "new_password": "password1234", "confirm": "password1234"},
        page=f"/{lang}/account",
    )
    assert response.status_code == 422
    assert expected in response.get_data(as_text=True)
