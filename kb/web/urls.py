"""Absolute URLs from the public origin (`KB_BASE_URL`), never from the request's Host header.

`KB_TRUSTED_HOSTS` becomes Flask's TRUSTED_HOSTS, so any other Host gets a 400. Unset, kb answers
only to loopback names and the host of `KB_BASE_URL`: a forgotten setting must not let a Host
header choose the links kb writes. Redirects that Werkzeug builds with the request's host (a
trailing-slash redirect) are re-rooted on the origin. Links in e-mail come from `KB_BASE_URL`
only; without it they are built for a request on a loopback name (local use) and refused
otherwise.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, current_app, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import ServiceUnavailable

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = ("localhost", "127.0.0.1")
ANY_HOST = "*"


class NoPublicOrigin(ServiceUnavailable):
    """A link for an e-mail is needed and KB_BASE_URL, the only origin trusted for it, is unset."""

    operator_message = True


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


def _is_loopback(host: str) -> bool:
    return (urlsplit(f"//{host}").hostname or "") in LOOPBACK_HOSTS


def mail_url(endpoint: str, **values: Any) -> str:
    """An absolute URL to put in an e-mail, which leaves the site and must not follow the Host."""
    path = url_for(endpoint, **values)
    base = base_url()
    if base is not None:
        return base + path
    if _is_loopback(request.host):
        return request.host_url.rstrip("/") + path
    log.error(
        "an e-mail needs a link and KB_BASE_URL is not set: set it to the site's public origin "
        "(e.g. https://kb.example.org); links are never built from the request's Host header"
    )
    raise NoPublicOrigin(
        _(
            "This message cannot be sent: the site's public address (KB_BASE_URL) is not "
            "configured. Ask the site's operator to set it."
        )
    )


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


def trusted_hosts(value: str | None, base: str | None = None) -> list[str] | None:
    """Flask's TRUSTED_HOSTS from KB_TRUSTED_HOSTS: "*" is any host (None); unset, the loopback
    names and the host of KB_BASE_URL."""
    if value is not None and value.strip() == ANY_HOST:
        return None
    hosts = [h.strip() for h in (value or "").split(",") if h.strip()]
    if hosts:
        return hosts
    defaults = list(LOOPBACK_HOSTS)
    origin_host = urlsplit(base).hostname if base else None
    if origin_host and origin_host not in defaults:
        defaults.append(origin_host)
    return defaults


def listening_warning(app: Flask, listen_host: str) -> str | None:
    """What `kb serve` says when it listens beyond loopback with the default trusted hosts."""
    if app.config.get("KB_TRUSTED_HOSTS") or listen_host in (*LOOPBACK_HOSTS, "::1"):
        return None
    hosts = ", ".join(app.config.get("TRUSTED_HOSTS") or ())
    return (
        f"warning: listening on {listen_host} with KB_TRUSTED_HOSTS unset: kb answers only to "
        f"the host names {hosts} (any other Host header gets a 400); set KB_TRUSTED_HOSTS to "
        "the names clients use, and KB_BASE_URL to the public origin"
    )


def init_app(app: Flask) -> None:
    app.config["TRUSTED_HOSTS"] = trusted_hosts(
        app.config.get("KB_TRUSTED_HOSTS"), app.config.get("KB_BASE_URL")
    )
    app.after_request(_reroot_location)
    app.jinja_env.globals.update(absolute_url=absolute, external_url=external_url)
