"""The package installs whole: a wheel built from a clean source tree serves French on /fr/.

The .mo catalogues are not in git; the build (setup.py) compiles them. The wheel is built from a
copy of the sources without any .mo file or earlier build folder, installed in a fresh venv, and
the installed package (not the source tree) renders the home page in French.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

FRENCH_MO = "kb/translations/fr/LC_MESSAGES/messages.mo"

# Run by the fresh venv's interpreter, from a folder where the source `kb` is not importable.
CHECK = """
import json, sys
from pathlib import Path

import kb
from kb import create_app, db

base = Path(sys.argv[1])
app = create_app({
    "TESTING": True,
    "KB_INSTANCE_DIR": str(base / "instance"),
    "KB_DATABASE_URL": f"sqlite:///{base / 'kb.sqlite3'}",
    "KB_INDEX_DIR": str(base / "index"),
})
db.upgrade(db.get_engine(app))
page = app.test_client().get("/fr/")
package = Path(kb.__file__).parent
print(json.dumps({
    "package": str(package),
    "french_mo": (package / "translations/fr/LC_MESSAGES/messages.mo").is_file(),
    "status": page.status_code,
    "html": page.get_data(as_text=True),
}))
"""


def _run(*args: str | Path, cwd: Path) -> str:
    done = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Build the wheel from a clean copy of the sources, install it in a new venv, render /fr/."""
    base = tmp_path_factory.mktemp("packaging")
    source = base / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", "*.mo",
            "instance", ".*_cache", "node_modules",
        ),
    )
    _run(sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-w", base / "dist", cwd=source)
    (wheel,) = (base / "dist").glob("kb-*.whl")

    venv = base / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=base)
    python = venv / "bin" / "python"
    # The runtime dependencies come from this suite's environment, after the venv's own
    # site-packages (where the wheel goes): installing them from an index would be slow and
    # needs the network. A .pth line adds a path without running that folder's .pth files, so
    # an editable install of kb there stays out of the venv.
    site = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                     cwd=base).strip())
    ours = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (site / "kb_test_dependencies.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    _run(python, "-m", "pip", "install", "--no-deps", "--no-index", wheel, cwd=base)

    run_dir = base / "run"
    run_dir.mkdir()
    result: dict[str, Any] = json.loads(_run(python, "-c", CHECK, run_dir, cwd=run_dir))
    result["wheel_files"] = zipfile.ZipFile(wheel).namelist()
    result["venv"] = venv
    return result


def test_the_wheel_carries_the_compiled_french_catalogue(installed: dict[str, Any]) -> None:
    assert FRENCH_MO in installed["wheel_files"]


def test_the_installed_package_is_the_wheel_with_its_catalogue(installed: dict[str, Any]) -> None:
    assert Path(installed["package"]).is_relative_to(installed["venv"])
    assert installed["french_mo"]


def test_the_installed_package_serves_french_on_fr(installed: dict[str, Any]) -> None:
    assert installed["status"] == 200
    assert "Mentions légales" in installed["html"]
    assert "Legal notice" not in installed["html"]
