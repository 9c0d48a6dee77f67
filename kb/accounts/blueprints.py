"""The accounts area's blueprints: account pages, the admin's accounts and audit log, the API."""

from __future__ import annotations

from flask import Blueprint

from kb.accounts import admin_views, api, views

BLUEPRINTS: tuple[Blueprint, ...] = (views.bp, admin_views.bp, api.bp)
# Read bearer tokens, never the session cookie: no CSRF token to ask for.
TOKEN_APIS: tuple[Blueprint, ...] = (api.bp,)
