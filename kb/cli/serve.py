"""`kb serve` on gunicorn: several worker processes on one index folder (POSIX only).

Importing this module fails where gunicorn is not installed; `kb serve` then falls back to
waitress. The app is built once in the master; its database connections and index are closed
before the workers fork, so each worker opens its own and they converge through the change log.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from kb import db
from kb.search.service import reset


class _KbApplication(BaseApplication):  # type: ignore[misc]
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._app


def _detach(app: Flask) -> None:
    """Forget connections and the open index inherited from the master."""
    reset(app)
    db.get_engine(app).dispose(close=False)


# Seconds an idle keep-alive connection stays open: gunicorn's 2 s default reset connections
# that clients' pools (browsers, requests/urllib3, nginx's upstream keepalive at 60 s) still
# held, and the next POST on them failed. Longer than those pools keep one idle.
KEEPALIVE_SECONDS = 75


def gunicorn_options(
    app: Flask, *, host: str, port: int, workers: int, threads: int
) -> dict[str, Any]:
    """gunicorn's settings for `kb serve`."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        # A first request may rebuild a missing index; the gthread worker's heartbeat does
        # not depend on it, so this only bounds a stuck request.
        "timeout": 120,
        "graceful_timeout": 10,
        "keepalive": KEEPALIVE_SECONDS,
        # X-Forwarded-Proto is believed only as KB_TRUST_PROXY says (gunicorn's default
        # trusts it from 127.0.0.1 whatever kb is told); with a proxy, the app's ProxyFix
        # reads the headers, hop count included.
        "forwarded_allow_ips": "127.0.0.1,::1" if app.config.get("KB_TRUST_PROXY") else "",
        "accesslog": None,
        "post_fork": lambda _server, _worker: _detach(app),
    }


def serve_with_gunicorn(app: Flask, *, host: str, port: int, workers: int, threads: int) -> None:
    """Run gunicorn's threaded workers on the app until interrupted."""
    reset(app)
    db.get_engine(app).dispose()
    options = gunicorn_options(app, host=host, port=port, workers=workers, threads=threads)
    _KbApplication(app, options).run()
