"""`import kb` and `create_app` load nothing they do not need yet.

Every process pays for its imports (each CLI command, each gunicorn worker, each test run):
WeasyPrint (Pango and its fonts), Alembic (with every SQL dialect), feedgen (lxml) and
email-validator load on first use, and no argon2 hash is computed until a password is checked.
Checked in a fresh interpreter by what was loaded, not by a timing that depends on the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import ROOT

ON_FIRST_USE = ("weasyprint", "alembic", "feedgen", "email_validator")

PROBE = """
import json, sys
from pathlib import Path

import argon2

hashes = []
real_hash = argon2.PasswordHasher.hash


def counting_hash(self, *args, **kwargs):
    hashes.append(1)
    return real_hash(self, *args, **kwargs)


argon2.PasswordHasher.hash = counting_hash

import kb

after_import = sorted(sys.modules)
base = Path(sys.argv[1])
kb.create_app({
    "TESTING": True,
    "KB_INSTANCE_DIR": str(base / "instance"),
    "KB_DATABASE_URL": f"sqlite:///{base / 'kb.sqlite3'}",
    "KB_INDEX_DIR": str(base / "index"),
})
print(json.dumps({
    "after_import": after_import,
    "after_create_app": sorted(sys.modules),
    "hashes": len(hashes),
}))
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What a fresh interpreter has loaded after `import kb`, then after `create_app`."""
    base = tmp_path_factory.mktemp("import-cost")
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(base)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _top_level(modules: list[str]) -> set[str]:
    return {name.partition(".")[0] for name in modules}


@pytest.mark.parametrize("module", ON_FIRST_USE)
def test_import_kb_does_not_load(loaded: dict[str, Any], module: str) -> None:
    assert module not in _top_level(loaded["after_import"])


@pytest.mark.parametrize("module", ON_FIRST_USE)
def test_create_app_does_not_load(loaded: dict[str, Any], module: str) -> None:
    assert module not in _top_level(loaded["after_create_app"])


def test_no_password_is_hashed_before_one_is_checked(loaded: dict[str, Any]) -> None:
    assert loaded["hashes"] == 0


def test_the_module_that_renders_pdfs_is_loaded_all_the_same(loaded: dict[str, Any]) -> None:
    # Without it, "weasyprint was not loaded" could mean the probe never reached kb's modules.
    assert "kb.distribution.exports.pdf" in loaded["after_create_app"]


def test_import_kb_loads_neither_the_web_stack_nor_the_database(loaded: dict[str, Any]) -> None:
    """Every `import kb.<module>` runs the package first: it must cost (almost) nothing."""
    assert not {"flask", "sqlalchemy", "whoosh", "jinja2"} & _top_level(loaded["after_import"])
