"""A new instance's first admin, in a real Chromium: sign in, invite a contributor, who sets a
password through the e-mailed link and signs in; every account page passes axe."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser_support import LiveServer, axe_violations, describe
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, select

from kb import db
from kb.models import MailMessage

pytestmark = pytest.mark.browser

ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.org", "a long passphrase for the first account"
GUEST_EMAIL, GUEST_PASSWORD = "contributrice@example.org", "une phrase de passe assez longue"


def sign_in(page: Page, live_server: LiveServer, email: str, password: str) -> None:
    page.goto(live_server("/fr/login"))
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mon compte")).to_be_visible()


def invitation_link(live_server: LiveServer, email: str) -> str:
    with Session(db.get_engine(live_server.app)) as s:
        message = s.exec(select(MailMessage).where(MailMessage.to_address == email)).one()
    match = re.search(r"https?://\S+/password/set/\S+", message.body)
    assert match, message.body
    return urlsplit(match.group(0)).path


def test_the_first_admin_invites_a_contributor_who_signs_in(
    new_context: Callable[..., BrowserContext],
    live_server: LiveServer,
    axe_script: Path,
    screenshot_dir: Path,
) -> None:
    created = live_server.app.test_cli_runner().invoke(
        args=[
            "user",
            "create",
            ADMIN_EMAIL,
            "--name",
            "Admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input=ADMIN_PASSWORD + "\n",
    )
    assert created.exit_code == 0, created.output
    # The axe checks inline axe.min.js, which the app's CSP rightly blocks: bypass it here only.
    page = new_context(bypass_csp=True).new_page()

    sign_in(page, live_server, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert axe_violations(page, axe_script) == [], describe(axe_violations(page, axe_script))
    page.get_by_role("link", name="Administration").click()
    page.get_by_label("Adresse électronique").fill(GUEST_EMAIL)
    page.get_by_label("Nom", exact=True).fill("Camille Contributrice")
    page.get_by_role("checkbox", name=re.compile("Contributeur")).check()
    page.get_by_role("button", name="Envoyer l’invitation").click()
    expect(page.get_by_text(f"Invitation envoyée à {GUEST_EMAIL}.")).to_be_visible()
    expect(page.get_by_role("cell", name=GUEST_EMAIL)).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "admin-users-1280.png"), full_page=True)
    violations = axe_violations(page, axe_script)
    assert violations == [], describe(violations)

    page.get_by_role("link", name="Journal d’audit").click()
    expect(page.get_by_role("cell", name="user.invite")).to_be_visible()
    violations = axe_violations(page, axe_script)
    assert violations == [], describe(violations)

    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_text("Aucun webhook n’est encore enregistré.")).to_be_visible()
    page.get_by_label("Adresse qui reçoit les modifications").fill("https://centre.example.org/kb")
    page.get_by_role("button", name="Enregistrer le webhook").click()
    expect(page.get_by_text("Le secret généré, affiché cette seule fois")).to_be_visible()
    violations = axe_violations(page, axe_script)
    assert violations == [], describe(violations)
    page.get_by_role("link", name="https://centre.example.org/kb").click()
    expect(page.get_by_text("Aucune livraison en échec.")).to_be_visible()
    violations = axe_violations(page, axe_script)
    assert violations == [], describe(violations)
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_text("Vous êtes déconnecté.")).to_be_visible()

    page.goto(live_server(invitation_link(live_server, GUEST_EMAIL)))
    expect(page.get_by_text("Bienvenue, Camille Contributrice.")).to_be_visible()
    violations = axe_violations(page, axe_script)
    assert violations == [], describe(violations)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(GUEST_PASSWORD)
    page.get_by_label("Nouveau mot de passe, à nouveau").fill(GUEST_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    expect(page.get_by_text("Votre mot de passe est enregistré.")).to_be_visible()

    sign_in(page, live_server, GUEST_EMAIL, GUEST_PASSWORD)
    expect(page.get_by_text("Rôles : contributeur")).to_be_visible()
    expect(page.get_by_role("link", name="Administration")).to_have_count(0)
    page.screenshot(path=str(screenshot_dir / "account-1280.png"), full_page=True)
