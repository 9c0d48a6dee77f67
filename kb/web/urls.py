"""Absolute URLs from the public origin (`KB_BASE_URL`), never from the request's Host header.

`KB_TRUSTED_HOSTS` becomes Flask's TRUSTED_HOSTS, so any other Host gets a 400; redirects that
Werkzeug builds with the request's host (a trailing-slash redirect) are re-rooted on the origin.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, current_app, request, url_for


def base_url(app: Flask | None = None) -> str | None:
    base: str | None = (app or current_app).config.get("KB_BASE_URL")
    return base.rstrip("/") if base else None


def absolute(path: str) -> str:
    """`path` (from url_for) as an absolute URL on the public origin."""
    base = base_url()
    if base is None:
        return request.host_url.rstrip("/") + path
    return base + path


def external_url(endpoint: str, **values: Any) -> str:
    """url_for(..., _external=True), but on KB_BASE_URL when it is set."""
    return absolute(url_for(endpoint, **values))


def _reroot_location(response: Response) -> Response:
    base = base_url()
    location = response.headers.get("Location")
    if base and location:
        target = urlsplit(location)
        if target.netloc:  # absolute: Werkzeug built it from the request's host
            origin = urlsplit(base)
            response.headers["Location"] = urlunsplit(
                (origin.scheme, origin.netloc, target.path, target.query, target.fragment)
            )
    return response


def trusted_hosts(value: str | None) -> list[str] | None:
    """The KB_TRUSTED_HOSTS list (None: any host)."""
    hosts = [h.strip() for h in (value or "").split(",") if h.strip()]
    return hosts or None


def init_app(app: Flask) -> None:
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config.get("KB_TRUSTED_HOSTS"))
    app.after_request(_reroot_location)
    app.jinja_env.globals.update(absolute_url=absolute, external_url=external_url)
