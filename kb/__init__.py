"""kb: a bilingual knowledge base of city practices against hate, extremism and polarisation."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from kb import config
from kb.accounts import admin_views as admin
from kb.accounts import api as api_accounts
from kb.accounts import views as account
from kb.cli import commands as cli
from kb.collections import api as api_collections
from kb.collections import curation_views as curation
from kb.collections import views as collection_pages
from kb.distribution import api
from kb.distribution import apidocs_views as apidocs
from kb.distribution import export_views as exports
from kb.distribution import feed_views as feeds
from kb.distribution import webhook_views as admin_webhooks
from kb.moderation import api as api_proposals
from kb.moderation import page_views as page_editing
from kb.moderation import preview_views as preview
from kb.moderation import review_views as review
from kb.moderation import suggest_views as propose
from kb.moderation import views as moderation
from kb.public import blueprint as public_site
from kb.public import search_views, views  # noqa: F401 - their routes join public_site.bp
from kb.search import service as index_ext
from kb.web import auth, csrf, database, i18n, limits, security, urls
from kb.web import errors as errors_web


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, database engine, search index, blueprints, error handlers, CLI."""
    app = Flask(__name__)
    if test_config is None:
        settings = config.load_settings()
    else:
        settings = config.resolve_paths({**config.load_settings({}), **test_config})
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
    i18n.init_app(app)
    security.init_app(app)
    urls.init_app(app)
    auth.init_app(app)
    csrf.init_app(app)
    limits.init_app(app)
    app.register_blueprint(public_site.root)
    app.register_blueprint(public_site.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin_webhooks.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api_accounts.bp)
    app.register_blueprint(curation.bp)
    app.register_blueprint(collection_pages.bp)
    app.register_blueprint(api_collections.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(apidocs.bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(page_editing.bp)
    app.register_blueprint(preview.bp)
    app.register_blueprint(api_proposals.bp)
    app.register_blueprint(propose.bp)
    for blueprint in (api.bp, api_accounts.bp, api_collections.bp, api_proposals.bp):
        csrf.csrf.exempt(blueprint)  # the API reads bearer tokens, never the session cookie
    cli.init_app(app)
    return app
