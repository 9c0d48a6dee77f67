"""`kb` commands report expected failures as one line with what to do and a non-zero exit; a
traceback only with --debug; nothing half-written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from sqlmodel import Session, func, select

from indexer import IndexBusy
from kb import db
from kb.cli import errors as cli_errors
from kb.errors import Conflict
from kb.models import Practice
from tests.conftest import CONTENT_DIR, ROOT


def kb(
    *args: str, env: dict[str, str], shell_prefix: str | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "kb.cli", *args]
    if shell_prefix is not None:
        import shlex

        command = ["unshare", "-rm", "sh", "-c", f"{shell_prefix} && exec {shlex.join(command)}"]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_CONTENT_DIR=str(CONTENT_DIR), PYTHONPATH=str(ROOT), **values)
    return env


def assert_one_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("kb: ") and "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def _can_mount() -> bool:
    return (
        bool(shutil.which("unshare"))
        and subprocess.run(
            ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
            capture_output=True,
        ).returncode
        == 0
    )


needs_mount = pytest.mark.skipif(not _can_mount(), reason="cannot mount a tmpfs (no unshare)")


def test_an_import_while_another_holds_the_lock_says_so_and_writes_nothing(
    app: Flask, tmp_path: Path
) -> None:
    engine = db.get_engine(app)
    env = environment(
        KB_INSTANCE_DIR=app.config["KB_INSTANCE_DIR"],
        KB_DATABASE_URL=app.config["KB_DATABASE_URL"],
        KB_INDEX_DIR=app.config["KB_INDEX_DIR"],
    )
    with cli_errors.exclusive(engine, "import"):
        result = kb("import", env=env)
    assert result.returncode == cli_errors.TRY_AGAIN
    assert_one_line(result, "another `kb import` is running", "run the command again")
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Practice)).one() == 0


def test_two_imports_at_once_end_with_one_import_and_no_traceback(app: Flask) -> None:
    env = environment(
        KB_INSTANCE_DIR=app.config["KB_INSTANCE_DIR"],
        KB_DATABASE_URL=app.config["KB_DATABASE_URL"],
        KB_INDEX_DIR=app.config["KB_INDEX_DIR"],
    )
    command = [sys.executable, "-m", "kb.cli", "import"]
    both = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), *p.communicate()) for p in both]
    for code, _out, err in results:
        assert "Traceback" not in err
        assert code == 0 or (code == cli_errors.TRY_AGAIN and err.startswith("kb: another"))
    assert any(code == 0 for code, _o, _e in results)
    engine = db.get_engine(app)
    with Session(engine) as session:
        count = session.exec(select(func.count()).select_from(Practice)).one()
    assert count == len(list((CONTENT_DIR / "practices").glob("*.md")))


def test_an_unreachable_database_is_one_line(tmp_path: Path) -> None:
    env = environment(
        KB_INSTANCE_DIR=str(tmp_path / "instance"),
        KB_DATABASE_URL="postgresql+psycopg://kb@127.0.0.1:9/kb?connect_timeout=2",
    )
    result = kb("db", "upgrade", env=env)
    assert_one_line(result, "cannot reach the database", "KB_DATABASE_URL")


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    env = environment(
        KB_INSTANCE_DIR=str(tmp_path / "instance"),
        KB_DATABASE_URL="postgresql+psycopg://kb@127.0.0.1:9/kb?connect_timeout=2",
    )
    result = kb("--debug", "db", "upgrade", env=env)
    assert result.returncode != 0 and "Traceback" in result.stderr


@needs_mount
def test_a_read_only_instance_is_one_line(tmp_path: Path) -> None:
    mount = tmp_path / "ro"
    mount.mkdir()
    env = environment(KB_INSTANCE_DIR=str(mount / "instance"))
    result = kb(
        "db", "upgrade", env=env, shell_prefix=f"mount -t tmpfs -o ro,size=1m tmpfs {mount}"
    )
    assert_one_line(result, "read-only")


@needs_mount
def test_a_full_disk_is_one_line(tmp_path: Path) -> None:
    mount = tmp_path / "full"
    mount.mkdir()
    env = environment(KB_INSTANCE_DIR=str(mount / "instance"))
    fill = (
        f"mount -t tmpfs -o size=1m tmpfs {mount} && "
        f"(cat /dev/zero > {mount}/filler 2>/dev/null; true)"
    )
    result = kb("import", env=env, shell_prefix=fill)
    assert_one_line(result, "no space left")


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (IndexBusy("lock"), "search index is busy"),
        (Conflict("stale version"), "changed the same records"),
        (cli_errors.Busy("another `kb import` is running"), "another `kb import`"),
    ],
)
def test_expected_failures_have_a_message_and_try_again_status(
    error: Exception, words: str
) -> None:
    found = cli_errors.describe(error)
    assert found is not None and words in found[0] and found[1] == cli_errors.TRY_AGAIN
