"""Build step: compile the interface catalogues (.po -> .mo) into the package.

The .mo files are not kept in git, so without this step a wheel or a plain `pip install .`
ships none and serves /fr/ in English. Everything else about the package is in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGUES = "kb/translations"  # <locale>/LC_MESSAGES/<domain>.po, as Flask-Babel reads them


def compile_catalogues(directory: Path) -> list[str]:
    """Write each .po file's .mo beside it (fuzzy entries included, as `make` does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name, domain=po.stem)
        problems = [
            f"{po}: {message.id!r}: {error}"
            for message, errors in catalog.check()
            for error in errors
        ]
        if problems:
            raise SystemExit("catalogue errors:\n" + "\n".join(problems))
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=True)
        written.append(str(mo))
    return written


class BuildPyWithCatalogues(build_py):
    """build_py, then the .mo files: in the build folder, or in the source for editable installs."""

    def run(self) -> None:
        super().run()  # copies the .po files with the other package data
        if self.editable_mode:  # the package is read from the source folder
            compile_catalogues(Path(CATALOGUES))
        else:
            self._catalogues = compile_catalogues(Path(self.build_lib) / CATALOGUES)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return super().get_outputs(include_bytecode) + getattr(self, "_catalogues", [])


setup(cmdclass={"build_py": BuildPyWithCatalogues})
