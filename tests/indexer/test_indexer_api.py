"""The public surface of indexer/: what kb/search.py is allowed to rely on."""

from __future__ import annotations

import ast
from pathlib import Path

import indexer

PACKAGE = Path(indexer.__file__).parent


def test_all_declares_exactly_the_public_names() -> None:
    assert sorted(indexer.__all__) == sorted(
        [
            "FACETS",
            "Change",
            "Document",
            "FacetCount",
            "Hit",
            "Index",
            "IndexBusy",
            "Query",
            "Results",
            "Suggestion",
            "SynonymGroup",
            "VerifyReport",
            "facet_values",
        ]
    )


def test_every_public_name_is_importable() -> None:
    for name in indexer.__all__:
        assert getattr(indexer, name) is not None


def test_facets_are_the_eight_documented_ones() -> None:
    assert indexer.FACETS == (
        "theme",
        "country",
        "city",
        "approach",
        "target",
        "language",
        "year",
        "evidence",
    )


def test_the_package_imports_no_app_layer() -> None:
    forbidden = {"flask", "sqlmodel", "sqlalchemy", "kb"}
    for path in PACKAGE.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = {node.module.split(".")[0]}
            else:
                continue
            assert not roots & forbidden, f"{path.name} imports {roots & forbidden}"


def test_verify_report_is_ok_only_without_differences() -> None:
    assert indexer.VerifyReport((), (), ()).ok
    assert not indexer.VerifyReport((1,), (), ()).ok
    assert not indexer.VerifyReport((), (2,), ()).ok
    assert not indexer.VerifyReport((), (), (3,)).ok
