"""The practitioners' site's blueprints: the language-less root and the `/<lang>/` pages (the page
and search views add their routes to them)."""

from __future__ import annotations

from flask import Blueprint

from kb.public import search_views, views
from kb.public.blueprint import bp, root

BLUEPRINTS: tuple[Blueprint, ...] = (root, bp)
TOKEN_APIS: tuple[Blueprint, ...] = ()
# The modules whose routes are on `bp`: imported here so that they are registered with it.
ROUTES = (views, search_views)
