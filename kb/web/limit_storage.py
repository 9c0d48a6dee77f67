"""Rate-limit counters in a SQLite file, shared by every worker process of one machine.

A `limits` storage registered under the `sqlite://` scheme, so Flask-Limiter and the `limits`
strategies use it like their own `memory://` or `redis://`: `sqlite:////abs/path/file.sqlite3`.
It is kb's default (`<instance>/ratelimits.sqlite3`) because `memory://` keeps one set of counters
per process, which multiplied every limit by the number of gunicorn workers, and the embedded
default must need nothing installed; several machines share counters through Redis instead.

Why a file of its own rather than the app's database: every API request writes a counter, and
on SQLite those writes would queue behind the app's one writer lock (and on PostgreSQL add a
write per request to the shared database); counters need no migration and no backup.

kb uses the fixed-window strategy, so only the base `Storage` interface is implemented (no
moving or sliding window).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import urllib.parse
from pathlib import Path

from limits.storage import Storage

# How often (seconds) a process deletes windows that ended, so the file stays small.
_SWEEP_EVERY = 60.0
# How long a worker waits for another's write before giving up (each write is a few statements).
_BUSY_TIMEOUT = 10.0

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS counters ("
    " key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at REAL NOT NULL)"
)


def path_of(uri: str) -> Path:
    """The file of a `sqlite:///relative` or `sqlite:////absolute` storage URL."""
    parsed = urllib.parse.urlparse(uri)
    path = urllib.parse.unquote(parsed.path)
    if parsed.netloc or not path.startswith("/") or path == "/":
        raise ValueError(f"expected sqlite:///<file>, got {uri!r}")
    return Path(path[1:])  # as SQLAlchemy reads sqlite URLs: the first slash ends the authority


class SQLiteStorage(Storage):
    """Fixed-window counters, one row per key, incremented atomically under `BEGIN IMMEDIATE`."""

    STORAGE_SCHEME = ["sqlite"]

    def __init__(
        self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool
    ) -> None:
        self.path = path_of(uri or "")
        # One connection per thread and per process: a connection must not cross a fork
        # (gunicorn forks after the app is built) nor be shared by waitress's threads.
        self._local = threading.local()
        self._last_sweep = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        pid = os.getpid()
        cached: tuple[int, sqlite3.Connection] | None = getattr(self._local, "connection", None)
        if cached is not None and cached[0] == pid:
            return cached[1]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            self.path, timeout=_BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
        )
        # WAL lets readers go on during a write; counters need no fsync per commit (a crash
        # forgets at most the last attempts of a window).
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(_SCHEMA)
        self._local.connection = (pid, connection)
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add `amount` to the key's window, starting a new window of `expiry` s if it ended."""
        now = time.time()
        connection = self._connection()
        # IMMEDIATE takes the write lock before reading, so two workers never both read the
        # old value: the count is exact however many processes hit the same key.
        connection.execute("BEGIN IMMEDIATE")
        try:
            row = connection.execute(
                "INSERT INTO counters (key, value, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET"
                "  value = CASE WHEN expires_at <= ? THEN excluded.value"
                "               ELSE value + excluded.value END,"
                "  expires_at = CASE WHEN expires_at <= ? THEN excluded.expires_at"
                "                    ELSE expires_at END"
                " RETURNING value",
                (key, amount, now + expiry, now, now),
            ).fetchone()
            if now - self._last_sweep > _SWEEP_EVERY:
                self._last_sweep = now
                connection.execute("DELETE FROM counters WHERE expires_at <= ?", (now,))
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return int(row[0])

    def _live(self, column: str, key: str, now: float) -> float | None:
        """The column of the key's window if it has not ended yet."""
        sql = f"SELECT {column} FROM counters WHERE key = ? AND expires_at > ?"
        row = self._connection().execute(sql, (key, now)).fetchone()
        return None if row is None else float(row[0])

    def get(self, key: str) -> int:
        value = self._live("value", key, time.time())
        return 0 if value is None else int(value)

    def get_expiry(self, key: str) -> float:
        now = time.time()
        expires_at = self._live("expires_at", key, now)
        return now if expires_at is None else expires_at

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        cursor = self._connection().execute("DELETE FROM counters")
        return cursor.rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))
