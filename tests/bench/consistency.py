"""The consistency column of the web benchmark: a publisher edits practices under load.

While the 8 search clients run, a publisher process edits practices through kb's one write
path (`practices.update`, then `uow.commit` with the index, as a moderator's approval does in a
worker), on the same database and index folder as the served instance. Each edit appends a new
made-up word to the practice's summaries and drops the previous one. Once an edit is committed
(acknowledged), the publisher asks the server, on a new connection each time so either worker
may answer:

- a search for the new word lists the edited practice, exactly once;
- a search for the word it replaced no longer lists it (`exact=1`: no did-you-mean).

Anything else is a violation, as is a practice listed twice in any load response
(`web_clients.duplicates`). The figure to report is the count of violations: it must be 0.
"""

from __future__ import annotations

import http.client
import multiprocessing
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .web_clients import result_slugs

SPAWN = multiprocessing.get_context("spawn")
# Consonants other than s: no stemmer in either language folds two of these words together.
LETTERS = "bcdfghjklmnpqrtvwxz"
PAUSE_S = 0.1  # between edits: the load, not the publisher, should fill the CPU


def word(run: str, n: int) -> str:
    """The made-up word of edit n: letters only, so that both analysers keep it whole."""
    tail = ""
    for _ in range(4):
        n, k = divmod(n, len(LETTERS))
        tail += LETTERS[k]
    return f"kbedit{run}{tail}"


@dataclass
class EditReport:
    edits: int = 0
    checks: int = 0
    violations: list[str] = field(default_factory=list)
    commit_ms: list[float] = field(default_factory=list)
    visible_ms: list[float] = field(default_factory=list)


def _listed(port: int, text: str) -> list[str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", f"/fr/search?{urlencode({'q': text, 'exact': '1'})}")
        resp = conn.getresponse()
        body = resp.read().decode("utf-8", "replace")
        if resp.status != 200:
            raise RuntimeError(f"search {text!r} answered {resp.status}")
        listed: list[str] = result_slugs(body)
        return listed
    finally:
        conn.close()


def _publisher(settings: dict[str, Any], port: int, slugs: list[str], run: str,
               ready: Any, stop: Any, conn: Any) -> None:
    """Child process: edit `slugs` in turn until `stop` is set; report what the server showed."""
    from sqlmodel import Session, select

    from kb import create_app, db, uow
    from kb.catalogue import practices, taxonomy
    from kb.catalogue.reads import to_data
    from kb.models import Practice
    from kb.permissions import Actor
    from kb.search.service import get_index, reset

    app = create_app(settings)
    report = EditReport()
    last: dict[str, str] = {}
    actor = Actor.system("bench-publisher")
    with app.app_context(), Session(db.get_engine(app), expire_on_commit=False) as session:
        index = get_index(session, app)
        vocabulary = taxonomy.load(session)
        originals = {}
        for slug in slugs:
            p = session.exec(select(Practice).where(Practice.slug == slug)).one()
            originals[slug] = to_data(session, p)
        n = 0
        while not stop.is_set():
            slug = slugs[n % len(slugs)]
            new = word(run, n)
            practice = session.exec(select(Practice).where(Practice.slug == slug)).one()
            base = originals[slug]
            data = replace(base, summary_fr=f"{base.summary_fr} {new}",
                           summary_en=f"{base.summary_en} {new}")
            t0 = time.perf_counter()
            assert practice.id is not None
            practices.update(session=session, actor=actor, practice_id=practice.id, data=data,
                             expected_version=practice.version, vocabulary=vocabulary)
            uow.commit(session=session, index=index)
            acknowledged = time.perf_counter()
            report.commit_ms.append((acknowledged - t0) * 1000)
            report.edits += 1
            found = _listed(port, new)
            report.visible_ms.append((time.perf_counter() - acknowledged) * 1000)
            report.checks += 1
            if found != [slug]:
                report.violations.append(f"edit {n}: {new!r} lists {found}, expected [{slug!r}]")
            old = last.get(slug)
            if old is not None:
                report.checks += 1
                if slug in _listed(port, old):
                    report.violations.append(f"edit {n}: replaced word {old!r} still finds {slug}")
            last[slug] = new
            n += 1
            ready.set()  # the first edit is through: the measured load may start
            stop.wait(PAUSE_S)
        reset(app)
    db.get_engine(app).dispose()
    conn.send(report)
    conn.close()


class Publisher:
    """The publisher process, running for the duration of a `with` block."""

    def __init__(self, folder: Path, port: int, slugs: list[str]) -> None:
        from .bench_web import app_settings

        self.settings = app_settings(folder)
        self.port, self.slugs = port, slugs
        self.run = "".join(LETTERS[int(c, 16) % len(LETTERS)] for c in f"{time.time_ns():x}"[-3:])
        self.report = EditReport()

    def __enter__(self) -> Publisher:
        self.stop, ready = SPAWN.Event(), SPAWN.Event()
        self.parent, child = SPAWN.Pipe(duplex=False)
        self.proc = SPAWN.Process(
            target=_publisher,
            args=(self.settings, self.port, self.slugs, self.run, ready, self.stop, child),
        )
        self.proc.start()
        child.close()
        if not ready.wait(120):
            self.__exit__()
            raise SystemExit(f"the publisher made no edit in 120 s: {self.report.violations}")
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        try:
            self.report = self.parent.recv()
        except EOFError:
            self.report.violations.append(f"the publisher failed (exit {self.proc.exitcode})")
        self.proc.join()
