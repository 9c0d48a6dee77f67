"""HTTP security and caching headers on every response.

- Security headers (CSP and friends) everywhere.
- HTTPS (seen directly, or through KB_TRUST_PROXY's proxies): HSTS, and `Secure` added to every
  cookie the response sets, whoever set it (language, session, login).
- Cache-Control by kind of response, unless the view chose one: public pages and the API are
  cached briefly and revalidated with an ETag (a 304 when nothing changed); anything else —
  other methods, errors, redirects, /healthz, any request carrying a session cookie (a person
  logged in) — is `no-store`. Views behind a login can say so explicitly with `@no_store`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, make_response, request

# No inline script or style anywhere: JSON-LD data blocks are not executed, so CSP allows them.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"
# Seconds a shared cache may reuse a response before revalidating it with its ETag.
MAX_AGE = {"public": 300, "root": 300, "api": 60}
NO_STORE = "no-store"
NEVER_CACHED = {"root.healthz", "root.choose_language"}

F = TypeVar("F", bound=Callable[..., Any])


def never_cache(response: Response) -> Response:
    """An after_request hook for blueprints whose every page is personal (account, moderation,
    curation, admin): neither a browser nor a proxy keeps them."""
    response.headers["Cache-Control"] = NO_STORE
    return response


def no_store(view: F) -> F:
    """Mark a view's responses `Cache-Control: no-store` (pages behind a login, forms)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Response:
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = NO_STORE
        return response

    return wrapped  # type: ignore[return-value]


def add_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
        _secure_cookies(response)
    return response


def _secure_cookies(response: Response) -> None:
    cookies = response.headers.getlist("Set-Cookie")
    if not cookies:
        return
    response.headers.remove("Set-Cookie")
    for cookie in cookies:
        flags = {part.strip().lower() for part in cookie.split(";")[1:]}
        response.headers.add("Set-Cookie", cookie if "secure" in flags else f"{cookie}; Secure")


def _logged_in() -> bool:
    name = current_app.config.get("SESSION_COOKIE_NAME", "session")
    return name in request.cookies


def cache_policy(response: Response) -> Response:
    """Cache-Control (and ETag revalidation) by kind of response; a view's own choice stands."""
    if "Cache-Control" in response.headers:
        return response
    blueprint = request.blueprint or ""
    cacheable = (
        request.method in ("GET", "HEAD")
        and response.status_code in (200, 304)
        and blueprint in MAX_AGE
        and request.endpoint not in NEVER_CACHED
        and not _logged_in()
        and not response.headers.getlist("Set-Cookie")
    )
    if not cacheable:
        response.headers["Cache-Control"] = NO_STORE
        return response
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE[blueprint]
    response.vary.add("Cookie")
    if not response.is_streamed and not response.get_etag()[0]:
        response.add_etag()
    return cast(Response, response.make_conditional(request))


def init_app(app: Flask) -> None:
    # after_request runs in reverse order of registration: the cache policy before the headers.
    app.after_request(add_headers)
    app.after_request(cache_policy)
