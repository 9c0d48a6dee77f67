"""Practical facts of a practice (budget, official website, staffing), only as sources state them.

Each fact names the source URL it comes from (one of the practice's sources), so a reader can
check it and a test can trace it to the research dossier. A fact the sources do not give is left
out: blank stays blank.

```yaml
facts:
  budget:
    amount: 875000
    currency: GBP
    qualifier: up-to          # optional: up-to | about
    period: {fr: appel 6 (2025-2026), en: Call 6 (2025/26)}
    source: https://…
  website: https://…          # the lead organisation's official page, a source URL
  staffing: {fr: …, en: …, source: https://…}
```
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from kb.errors import N_

FACT_KEYS = ("budget", "website", "staffing")
BUDGET_KEYS = ("amount", "currency", "qualifier", "period", "source")
QUALIFIERS = ("up-to", "about")
CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


class Report(Protocol):
    """Where a problem goes: the field, a marked message and its parameters."""

    def __call__(self, where: str, message: str, /, **params: Any) -> None: ...


def _url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://")) and "." in value


def _pair(value: Any, where: str, report: Report) -> dict[str, str] | None:
    if not isinstance(value, dict) or not all(
        isinstance(value.get(k), str) and value.get(k) for k in ("fr", "en")
    ):
        report(where, N_("expected a mapping with non-empty fr and en texts"))
        return None
    return {"fr": value["fr"], "en": value["en"]}


def parse(value: Any, report: Report) -> dict[str, Any]:
    """The checked facts of a front matter's `facts` mapping; problems go to `report`."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        report("facts", N_("expected a mapping with budget, website and/or staffing"))
        return {}
    out: dict[str, Any] = {}
    for key in value:
        if key not in FACT_KEYS:
            report(
                f"facts.{key}",
                N_("unknown key; expected one of: %(choices)s"),
                choices=", ".join(FACT_KEYS),
            )
    budget = value.get("budget")
    if budget is not None:
        parsed = _budget(budget, report)
        if parsed:
            out["budget"] = parsed
    if "website" in value:
        if _url(value["website"]):
            out["website"] = value["website"]
        else:
            report("facts.website", N_("expected an http(s) URL"))
    staffing = value.get("staffing")
    if staffing is not None:
        text = _pair(staffing, "facts.staffing", report)
        if text is not None and _url(staffing.get("source")):
            out["staffing"] = {**text, "source": staffing["source"]}
        elif text is not None:
            report("facts.staffing.source", N_("expected the http(s) URL of the source stating it"))
    return out


def _budget(budget: Any, report: Report) -> dict[str, Any] | None:
    if not isinstance(budget, dict):
        report("facts.budget", N_("expected a mapping with amount, currency, period and source"))
        return None
    for key in budget:
        if key not in BUDGET_KEYS:
            report(
                f"facts.budget.{key}",
                N_("unknown key; expected one of: %(choices)s"),
                choices=", ".join(BUDGET_KEYS),
            )
    amount = budget.get("amount")
    ok = True
    if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount <= 0:
        report("facts.budget.amount", N_("expected a positive number"))
        ok = False
    if not isinstance(budget.get("currency"), str) or not CURRENCY_RE.match(budget["currency"]):
        report("facts.budget.currency", N_("expected an ISO 4217 code such as EUR or GBP"))
        ok = False
    if "qualifier" in budget and budget["qualifier"] not in QUALIFIERS:
        report(
            "facts.budget.qualifier",
            N_("expected one of: %(choices)s"),
            choices=", ".join(QUALIFIERS),
        )
        ok = False
    if not _url(budget.get("source")):
        report("facts.budget.source", N_("expected the http(s) URL of the source stating it"))
        ok = False
    period = _pair(budget["period"], "facts.budget.period", report) if "period" in budget else None
    if not ok:
        return None
    out: dict[str, Any] = {"amount": amount, "currency": budget["currency"]}
    if "qualifier" in budget:
        out["qualifier"] = budget["qualifier"]
    if period:
        out["period"] = period
    out["source"] = budget["source"]
    return out


def front_matter(facts: dict[str, Any]) -> dict[str, Any] | None:
    """The canonical `facts` mapping (keys in declared order), or None when there is none."""
    out = {key: facts[key] for key in FACT_KEYS if facts.get(key)}
    return out or None


def sources_of(facts: dict[str, Any]) -> list[str]:
    """Every source URL the facts cite (for traceability checks)."""
    urls = []
    for key in ("budget", "staffing"):
        if isinstance(facts.get(key), dict):
            urls.append(str(facts[key]["source"]))
    if facts.get("website"):
        urls.append(str(facts["website"]))
    return urls
