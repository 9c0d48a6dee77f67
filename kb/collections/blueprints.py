"""The collections area's blueprints: curation, the public pages, the API."""

from __future__ import annotations

from flask import Blueprint

from kb.collections import api, curation_views, views

BLUEPRINTS: tuple[Blueprint, ...] = (curation_views.bp, views.bp, api.bp)
# Read bearer tokens, never the session cookie: no CSRF token to ask for.
TOKEN_APIS: tuple[Blueprint, ...] = (api.bp,)
