"""The shape of kb: one package per area over a few shared floors, read from the code's imports.

A newcomer reads the top of `kb/` as a map (the README's "What is inside" table names each
entry); these tests keep it one: the Flask tier found by path, no import circle, no module past
~400 lines, and one import path per name (no module hands on names it only imported).
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KB = ROOT / "kb"

# The shared floors at the top of kb/, and the areas above them (GUIDE.md, section 2).
FLOORS = {"__init__", "config", "db", "errors", "uow", "permissions", "audit", "mail", "models",
          "migrations", "text"}  # fmt: skip
AREAS = {"catalogue", "search", "content", "moderation", "accounts", "collections", "public",
         "distribution", "web", "cli"}  # fmt: skip
ASSETS = {"templates", "static", "translations"}
# Only these import Flask: the package's create_app, web/ and cli/, and each area's blueprint,
# views, API and forms (a module named blueprint, views, api or forms, or ending in _views).
FLASK_TIER = re.compile(
    r"^kb$|^kb\.(web|cli)(\.|$)|^kb\.\w+\.(blueprints?|views|api|forms|\w+_views)$"
)
FLASK = {"flask", "flask_babel", "flask_login", "flask_wtf", "flask_limiter", "wtforms"}
# Façades allowed to hand names on: every table for Alembic, and the search library's surface.
FACADES = {"kb.models", "indexer"}
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(p): p
    for p in sorted([*KB.rglob("*.py"), *(ROOT / "indexer").rglob("*.py")])
    if "migrations" not in p.parts
}


@cache
def tree(name: str) -> ast.Module:
    return ast.parse(MODULES[name].read_text(encoding="utf-8"))


@cache
def imported(name: str, *, top_level_only: bool) -> set[str]:
    """Modules `name` imports: kb and indexer modules by name, others by their first part."""
    nodes = tree(name).body if top_level_only else list(ast.walk(tree(name)))
    out: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            out |= {a.name if a.name in MODULES else a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            subs = {f"{node.module}.{a.name}" for a in node.names} & MODULES.keys()
            out |= subs or {node.module if node.module in MODULES else node.module.split(".")[0]}
    return out


def test_the_top_of_kb_holds_only_the_floors_and_the_areas() -> None:
    entries = {p.stem for p in KB.iterdir() if not p.name.startswith((".", "__pycache__"))}
    assert entries - ASSETS == FLOORS | AREAS
    for area in AREAS:
        assert (KB / area / "__init__.py").exists(), f"kb/{area} is a package"


@pytest.mark.parametrize(
    "name", [m for m in MODULES if m.startswith("kb") and not FLASK_TIER.match(m)]
)
def test_outside_the_flask_tier_nothing_imports_flask_even_indirectly(name: str) -> None:
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        found = imported(current, top_level_only=True)
        assert not found & FLASK, f"{name} imports Flask through {current}"
        todo += [m for m in found if m in MODULES and m != "kb"]


def test_no_two_modules_import_each_other_even_through_others() -> None:
    graph = {m: imported(m, top_level_only=False) & MODULES.keys() - {m, "kb"} for m in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while (w := stack.pop()) != v:
                component.append(w)
            if component:
                circles.append(sorted([v, *component]))

    for module in graph:
        if module not in index:
            visit(module)
    assert circles == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_outgrows_one_read(name: str) -> None:
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name}: {lines} lines; split it inside its package"


@cache
def defined(name: str) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(tree(name)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
    return out


def test_each_name_is_imported_from_the_module_that_defines_it() -> None:
    handed_on = []
    files = [*MODULES.values(), *sorted((ROOT / "tests").rglob("*.py"))]
    for path in files:
        module = ast.parse(path.read_text(encoding="utf-8"))
        aliases: dict[str, str] = {}
        for node in ast.walk(module):
            if isinstance(node, ast.ImportFrom) and node.module in MODULES and not node.level:
                for a in node.names:
                    full = f"{node.module}.{a.name}"
                    if full in MODULES:
                        aliases[a.asname or a.name] = full
                    elif node.module not in FACADES and a.name not in defined(node.module):
                        handed_on.append(f"{path.name}: from {node.module} import {a.name}")
        for node in ast.walk(module):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
            ):
                target = aliases[node.value.id]
                if (
                    target not in FACADES
                    and node.attr not in defined(target)
                    and f"{target}.{node.attr}" not in MODULES
                    and node.attr in _imported_names(target)
                ):
                    handed_on.append(f"{path.name}: {node.value.id}.{node.attr} ({target})")
    assert handed_on == []


@cache
def _imported_names(name: str) -> set[str]:
    return {
        a.asname or a.name
        for node in tree(name).body
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for a in node.names
    }


TESTS = ROOT / "tests"
# Test folders beside the areas': the search library's, the graded relevance sets, the browser
# journeys and the benchmarks.
TEST_FOLDERS_BESIDE = {"indexer", "relevance", "browser", "bench"}


def test_the_tests_mirror_the_packages() -> None:
    """A test of an area sits in tests/<area>/; the floors' and the project's in tests/."""
    folders = {p.name for p in TESTS.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    assert folders <= AREAS | {"text"} | TEST_FOLDERS_BESIDE, folders - AREAS
    for area in AREAS:
        assert list((TESTS / area).glob("test_*.py")), f"no tests/{area}/"


def test_no_test_module_imports_another() -> None:
    """Shared helpers live in helper modules (people, nodes, receiver, atom, writes) or conftest."""
    offenders = []
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.rsplit(".", 1)[-1].startswith("test_"):
                    offenders.append(f"{path.relative_to(TESTS)}: {node.module}")
    assert offenders == []
