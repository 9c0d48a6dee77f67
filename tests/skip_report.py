"""Pytest hooks: one summary line per skip reason, and in CI no skip for a missing dependency.

Skips are counted by reason and printed as `N skipped: reason` instead of one line per test.
With `CI=true`, a test skipped because a test dependency is missing (Chromium, Playwright, npm,
PostgreSQL, Redis, a tmpfs mount) fails instead: CI must install everything it needs.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Generator
from typing import Any

import pytest

DEPENDENCY = re.compile(
    r"chromium|playwright|npm|postgres|redis|tmpfs|unshare|gunicorn", re.IGNORECASE
)
_reasons: Counter[str] = Counter()


def _reason(report: Any) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _fail_in_ci(report: Any) -> None:
    if report.skipped and os.environ.get("CI") == "true":
        reason = _reason(report)
        if DEPENDENCY.search(reason):
            report.outcome = "failed"
            report.longrepr = f"CI=true: a test dependency is missing, install it: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Generator[None, Any, None]:
    outcome = yield
    _fail_in_ci(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, Any, None]:
    outcome = yield
    _fail_in_ci(outcome.get_result())


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail"):
        _reasons[_reason(report)] += 1


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.skipped:
        _reasons[_reason(report) + " (whole module)"] += 1


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not _reasons:
        return
    terminalreporter.section("skipped, by reason")
    for reason, count in _reasons.most_common():
        terminalreporter.write_line(f"{count:5d} skipped: {reason}")
