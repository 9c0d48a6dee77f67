"""The targets table: each figure beside its value before this round of work, its target and the
command that measures it.

Run after bench_search and bench_web (`make bench` runs all three); reads their figures from
tests/bench/.cache/ and writes the table between the markers in tests/bench/README.md.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
README = HERE / "README.md"
BEGIN, END = "<!-- targets:begin -->", "<!-- targets:end -->"

Figures = dict[str, Any]


def _web(rows: list[Figures], **where: Any) -> Figures | None:
    return next((r for r in rows if all(r.get(k) == v for k, v in where.items())), None)


def _ratio(search: Figures, key: str, size: int) -> float | None:
    run = search.get(f"{size}-synonyms")
    if not run:
        return None
    return float(run["whoosh_query"][key] / run["fts_query"][key])


WEB = ".venv/bin/python -m tests.bench.bench_web"
SEARCH = ".venv/bin/python -m tests.bench.bench_search --sizes 10000"
SEED_CMD = f"`{WEB} --sizes seed --workers 2 --modes cold`"
TENK_CMD = f"`{WEB} --sizes 10000 --workers 2 --modes cold`"
SEARCH_CMD = f"`{SEARCH}`"

Row = tuple[str, str, str, str, bool | None, str]


def rows(search: Figures, web: list[Figures]) -> list[Row]:
    """(figure, before, now, target, met, command) per line of the targets table."""
    out: list[Row] = []

    Now = Callable[[], tuple[str, bool] | None]

    def add(name: str, before: str, now: Now, target: str, command: str) -> None:
        try:
            found = now()
        except (KeyError, TypeError, ZeroDivisionError):
            found = None
        out.append((name, before, found[0] if found else "not measured", target,
                    found[1] if found else None, command))

    def seed(endpoint: str, clients: int = 1) -> Figures | None:
        return _web(web, size="seed", workers=2, mode="cold", endpoint=endpoint, clients=clients)

    def page_ratio() -> tuple[str, bool] | None:
        home, practice = seed("home"), seed("practice")
        if home is None or practice is None:
            return None
        cpu = practice["cpu_ms"] / home["cpu_ms"]
        p50 = practice["p50"] / home["p50"]
        return (f"{cpu:.2f} (server CPU {practice['cpu_ms']:.1f} / {home['cpu_ms']:.1f} ms) · "
                f"p50 {p50:.2f}", cpu <= 1.5 and p50 <= 1.5)

    add("seed: practice page / home page, server CPU per request · p50 (1 client)", "2.39",
        page_ratio, "≤ 1.5", SEED_CMD)

    def scaling() -> tuple[str, bool] | None:
        one, many = seed("html_fr"), seed("html_fr", 8)
        if one is None or many is None:
            return None
        ratio = many["rps"] / one["rps"]
        return (f"{ratio:.2f} ({many['rps']:.0f} / {one['rps']:.0f} req/s, clients as "
                f"{many.get('clients_as', 'threads')})", ratio >= 1.6)

    add("seed: HTML search requests/s, 8 clients / 1 client", "1.19", scaling, "≥ 1.6",
        SEED_CMD)

    def healthz(size: str) -> Now:
        def now() -> tuple[str, bool] | None:
            r = _web(web, size=size, workers=2, mode="cold", endpoint="html_fr", clients=8)
            if r is None or "healthz_p95" not in r:
                return None
            return f"{r['healthz_p95']:.1f} ms", r["healthz_p95"] <= 20
        return now

    add("seed: /healthz p95 under that load", "140 ms", healthz("seed"), "≤ 20 ms", SEED_CMD)

    def html_10k() -> tuple[str, bool] | None:
        r = _web(web, size="10000", workers=2, mode="cold", endpoint="html_fr", clients=8)
        if r is None:
            return None
        return (f"{r['p95']:.0f} ms · {r['rps']:.1f} (server CPU {r['cpu_ms']:.1f} ms/req)",
                r["p95"] <= 150 and r["rps"] >= 60)

    add("10k: HTML search, cold, 8 clients, 2 workers: p95 · requests/s", "217–272 ms · 55–71",
        html_10k, "≤ 150 ms · ≥ 60", TENK_CMD)

    def consistency() -> tuple[str, bool] | None:
        runs = [r for r in web if "edits" in r]
        if not runs:
            return None
        bad = sum(r["violations"] for r in web)
        edits = sum(r["edits"] for r in runs)
        checks = sum(r["checks"] for r in runs) + sum(r["n"] for r in runs)
        return f"{bad} in {checks} checked responses ({edits} edits)", bad == 0

    add("consistency under the 8-client load with a publisher: violations", "not measured",
        consistency, "0", f"{SEED_CMD}, {TENK_CMD}")

    def ratios() -> tuple[str, bool] | None:
        p50, p95 = _ratio(search, "p50", 10_000), _ratio(search, "p95", 10_000)
        if p50 is None or p95 is None:
            return None
        return f"{p50:.2f} · {p95:.2f}", p50 <= 1.0 and p95 <= 1.2

    add("keep: full search with synonyms at 10k, ours / FTS5 same expansion, p50 · p95",
        "0.31 · 0.54", ratios, "≤ 1.0 · ≤ 1.2", SEARCH_CMD)

    def publish() -> tuple[str, bool] | None:
        p95 = search["10000-synonyms"]["whoosh_query"]["publish_p95"]
        return f"{p95:.0f} ms", p95 <= 100

    add("keep: publish → searchable on the same node, p95", "60 ms", publish, "≤ 100 ms",
        SEARCH_CMD)

    def rebuild() -> tuple[str, bool] | None:
        build = search["10000-synonyms"]["whoosh_build"]
        rate = build["docs_s"]
        free = build.get("free_docs_s")
        if free is None:
            return f"{rate:.0f}", rate >= 600
        # The wall rate follows the machine's load; the CPU figure says what 2 free cores give.
        return f"{rate:.0f} ({build['cpu_s']:.1f} CPU-s: {free:.0f} on 2 free cores)", rate >= 600

    add("keep: rebuild, 10k, docs/s", "835", rebuild, "≥ 600", SEARCH_CMD)

    def rss() -> tuple[str, bool] | None:
        sizes = [x for r in web if r["size"] == "10000" for x in r.get("rss_mb", [])]
        if not sizes:
            return None
        return f"{max(sizes):.0f} MB", max(sizes) <= 250

    add("keep: worker RSS at 10k after the benchmark (largest worker)", "221 MB", rss,
        "≤ 250 MB", TENK_CMD)
    return out


def table(search: Figures, web: list[Figures]) -> str:
    load = os.getloadavg()
    lines = [
        f"Measured on this machine (2 cores, shared: load average {load[0]:.1f} / {load[1]:.1f}"
        f" / {load[2]:.1f} when the table was written).",
        "",
        "| figure | before | now | target | met | rerun |",
        "|---|---|---|---|---|---|",
    ]
    for name, before, now, target, met, command in rows(search, web):
        verdict = "—" if met is None else ("yes" if met else "no")
        lines.append(f"| {name} | {before} | {now} | {target} | {verdict} | {command} |")
    return "\n".join(lines)


def main() -> None:
    search_path = CACHE / "search-figures.json"
    search = json.loads(search_path.read_text()) if search_path.exists() else {}
    # bench_web writes one file per size: the latest seed run and the latest 10k run.
    web = [r for path in sorted(CACHE.glob("web-figures-*.json"))
           for r in json.loads(path.read_text())]
    text = table(search, web)
    print(text)
    readme = README.read_text()
    if BEGIN in readme and END in readme:
        head, rest = readme.split(BEGIN, 1)
        _old, tail = rest.split(END, 1)
        README.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}")
        print(f"\nwritten to {README.relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    main()
