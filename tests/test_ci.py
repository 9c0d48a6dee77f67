"""CI installs what it needs every time: apt waits for the dpkg lock and shows its error, a missing
test dependency fails a CI run instead of skipping, and skips are summarised by reason."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT

LOCK_ERROR = "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242"


def fake_apt(tmp_path: Path, *, broken_package: str = "") -> Path:
    """An apt-get that fails like a held dpkg lock unless told to wait for it."""
    script = tmp_path / "apt-get"
    script.write_text(
        textwrap.dedent(
            f"""\
            #!/usr/bin/env bash
            echo "$@" >> {tmp_path}/calls
            case " $* " in
              *" DPkg::Lock::Timeout=600 "*) ;;
              *) echo "{LOCK_ERROR}" >&2; exit 100;;
            esac
            case " $* " in *" {broken_package or "-none-"} "*)
              echo "E: Unable to locate package {broken_package}" >&2; exit 100;; esac
            exit 0
            """
        )
    )
    script.chmod(0o755)
    return script


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )


def test_apt_waits_for_the_dpkg_lock_instead_of_failing(tmp_path: Path) -> None:
    result = run([".ci/apt-install", "chromium"], APT_GET=str(fake_apt(tmp_path)))
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls").read_text().splitlines()
    assert all("DPkg::Lock::Timeout=600" in call for call in calls)
    assert any("install" in call and "chromium" in call for call in calls)
    assert not any("chromium-driver" in call for call in calls)


def test_a_failed_install_shows_apts_error_and_fails(tmp_path: Path) -> None:
    apt = fake_apt(tmp_path, broken_package="chromium")
    result = run([".ci/apt-install", "chromium"], APT_GET=str(apt))
    assert result.returncode != 0
    assert "Unable to locate package chromium" in result.stderr


def test_ci_refuses_to_run_when_a_test_dependency_cannot_be_installed(tmp_path: Path) -> None:
    apt = fake_apt(tmp_path, broken_package="chromium")
    result = run([".ci/run"], APT_GET=str(apt), CHROMIUM="no-such-chromium", CI="true")
    assert result.returncode != 0
    assert "missing test dependency: chromium" in result.stderr
    assert "Unable to locate package chromium" in result.stderr
    assert "refusing to run" in result.stderr


def test_make_test_and_ci_share_one_service_detection() -> None:
    makefile = (ROOT / "Makefile").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert ".ci/detect-services" in makefile and ".ci/detect-services" in ci
    passed = run([".ci/detect-services"], KB_TEST_POSTGRES_URL="postgresql+psycopg://x@h/db")
    assert "export KB_TEST_POSTGRES_URL='postgresql+psycopg://x@h/db'" in passed.stdout


SKIPPING = textwrap.dedent(
    """
    import pytest

    @pytest.mark.parametrize("n", range(3))
    def test_needs_postgres(n):
        pytest.skip("KB_TEST_POSTGRES_URL is not set (no PostgreSQL server)")

    def test_optional():
        pytest.skip("not relevant on this platform")
    """
)


# `make test` runs the suite on pytest-xdist workers: the hooks must work there too.
PROCESSES = pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one-process", "xdist"])


def _pytest(tmp_path: Path, workers: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_skips.py").write_text(SKIPPING)
    args = [sys.executable, "-m", "pytest", "-c", os.devnull, "-p", "tests.skip_report", *workers]
    clean = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run(
        [*args, "--rootdir", str(tmp_path), str(tmp_path / "test_skips.py")],
        cwd=ROOT,
        env={**clean, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@PROCESSES
def test_skips_are_summarised_in_one_line_per_reason(tmp_path: Path, workers: list[str]) -> None:
    result = _pytest(tmp_path, workers)
    assert result.returncode == 0, result.stdout
    assert "    3 skipped: KB_TEST_POSTGRES_URL is not set (no PostgreSQL server)" in result.stdout
    assert "    1 skipped: not relevant on this platform" in result.stdout


@PROCESSES
def test_in_ci_a_skip_for_a_missing_dependency_fails(tmp_path: Path, workers: list[str]) -> None:
    result = _pytest(tmp_path, workers, CI="true")
    assert result.returncode == 1
    assert "3 failed" in result.stdout and "1 skipped" in result.stdout
    assert "a test dependency is missing" in result.stdout
