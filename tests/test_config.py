"""Settings are declared once, documented in the README, and resolved without side effects."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kb import create_app
from kb.config import SETTINGS, ensure_secret_key, load_settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented_in_the_readme(setting) -> None:  # type: ignore[no-untyped-def]
    assert f"`{setting.name}`" in README


def test_defaults_put_database_and_index_in_the_instance_folder(tmp_path: Path) -> None:
    values = load_settings({"KB_INSTANCE_DIR": str(tmp_path)})
    assert values["KB_DATABASE_URL"] == f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    assert values["KB_INDEX_DIR"] == str(tmp_path / "index")


def test_environment_values_are_cast(tmp_path: Path) -> None:
    values = load_settings(
        {"KB_INSTANCE_DIR": str(tmp_path), "KB_SEARCH_CACHE_SIZE": "16", "KB_TRUST_PROXY": "yes"}
    )
    assert values["KB_SEARCH_CACHE_SIZE"] == 16 and values["KB_TRUST_PROXY"] is True


def test_the_secret_key_is_generated_once_with_owner_only_permissions(tmp_path: Path) -> None:
    first = ensure_secret_key(str(tmp_path))
    assert ensure_secret_key(str(tmp_path)) == first and len(first) == 64
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_create_app_uses_the_test_mapping_and_builds_nothing_else(tmp_path: Path) -> None:
    app = create_app({"KB_INSTANCE_DIR": str(tmp_path / "i"), "KB_SECRET_KEY": "k"})
    assert app.config["SECRET_KEY"] == "k"
    assert not (tmp_path / "i" / "kb.sqlite3").exists()  # no database until migrations run
    assert not (tmp_path / "i" / "secret_key").exists()
