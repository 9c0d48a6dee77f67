"""In-process CPU of the public pages on the seed content, with an optional profile.

Run: .venv/bin/python -m tests.bench.profile_pages [--rounds 5] [--profile practice|home|search]

A fresh instance under tests/bench/.cache/profile-seed/ is prepared as `kb serve` does (seed
content imported, index caught up); each page is requested through Flask's test client, so the
figures are the server's own CPU per request without the network or the benchmark's clients.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .bench_web import CACHE, QUERIES, _qs, app_settings

FOLDER = CACHE / "profile-seed"


def make_app(folder: Path = FOLDER) -> Any:
    """A prepared seed instance and its app (production-like settings, result cache off)."""
    from kb import create_app
    from kb.cli.commands import prepare

    fresh = not (folder / "instance" / "kb.sqlite3").exists()
    if fresh:
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "instance").mkdir(parents=True)
    app = create_app(app_settings(folder))
    with app.app_context():
        prepare(app)
    return app


def page_paths(app: Any) -> dict[str, list[str]]:
    """The pages measured: home, every published practice, the bench's search queries (FR)."""
    from sqlmodel import Session, select

    from kb import db
    from kb.models import Practice

    with Session(db.get_engine(app)) as session:
        slugs = session.exec(
            select(Practice.slug).where(Practice.state == "published").order_by(Practice.slug)
        ).all()
    return {
        "home": ["/fr/", "/en/"],
        "practice": [f"/{lang}/practices/{s}" for s in slugs for lang in ("fr", "en")],
        "search": [f"/fr/search{_qs(p)}" for p in QUERIES],
        "healthz": ["/healthz"],
    }


def cpu_per_request(client: Any, paths: Sequence[str], rounds: int) -> float:
    """Mean process CPU (ms) per request over `rounds` passes, after one warm-up pass."""
    for path in paths:
        assert client.get(path).status_code == 200, path
    t0 = time.process_time()
    for _ in range(rounds):
        for path in paths:
            client.get(path)
    return (time.process_time() - t0) * 1000 / (rounds * len(paths))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", choices=("home", "practice", "search", "healthz"))
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=45)
    parser.add_argument("--requests", type=int, default=300, help="requests profiled")
    args = parser.parse_args(argv)
    app = make_app()
    client = app.test_client()
    paths = page_paths(app)
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average {load}")
    figures = {name: cpu_per_request(client, p, args.rounds) for name, p in paths.items()}
    for name, ms in figures.items():
        print(f"{name:>9}: {ms:6.2f} ms CPU per request ({len(paths[name])} pages)")
    print(f"practice / home: {figures['practice'] / figures['home']:.2f}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        profiled = paths[args.profile]
        for i in range(args.requests):
            client.get(profiled[i % len(profiled)])
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.limit)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
