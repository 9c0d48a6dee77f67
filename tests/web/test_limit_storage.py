"""The SQLite storage of rate-limit counters: the `limits` interface, exact under several
processes, windows that end."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from kb import create_app
from kb.config import load_settings
from kb.web.limit_storage import SQLiteStorage, path_of


def _uri(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ratelimits.sqlite3'}"


def test_the_default_is_a_file_in_the_instance_folder(tmp_path: Path) -> None:
    values = load_settings({"KB_INSTANCE_DIR": str(tmp_path)})
    assert values["KB_RATELIMIT_STORAGE_URL"] == _uri(tmp_path)
    assert path_of(_uri(tmp_path)) == tmp_path / "ratelimits.sqlite3"
    with pytest.raises(ValueError):
        path_of("sqlite://host/file")
    # An app built from a test mapping derives it from that mapping's folder, not ./instance,
    # and opens it only when a limit is first counted.
    app = create_app({"KB_INSTANCE_DIR": str(tmp_path / "i"), "KB_SECRET_KEY": "k"})
    assert app.config["KB_RATELIMIT_STORAGE_URL"] == _uri(tmp_path / "i")
    assert not (tmp_path / "i" / "ratelimits.sqlite3").exists()


def test_the_scheme_gives_this_storage_and_the_fixed_window_counts(tmp_path: Path) -> None:
    storage = storage_from_string(_uri(tmp_path))
    assert isinstance(storage, SQLiteStorage) and storage.check()
    limiter = FixedWindowRateLimiter(storage)
    item = parse("3 per minute")
    assert [limiter.hit(item, "a") for _ in range(4)] == [True, True, True, False]
    assert limiter.hit(item, "b")  # another key, another budget
    reset, remaining = limiter.get_window_stats(item, "a")
    assert remaining == 0 and 0 < reset - time.time() <= 60
    storage.clear(item.key_for("a"))
    assert limiter.hit(item, "a")
    assert storage.reset() == 2 and storage.get(item.key_for("b")) == 0


def test_a_window_that_ended_starts_again_from_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = SQLiteStorage(_uri(tmp_path))
    assert storage.incr("k", 60) == 1 and storage.incr("k", 60, amount=2) == 3
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    assert storage.get("k") == 0 and storage.get_expiry("k") == later
    assert storage.incr("k", 60) == 1 and storage.get_expiry("k") == later + 60


def _hits(uri: str, count: int, accepted: multiprocessing.Queue[int]) -> None:
    limiter = FixedWindowRateLimiter(storage_from_string(uri))
    item = parse("50 per minute")
    accepted.put(sum(limiter.hit(item, "shared") for _ in range(count)))


def test_processes_hitting_one_key_together_accept_exactly_the_limit(tmp_path: Path) -> None:
    uri = _uri(tmp_path)
    SQLiteStorage(uri).check()  # the file and table exist before the race
    context = multiprocessing.get_context("spawn")
    accepted: multiprocessing.Queue[int] = context.Queue()
    workers = [context.Process(target=_hits, args=(uri, 40, accepted)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert sum(accepted.get(timeout=10) for _ in workers) == 50
    assert SQLiteStorage(uri).get(parse("50 per minute").key_for("shared")) == 160
