"""Every message the domain gives a person is a marked msgid, translated when it is shown.

A message reaches a person through FieldError, the KBError tree, a content-file problem, a
do-no-harm check or a permission refusal. Its text is a literal marked with `N_` (so Babel
extracts it), with `%(name)s` placeholders whose values travel as parameters: no f-string and no
concatenation builds a message, and what a person typed is never the format string. Each marked
message has a French translation with the same placeholders, and French pages show it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from kb.errors import FieldError, Text, ValidationError
from tests.conftest import CONTENT_DIR, ROOT
from tests.people import FORM, Person, proposal_id

KB = ROOT / "kb"
CATALOGUE = KB / "translations" / "fr" / "LC_MESSAGES" / "messages.po"

# The constructors and reporters that carry a message to a person, and where the message sits.
MESSAGE_ARG = {
    "FieldError": 1,
    "Text": 0,
    "KBError": 0,
    "BadRequest": 0,
    "PermissionDenied": 0,
    "NotFound": 0,
    "Conflict": 0,
    "StaleBase": 0,
    "Check": 2,
    "ContentError": 3,
    "err": 1,  # kb/practice_validation.py
    "report": 1,  # kb/facts.py
    "error": 1,  # Checker.error in kb/content/ and kb/collection_files.py
}
PLACEHOLDER = re.compile(r"%\((\w+)\)[srd]")


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(KB.rglob("*.py")):
        if path.name != "errors.py" or path.parent != KB:  # kb/errors.py defines the machinery
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _callee(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and func.attr == "error":
        owner = func.value
        if isinstance(owner, ast.Name) and owner.id in ("check", "checker", "self"):
            return "error"
    return None


def _marked(node: ast.expr) -> str | None:
    """The literal of `N_("…")`, or None when `node` is anything else."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "N_"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def _unmarked_messages() -> list[str]:
    found = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _callee(node) not in MESSAGE_ARG:
                continue
            index = MESSAGE_ARG[_callee(node)]  # type: ignore[index]
            if len(node.args) <= index:
                continue
            arg = node.args[index]
            built = isinstance(arg, (ast.JoinedStr, ast.BinOp, ast.Constant)) or (
                isinstance(arg, ast.Call) and _marked(arg) is None
            )
            if built:
                found.append(f"{path.relative_to(KB.parent)}:{node.lineno}")
    return found


def _marked_literals() -> set[str]:
    return {
        text
        for _, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.expr) and (text := _marked(node)) is not None
    }


def test_no_message_is_built_with_an_f_string_or_left_unmarked() -> None:
    assert _unmarked_messages() == []


def test_every_marked_message_has_a_french_translation_with_the_same_placeholders() -> None:
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f)
    missing, mismatched = [], []
    for msgid in sorted(_marked_literals()):
        message = catalogue.get(msgid)
        if message is None or not message.string or message.fuzzy:
            missing.append(msgid)
        elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(message.string)):
            mismatched.append(msgid)
    assert (missing, mismatched) == ([], [])
    assert len(_marked_literals()) > 150  # the scan does see the domain's messages


def test_a_message_keeps_its_english_text_and_quotes_what_was_typed_as_a_parameter() -> None:
    typed = "100% %(x)s"
    error = FieldError("start_year", "expected a year, got %(year)r", year=typed)
    assert error.message == "expected a year, got '100% %(x)s'"
    assert str(ValidationError([error])) == "start_year: expected a year, got '100% %(x)s'"
    french = {"%(reason)s!": "%(reason)s !", "sign in first": "connectez-vous d’abord"}
    shouted = Text("%(reason)s!", reason=Text("sign in first"))
    assert shouted.render(lambda msgid: french.get(msgid, msgid)) == "connectez-vous d’abord !"
    assert FieldError("title", "100% sure").render() == "100% sure"  # no parameters: no %


# --- end to end: French pages and French API errors ---------------------------------------------


@pytest.fixture
def writer(app: Flask, make_account: Callable[..., Any], vocabulary_loaded: Any) -> Person:
    return Person(app, make_account("contributor", email="writer@example.org", name="Writer"))


@pytest.fixture
def moderator(app: Flask, make_account: Callable[..., Any], vocabulary_loaded: Any) -> Person:
    return Person(app, make_account("moderator", email="mod@example.org", name="Mod"))


def _submitted(writer: Person, typed: dict[str, Any]) -> str:
    pid = proposal_id(writer.post("/fr/moderation/proposals/new", {**typed, "action": "save"}))
    again = writer.post(f"/fr/moderation/proposals/{pid}/edit", {**typed, "action": "submit"})
    assert again.status_code == 422
    return str(again.get_data(as_text=True))


def test_a_too_long_comment_is_refused_in_french(writer: Person, moderator: Person) -> None:
    pid = proposal_id(writer.post("/fr/moderation/proposals/new", {**FORM, "action": "submit"}))
    base = f"/fr/moderation/proposals/{pid}"
    refused = moderator.post(f"{base}/comments", {"body": "x" * 20_000}, page=base)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "caractères au maximum sont attendus" in html and "expected at most" not in html


def test_a_bad_fact_amount_is_explained_in_french_next_to_its_field(writer: Person) -> None:
    html = _submitted(writer, {**FORM, "facts_budget_amount": "beaucoup"})
    assert 'id="facts_budget_amount-error"' in html
    assert "un nombre positif est attendu" in html and "expected a positive number" not in html


def test_a_bad_year_is_explained_in_french_and_quotes_what_was_typed(writer: Person) -> None:
    html = _submitted(writer, {**FORM, "start_year": "20%(x)s"})
    assert 'id="start_year-error"' in html
    assert "une année entre 1900 et 2100 est attendue" in html and "20%(x)s" in html


def test_an_unknown_theme_in_a_pasted_file_is_named_in_french(writer: Person) -> None:
    text = next((CONTENT_DIR / "practices").glob("*.md")).read_text(encoding="utf-8")
    text = re.sub(r"(?m)^themes:\n(- .*\n)+", "themes:\n- no-such-theme\n", text, count=1)
    pasted = writer.post("/fr/moderation/proposals/import", {"text": text})
    assert pasted.status_code == 302  # a draft may be incomplete; its checks name the theme
    preview = writer.get(f"/fr/moderation/proposals/{proposal_id(pasted)}/preview")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 422 and 'id="themes-error"' in html
    assert "thème &#39;no-such-theme&#39; inconnu" in html
    assert "unknown theme" not in html


def test_the_parser_s_problems_in_a_pasted_file_are_in_french(writer: Person) -> None:
    pasted = writer.post(
        "/fr/moderation/proposals/import",
        {"text": "---\nslug: x\nsurprise: 1\nstart_year: vingt\n---\n"},
    )
    html = pasted.get_data(as_text=True)
    assert pasted.status_code == 422
    assert "3: surprise: clé inconnue" in html
    assert "une année en nombre entier est attendue, reçu &#39;vingt&#39;" in html
    assert "expected" not in html


def test_an_api_error_is_in_french_when_the_client_asks_for_french(
    writer: Person, app: Flask
) -> None:
    asked = {"Accept-Language": "fr"}
    french = app.test_client().get("/api/v1/practices/no-such-practice", headers=asked).get_json()
    english = app.test_client().get("/api/v1/practices/no-such-practice").get_json()
    assert french["error"]["message"] == "aucune pratique 'no-such-practice'"
    assert english["error"]["message"] == "no practice 'no-such-practice'"
