"""kb: a bilingual knowledge base of city practices against hate, extremism and polarisation."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

# The areas with pages or an API; each declares its blueprints in `kb/<area>/blueprints.py`.
AREAS = ("public", "accounts", "distribution", "collections", "moderation")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, database engine, search index, blueprints, error handlers, CLI.

    Flask and the web plumbing are imported here, not at the top: every `import kb.<module>` runs
    this package first, and the CLI's domain commands, the indexer's children and the tests of
    plain domain functions should not pay for the web stack."""
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    from kb import config
    from kb.cli import commands as cli
    from kb.search import service as index_ext
    from kb.web import auth, bounds, csrf, database, i18n, limits, security, urls
    from kb.web import errors as errors_web

    app = Flask(__name__)
    if test_config is None:
        settings = config.load_settings()
    else:
        # Paths derived after the overrides, so that they follow the test's instance folder.
        settings = config.resolve_paths({**config.declared_settings({}), **test_config})
    app.config.update(settings)
    for key, value in (test_config or {}).items():
        if not key.startswith("KB_"):
            app.config[key] = value
    Path(app.config["KB_INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    app.config["SECRET_KEY"] = app.config.get("KB_SECRET_KEY") or config.ensure_secret_key(
        app.config["KB_INSTANCE_DIR"]
    )
    app.config.setdefault("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    logging.basicConfig(level=app.config["KB_LOG_LEVEL"])
    if app.config.get("KB_TRUST_PROXY"):
        hops = int(app.config["KB_PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    database.init_app(app)
    index_ext.init_app(app)
    errors_web.init_app(app)
    bounds.init_app(app)  # before any blueprint: its <int:…> rules use the bounded converter
    i18n.init_app(app)
    security.init_app(app)
    urls.init_app(app)
    auth.init_app(app)
    csrf.init_app(app)
    limits.init_app(app)
    for area in AREAS:
        blueprints = importlib.import_module(f"kb.{area}.blueprints")
        for blueprint in blueprints.BLUEPRINTS:
            app.register_blueprint(blueprint)
        for blueprint in blueprints.TOKEN_APIS:
            csrf.csrf.exempt(blueprint)
    cli.init_app(app)
    return app
