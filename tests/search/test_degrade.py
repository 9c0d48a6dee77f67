"""Degrade, never fail: a broken search index never breaks a page.

A write error while catching up (a full disk) leaves the current searcher serving; a deleted or
corrupt index folder under a running server turns search into a database search with a notice,
practice pages still render, /healthz says why, and the server repairs the index in the
background, once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, select

from kb import db
from kb.catalogue import practices
from kb.models import Practice
from kb.search import health as search_health
from kb.search import service as index_ext
from tests.conftest import ROOT
from tests.writes import committed

# Whoosh leaves a corrupt table-of-contents file open when it fails to parse it; the garbage
# collector closes it later. That is Whoosh's failure path, not kb's.
pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

REBUILDING_EN = "Search is being rebuilt"
REBUILDING_FR = "La recherche est en cours de reconstruction"


def _first_published(app: Flask) -> Practice:
    with Session(db.get_engine(app)) as session:
        return session.exec(
            select(Practice).where(Practice.state == "published").order_by(Practice.id)
        ).first()  # type: ignore[return-value]


def _break_by_deleting(app: Flask) -> None:
    shutil.rmtree(app.config["KB_INDEX_DIR"])


def _break_by_corrupting(app: Flask) -> None:
    current = Path(app.config["KB_INDEX_DIR"]) / "current"
    for path in current.resolve().iterdir():
        if path.suffix in (".toc", ".seg", ".trm", ".pst", ".vps") or path.name.startswith("_"):
            path.write_bytes(b"\x00garbage" * 64)
    # The open searcher keeps serving from what it holds in memory; the next change the index
    # must apply reads the corrupt files, as it would on a live server.
    with Session(db.get_engine(app)) as session:
        p = _first_published(app)
        committed(
            practices.set_state, session=session, index=None, practice_id=p.id,
            state="archived", expected_version=p.version,
        )


@pytest.fixture(params=["deleted", "corrupted"])
def broken(request: pytest.FixtureRequest, seeded: Flask) -> Flask:
    """A seeded app that has served a search, whose index folder then breaks under it."""
    client = seeded.test_client()
    assert client.get("/en/search?q=hate").status_code == 200
    {"deleted": _break_by_deleting, "corrupted": _break_by_corrupting}[request.param](seeded)
    return seeded


def test_search_still_answers_from_the_database_with_a_notice(broken: Flask) -> None:
    practice = _first_published(broken)
    # Its whole title: one word of it may be in more practices than a page shows.
    response = broken.test_client().get("/en/search", query_string={"q": practice.title_en})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    index_ext.wait_for_repair(broken)
    assert REBUILDING_EN in page
    assert f"/en/practices/{practice.slug}" in page


def test_the_notice_is_in_french_on_french_pages(broken: Flask) -> None:
    response = broken.test_client().get("/fr/search?q=ville")
    index_ext.wait_for_repair(broken)
    assert response.status_code == 200 and REBUILDING_FR in response.get_data(as_text=True)


def test_a_facets_values_page_answers_with_the_notice(broken: Flask) -> None:
    response = broken.test_client().get("/fr/search/filters/city?q=ville")
    index_ext.wait_for_repair(broken)
    assert response.status_code == 200 and REBUILDING_FR in response.get_data(as_text=True)


def test_practice_pages_and_the_api_still_answer(broken: Flask) -> None:
    client = broken.test_client()
    practice = _first_published(broken)
    page = client.get(f"/fr/practices/{practice.slug}")
    api = client.get("/api/v1/search?q=city")
    suggest = client.get("/api/v1/suggest?q=ha")
    home = client.get("/en/")
    index_ext.wait_for_repair(broken)
    assert page.status_code == 200
    assert f"/en/practices/{practice.slug}" in page.get_data(as_text=True)  # the twin link
    assert api.status_code == 200 and api.json is not None
    assert home.status_code == 200 and suggest.status_code == 200


def test_healthz_says_rebuilding_then_ok_once_repaired_in_the_background(broken: Flask) -> None:
    client = broken.test_client()
    # Hold the folder's opening lock so that the background repair cannot finish before /healthz
    # is asked (a 37-practice rebuild can take less time than the next request).
    with index_ext._opening_lock(broken.config["KB_INDEX_DIR"]):
        client.get("/en/search?q=hate")  # the request that finds the index broken
        during = client.get("/healthz")
    assert index_ext.wait_for_repair(broken, timeout=60)
    after = client.get("/healthz")
    assert during.status_code == 503 and during.json is not None
    assert during.json["status"] == "rebuilding" and during.json["reason"]
    assert after.status_code == 200 and after.json is not None
    assert after.json["index_lag"] == 0 and after.json["index_documents"] > 0
    results = client.get("/api/v1/search?q=hate").json
    assert results is not None and results["degraded"] is False and results["total"] > 0


def test_the_database_fallback_applies_filters(seeded: Flask) -> None:
    practice = _first_published(seeded)
    client = seeded.test_client()
    client.get("/en/")
    _break_by_deleting(seeded)
    same = client.get(f"/api/v1/search?country={practice.country}").json
    none = client.get("/api/v1/search?country=ZZ").json
    index_ext.wait_for_repair(seeded)
    assert same is not None and same["degraded"] is True and "search_rebuilding" in same["notices"]
    assert practice.slug in [r["slug"] for r in same["results"]]
    assert all(r["country"] == practice.country for r in same["results"])
    assert none is not None and none["total"] == 0


def test_repeated_corruption_keeps_a_bounded_number_of_corrupt_generations(seeded: Flask) -> None:
    client = seeded.test_client()
    keep = seeded.config["KB_INDEX_KEEP_CORRUPT"]
    for _ in range(keep + 3):
        client.get("/en/search?q=hate")
        _break_by_corrupting(seeded)
        client.get("/en/search?q=hate")
        assert index_ext.wait_for_repair(seeded, timeout=60)
    root = Path(seeded.config["KB_INDEX_DIR"])
    aside = [p for p in root.iterdir() if p.name.startswith("corrupt-")]
    generations = [p for p in root.iterdir() if p.name.startswith("gen-")]
    assert 1 <= len(aside) <= keep
    assert len(generations) <= 2


# --- a full disk, for real: the index folder on a 4 MB tmpfs in a private mount namespace ----

PROBE = textwrap.dedent(
    """
    import json, os, shutil, sys
    from kb import create_app, db
    from kb.catalogue import practices
    from kb.models import Practice
    from tests.writes import committed
    from sqlmodel import Session, select
    db_url, seeded_index, mount = sys.argv[1:4]
    index_dir = os.path.join(mount, "index")
    shutil.copytree(seeded_index, index_dir, symlinks=True)
    app = create_app({"TESTING": True, "KB_INSTANCE_DIR": os.path.join(mount, "..", "inst"),
                      "KB_DATABASE_URL": db_url, "KB_INDEX_DIR": index_dir})
    client = app.test_client()
    assert client.get("/en/search?q=hate").status_code == 200
    with Session(db.get_engine(app)) as session:  # a change the index has not applied yet
        p = session.exec(select(Practice).where(Practice.state == "published")).first()
        committed(
            practices.set_state, session=session, index=None, practice_id=p.id,
            state="archived", expected_version=p.version,
        )
        slug = session.exec(select(Practice.slug).where(Practice.state == "published")).first()
    with open(os.path.join(mount, "filler"), "wb") as filler:  # fill the disk
        try:
            while True:
                filler.write(b"\\0" * 65536)
                filler.flush()
        except OSError:
            pass
    out = {}
    for name, url in [("search", "/en/search?q=hate"), ("api", "/api/v1/search?q=city"),
                      ("practice", "/fr/practices/" + slug), ("home", "/fr/"),
                      ("healthz", "/healthz")]:
        r = client.get(url)
        out[name] = [r.status_code, r.get_data(as_text=True)[:4000]]
    print(json.dumps(out))
    """
)


def _can_mount_tmpfs() -> bool:
    if not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
        capture_output=True,
    )
    return probe.returncode == 0


@pytest.mark.skipif(
    not _can_mount_tmpfs(), reason="cannot mount a tmpfs (needs unshare and user namespaces)"
)
def test_a_full_disk_while_catching_up_serves_from_the_current_searcher(
    seeded: Flask, tmp_path: Path
) -> None:
    mount = tmp_path / "small-disk"
    mount.mkdir()
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    index_ext.reset(seeded)
    command = (
        f"mount -t tmpfs -o size=4m tmpfs {mount} && exec {sys.executable} {script} "
        f"'{seeded.config['KB_DATABASE_URL']}' {seeded.config['KB_INDEX_DIR']} {mount}"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    for name in ("search", "api", "practice", "home"):
        assert out[name][0] == 200, (name, out[name][1][:500])
    health = json.loads(out["healthz"][1])
    assert out["healthz"][0] == 503
    assert "cannot be written" in health["reason"] and "space" in health["reason"]
    assert "index is being rebuilt" not in out["search"][1]  # the current searcher served it


def test_healthz_reports_a_lag_beyond_the_limit(make_app: object, seeded: Flask) -> None:
    seeded.config["KB_HEALTH_MAX_LAG"] = 0
    client: FlaskClient = seeded.test_client()
    assert client.get("/healthz").status_code == 200
    with Session(db.get_engine(seeded)) as session:
        p = _first_published(seeded)
        committed(
            practices.set_state,
            session=session,
            index=None,
            practice_id=p.id,
            state="archived",
            expected_version=1,
        )
    # A held writer lock keeps the index from catching up: the lag stays visible.
    from whoosh import index as whoosh_index

    current = Path(seeded.config["KB_INDEX_DIR"]) / "current"
    lock = whoosh_index.open_dir(str(current.resolve())).lock("WRITELOCK")
    assert lock.acquire(blocking=False)
    try:
        response = client.get("/healthz")
    finally:
        lock.release()
    assert response.status_code == 503 and response.json is not None
    assert response.json["status"] == "lagging" and "KB_HEALTH_MAX_LAG=0" in response.json["reason"]


def test_an_index_that_cannot_be_repaired_is_tried_once_per_backoff_not_per_request(
    seeded: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    client = seeded.test_client()
    client.get("/en/search?q=hate")
    folder = Path(seeded.config["KB_INDEX_DIR"])
    shutil.rmtree(folder)
    folder.write_text("not a folder")  # nothing can create the index here
    try:
        for _ in range(5):
            assert client.get("/en/search?q=hate").status_code == 200
            index_ext.wait_for_repair(seeded)
        health = client.get("/healthz")
    finally:
        folder.unlink()
    failures = [r for r in caplog.records if "repair failed" in r.getMessage()]
    assert len(failures) == 1
    assert health.status_code == 503 and health.json is not None
    assert health.json["status"] == "rebuilding"


def test_healthz_trusts_a_write_probe_briefly_and_probes_again_after_a_failure(
    seeded: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A poll under load does not fsync each time; a folder that stops taking writes is seen
    once the last good probe is PROBE_TTL old, and every poll after a failure probes again."""
    client: FlaskClient = seeded.test_client()
    assert client.get("/healthz").status_code == 200
    real_fsync = os.fsync

    def no_space(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    assert client.get("/healthz").status_code == 200  # the probe of a moment ago still holds
    monkeypatch.setattr(search_health, "PROBE_TTL", 0.0)
    failed = client.get("/healthz")
    assert failed.status_code == 503
    assert "cannot be written" in failed.get_json()["reason"]
    monkeypatch.setattr(search_health, "PROBE_TTL", 3600.0)
    assert client.get("/healthz").status_code == 503  # a failure is never trusted
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert client.get("/healthz").status_code == 200
