"""The distribution area's blueprints: webhooks admin, the public API, exports, feeds, API docs."""

from __future__ import annotations

from flask import Blueprint

from kb.distribution import api, apidocs_views, export_views, feed_views, webhook_views

BLUEPRINTS: tuple[Blueprint, ...] = (
    webhook_views.bp, api.bp, export_views.bp, feed_views.bp, apidocs_views.bp,
)  # fmt: skip
# Read bearer tokens, never the session cookie: no CSRF token to ask for.
TOKEN_APIS: tuple[Blueprint, ...] = (api.bp,)
