"""The site says who publishes it: legal notice, privacy and accessibility statements (FR/EN)."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import CONTENT_DIR

PAGES = {
    "legal": ("Mentions légales", "Legal notice"),
    "privacy": ("Données personnelles et cookies", "Privacy and cookies"),
    "accessibility": ("Déclaration d'accessibilité", "Accessibility statement"),
}


def text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("slug", sorted(PAGES))
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_each_legal_page_exists_in_both_languages_and_is_linked_from_every_page(
    reader: FlaskClient, slug: str, lang: str
) -> None:
    page = text(reader.get(f"/{lang}/{slug}"))
    assert PAGES[slug][0 if lang == "fr" else 1] in page
    assert "{publisher}" not in page and "{site_name}" not in page
    assert f'href="/{lang}/{slug}"' in text(reader.get(f"/{lang}/"))


def test_without_a_declared_publisher_the_pages_say_so_plainly(reader: FlaskClient) -> None:
    page = text(reader.get("/fr/legal"))
    assert "aucun organisme éditeur n'est déclaré" in page
    assert "sources publiques citées sur chaque fiche" in page


def test_the_publisher_and_site_name_come_from_the_settings(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(KB_PUBLISHER="Ville de Testville", KB_SITE_NAME="Prévention en villes")
    assert app.test_cli_runner().invoke(args=["import", str(CONTENT_DIR)]).exit_code == 0
    client = app.test_client()
    page = text(client.get("/fr/accessibility"))
    assert "Ville de Testville" in page and "Prévention en villes" in page
    assert "non conforme" in page  # the RGAA status, stated without an audit
    assert "· Prévention en villes</title>" in text(client.get("/en/"))


def test_the_privacy_page_names_the_only_cookie(reader: FlaskClient) -> None:
    assert "kb_lang" in text(reader.get("/en/privacy"))


def test_the_director_of_publication_and_the_host_come_from_the_settings(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app(
        KB_PUBLICATION_DIRECTOR="la directrice générale des services de Testville",
        KB_HOST="Hébergeur Exemple SAS, 1 rue de l'Exemple, 67000 Strasbourg",
    )
    assert app.test_cli_runner().invoke(args=["import", str(CONTENT_DIR)]).exit_code == 0
    page = text(app.test_client().get("/fr/legal"))
    assert "la directrice générale des services de Testville" in page
    assert "Hébergeur Exemple SAS, 1 rue de l'Exemple, 67000 Strasbourg" in page
    assert "{publication_director}" not in page and "{host}" not in page


def test_without_them_the_legal_notice_says_they_are_not_declared(reader: FlaskClient) -> None:
    page = text(reader.get("/fr/legal"))
    assert "représentant légal de l'éditeur (son nom n'est pas encore déclaré)" in page
    assert "ne sont pas encore déclarés pour cette installation" in page
