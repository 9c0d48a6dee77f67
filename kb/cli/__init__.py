"""The `kb` command: one module per group of commands; `commands.init_app` registers them all."""

from __future__ import annotations

from flask import Flask, current_app


def running_app() -> Flask:
    """The app the running command was built on (the object, not the context-local proxy)."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return app
