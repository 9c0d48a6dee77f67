"""The moderation area's blueprints: queue and editor, reviews, page edits, previews, the API,
public suggestions."""

from __future__ import annotations

from flask import Blueprint

from kb.moderation import api, page_views, preview_views, review_views, suggest_views, views

BLUEPRINTS: tuple[Blueprint, ...] = (
    views.bp, review_views.bp, page_views.bp, preview_views.bp, api.bp, suggest_views.bp,
)  # fmt: skip
# Read bearer tokens, never the session cookie: no CSRF token to ask for.
TOKEN_APIS: tuple[Blueprint, ...] = (api.bp,)
