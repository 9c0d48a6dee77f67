"""Publish -> searchable: time from a moderator's approval to the practice in the public search.

Usage: .venv/bin/python -m tests.bench.bench_publish [N]   (SQLite and an index in a temp folder,
with the seed content imported; each round submits a new spotlight, approves it through
`reviews.decide`, commits with `uow.commit` and searches for it until found.)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from sqlmodel import Session

from indexer import Query
from kb import create_app, db, uow
from kb.accounts import accounts
from kb.catalogue import taxonomy
from kb.catalogue.data import PracticeData, SourceData
from kb.moderation import practice_subject as proposals
from kb.moderation import reviews
from kb.permissions import Actor
from kb.search import index_sync as search
from kb.search.service import get_index, reset

ROOT = Path(__file__).resolve().parents[2]


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "KB_INSTANCE_DIR": f"{tmp}/instance",
                "KB_DATABASE_URL": f"sqlite:///{tmp}/kb.sqlite3",
                "KB_INDEX_DIR": f"{tmp}/index",
                "KB_CONTENT_DIR": str(ROOT / "content"),
                "KB_LOG_LEVEL": "WARNING",
            }
        )
        runner = app.test_cli_runner()
        for args in (["db", "upgrade"], ["import"]):
            assert runner.invoke(args=args).exit_code == 0
        system = Actor.system("bench")
        with Session(db.get_engine(app), expire_on_commit=False) as s:
            writer = accounts.create(
                session=s,
                actor=system,
                email="w@example.org",
                display_name="W",
                roles={"contributor"},
                password="x" * 12,
            )
            mod = accounts.create(
                session=s,
                actor=system,
                email="m@example.org",
                display_name="M",
                roles={"moderator"},
                password="x" * 12,
            )
            uow.commit(session=s)
            index = get_index(s, app)
            vocabulary = taxonomy.load(s)
            base = PracticeData(
                slug="bench",
                title_fr="Pratique de mesure",
                title_en="Benchmark practice",
                summary_fr="Une ville mesure.",
                summary_en="A city measures.",
                language="en",
                cities=("Benchville",),
                country="FR",
                themes=("social-cohesion",),
                lead_organisation="City",
                status="ongoing",
                evidence_level="none-found",
                sources=(SourceData("Source", "https://example.org/"),),
            )
            timings = []
            for n in range(rounds):
                word = f"zyxword{n}"
                data = replace(base, slug=f"bench-{n}", title_en=f"Benchmark {word}")
                proposal = proposals.start(session=s, actor=writer.actor(), data=data)
                assert proposal.id is not None
                proposals.submit(
                    session=s, actor=writer.actor(), proposal_id=proposal.id, vocabulary=vocabulary
                )
                uow.commit(session=s)
                started = time.perf_counter()
                reviews.decide(
                    session=s,
                    actor=mod.actor(),
                    proposal_id=proposal.id,
                    decision="approve",
                    vocabulary=vocabulary,
                    checklist=dict.fromkeys(reviews.CHECKLIST, True),
                )
                uow.commit(session=s, index=index)
                while not search.search(session=s, index=index, query=Query(text=word)).practices:
                    time.sleep(0.001)
                timings.append(time.perf_counter() - started)
            ms = sorted(t * 1000 for t in timings)
            p90 = ms[int(0.9 * (len(ms) - 1))]
            print(
                f"publish -> searchable over {rounds} approvals (seed content + {rounds}): "
                f"median {statistics.median(ms):.0f} ms, p90 {p90:.0f} ms, max {ms[-1]:.0f} ms"
            )
        reset(app)
        db.get_engine(app).dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
