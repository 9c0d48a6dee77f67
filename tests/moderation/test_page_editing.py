"""Editorial pages edited by moderators like practices: a proposal per edit, four eyes, history.

The About page (and the legal notice, privacy and accessibility statements) come from content
files; an edit is a proposal holding both languages' title and Markdown body, reviewed on the same
review page with the same decisions and checklist, audited, and the public page changes on publish.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select

from kb import db
from kb.models import AuditEvent, PageRevision, Proposal
from kb.moderation.reviews import CHECKLIST
from tests.people import Person, proposal_id

EDIT = {
    "title_fr": "À propos de la base",
    "title_en": "About the knowledge base",
    "body_fr": "## Qui sommes-nous\n\nUn réseau de villes.\n",
    "body_en": "## Who we are\n\nA network of cities.\n",
}


@pytest.fixture
def people(seeded: Flask, make_account: Callable[..., Any]) -> dict[str, Person]:
    return {
        role: Person(seeded, make_account(*roles, email=f"{role}@example.org", name=role.title()))
        for role, roles in (
            ("mod1", ("moderator",)),
            ("mod2", ("moderator",)),
            ("writer", ("contributor",)),
        )
    }


def propose(person: Person, slug: str = "about", action: str = "submit", **typed: str) -> Any:
    return person.post(
        f"/fr/moderation/pages/{slug}/edit",
        {**EDIT, **typed, "action": action},
        page=f"/fr/moderation/pages/{slug}/edit",
    )


def approve(person: Person, pid: int) -> Any:
    return person.post(
        f"/fr/moderation/proposals/{pid}/decision",
        {"decision": "approve", "checklist": list(CHECKLIST)},
    )


def test_an_edit_of_the_about_page_is_reviewed_then_published_and_audited(
    seeded: Flask, people: dict[str, Person]
) -> None:
    listing = people["mod1"].get("/fr/moderation/pages/").get_data(as_text=True)
    assert "/fr/moderation/pages/about/edit" in listing
    sent = propose(people["mod1"])
    assert sent.status_code == 302
    pid = proposal_id(sent)
    public = seeded.test_client()
    assert "Un réseau de villes." not in public.get("/fr/about").get_data(as_text=True)
    queue = people["mod2"].get("/fr/moderation/").get_data(as_text=True)
    assert "À propos de la base" in queue
    review = people["mod2"].get(f"/fr/moderation/proposals/{pid}").get_data(as_text=True)
    assert "<ins>À propos de la base</ins>" in review
    assert "<ins>About the knowledge base</ins>" in review
    assert "sommes-nous" in review and "Who" in review  # the texts, word by word
    published = approve(people["mod2"], pid)
    assert published.status_code == 302
    assert "Un réseau de villes." in public.get("/fr/about").get_data(as_text=True)
    assert "A network of cities." in public.get("/en/about").get_data(as_text=True)
    with Session(db.get_engine(seeded)) as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "page.update")).one()
        assert event.target_id == "about"
        versions = s.exec(select(PageRevision.version).where(PageRevision.slug == "about")).all()
        assert sorted(versions) == [1, 2]


def test_no_one_publishes_their_own_page_edit(people: dict[str, Person]) -> None:
    pid = proposal_id(propose(people["mod1"]))
    assert approve(people["mod1"], pid).status_code == 403


def test_contributors_do_not_edit_editorial_pages(people: dict[str, Person]) -> None:
    assert people["writer"].get("/fr/moderation/pages/about/edit").status_code == 403
    assert propose(people["writer"]).status_code == 403


def test_a_page_edit_missing_a_language_is_saved_as_typed_but_not_sent(
    seeded: Flask, people: dict[str, Person]
) -> None:
    refused = propose(people["mod1"], title_en="", body_en="")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'id="title_en-error"' in html and "Un réseau de villes." in html
    with Session(db.get_engine(seeded)) as s:
        draft = s.exec(select(Proposal).where(Proposal.kind == "page")).one()
        assert draft.status == "draft" and draft.data["body_fr"] == EDIT["body_fr"]


def test_the_history_shows_versions_their_diff_and_restoring_goes_through_review(
    seeded: Flask, people: dict[str, Person]
) -> None:
    approve(people["mod2"], proposal_id(propose(people["mod1"])))
    history = people["mod1"].get("/fr/moderation/pages/about/history?a=1&b=2")
    html = history.get_data(as_text=True)
    assert history.status_code == 200
    assert "<ins>" in html and "sommes-nous" in html
    restored = people["mod1"].post(
        "/fr/moderation/pages/about/history/1/restore",
        {},
        page="/fr/moderation/pages/about/history",
    )
    assert restored.status_code == 302
    pid = proposal_id(restored)
    with Session(db.get_engine(seeded)) as s:
        proposal = s.get(Proposal, pid)
        assert proposal is not None and proposal.status == "draft"
        assert proposal.restored_from_version == 1
    assert "Un réseau de villes." in seeded.test_client().get("/fr/about").get_data(as_text=True)


def test_a_page_edit_based_on_an_older_version_is_refused_then_rebased(
    people: dict[str, Person],
) -> None:
    first = proposal_id(propose(people["mod1"]))
    second = proposal_id(propose(people["mod1"], body_fr="## Autre\n\nAutre texte.\n"))
    assert approve(people["mod2"], first).status_code == 302
    stale = approve(people["mod2"], second)
    assert stale.status_code == 409
    assert "Autre" in people["mod2"].get(f"/fr/moderation/proposals/{second}").get_data(
        as_text=True
    )
    rebased = people["mod1"].post(f"/fr/moderation/proposals/{second}/rebase", {})
    assert rebased.status_code == 302
    assert approve(people["mod2"], second).status_code == 302


def test_the_preview_uses_the_public_template_marked_not_published(
    people: dict[str, Person],
) -> None:
    pid = proposal_id(propose(people["mod1"], action="save"))
    page = people["mod1"].get(f"/en/moderation/pages/proposals/{pid}/preview")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Preview — not published" in html and 'content="noindex"' in html
    assert "A network of cities." in html


@pytest.mark.parametrize(
    "hostile",
    [
        {"title_fr": "<script>alert(1)</script>", "body_fr": "<script>alert(1)</script>\n"},
        {"body_en": "[x](javascript:alert(1))\n<img src=x onerror=alert(1)>"},
        {"body_fr": "x" * 1_000_000},
        {"title_en": "nul\x00byte"},
        {"body_fr": "Écrire à jean.dupont@example.org"},
    ],
)
def test_hostile_page_edits_get_a_clear_answer_never_a_500(
    people: dict[str, Person], hostile: dict[str, str]
) -> None:
    sent = propose(people["mod1"], **hostile)
    assert sent.status_code in (302, 413, 422), sent.status_code
    html = sent.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    if sent.status_code == 302:
        pid = proposal_id(sent)
        for path in (
            f"/fr/moderation/proposals/{pid}",
            f"/fr/moderation/pages/proposals/{pid}/preview",
        ):
            page = people["mod1"].get(path).get_data(as_text=True)
            assert "<script>alert(1)</script>" not in page and "<img src=x onerror" not in page
            assert 'href="javascript:' not in page
    else:
        typed = next(iter(hostile.values()))
        assert typed.split("\x00")[0][:50] in html or sent.status_code == 413


def test_a_page_edit_without_its_csrf_token_or_after_the_session_ended_comes_back_as_typed(
    seeded: Flask, people: dict[str, Person]
) -> None:
    no_token = people["mod1"].client.post("/fr/moderation/pages/about/edit", data=EDIT)
    assert 400 <= no_token.status_code < 500
    assert "Un réseau de villes." in no_token.get_data(as_text=True)
    signed_out = seeded.test_client().post("/fr/moderation/pages/about/edit", data=EDIT)
    assert 400 <= signed_out.status_code < 500
    assert "Un réseau de villes." in signed_out.get_data(as_text=True)


def test_a_page_proposal_opens_in_the_page_form_not_the_practice_form(
    seeded: Flask, people: dict[str, Person]
) -> None:
    pid = proposal_id(propose(people["mod1"]))
    assert people["mod1"].get(f"/fr/moderation/proposals/{pid}/edit").status_code in (400, 404)
    assert people["mod1"].get(f"/fr/moderation/pages/proposals/{pid}/edit").status_code == 200
    assert re.search(
        r"/pages/about/history",
        people["mod1"].get(f"/fr/moderation/proposals/{pid}").get_data(as_text=True),
    )
