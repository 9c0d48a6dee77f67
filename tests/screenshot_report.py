"""Pytest hooks: the screenshots the browser tests leave for a human, listed at the end of a run.

A test records a path with `record_screenshot` (tests/browser/conftest.py), which keeps it in the
test's `user_properties`: they travel with the report from a pytest-xdist worker to the process
that prints the summary, where the browser tests' own conftest is never loaded.
"""

from __future__ import annotations

from typing import Any

import pytest

PROPERTY = "screenshot"
_paths: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        _paths.extend(str(value) for name, value in report.user_properties if name == PROPERTY)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _paths:
        terminalreporter.write_sep("-", "browser screenshots")
        for path in _paths:
            terminalreporter.write_line(path)
