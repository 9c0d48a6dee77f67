"""Rate limits with Flask-Limiter: per client address and per account on sign-in and resets.

Flask-Limiter owns the storage and the `limits` strategy: by default a SQLite file in the
instance folder shared by the workers of one machine (`limit_storage`, registered as the
`sqlite://` scheme), `KB_RATELIMIT_STORAGE_URL=redis://…` to share counters between nodes. The
views count attempts explicitly because a sign-in is limited by two keys at once (the address
and the account typed). A breach answers 429 in the reader's language.
Every /api/v1 request counts against its bearer token, or its client address without one, and
its answer carries X-RateLimit-Limit/-Remaining/-Reset.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from flask import Flask, Response, abort, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many
from werkzeug.exceptions import TooManyRequests

from kb import audit
from kb.accounts import accounts
from kb.permissions import Actor
from kb.web import (
    limit_storage,  # noqa: F401  (importing it registers the `sqlite://` storage)
    security_events,
)

API_PREFIX = "/api/v1"


def init_app(app: Flask) -> None:
    # One limiter per app (not per module) so that apps in one process keep separate counters.
    limiter = Limiter(
        key_func=get_remote_address,
        app=app,
        storage_uri=app.config["KB_RATELIMIT_STORAGE_URL"],
        strategy="fixed-window",
        key_prefix=app.config.get("RATELIMIT_KEY_PREFIX", "kb"),
    )
    app.extensions["kb.limiter"] = limiter
    app.before_request(count_api)
    app.after_request(rate_headers)


def _hit(setting: str, scope: str, key: str) -> None:
    limiter: Limiter = current_app.extensions["kb.limiter"]
    if not limiter.enabled:
        return
    items: list[RateLimitItem] = parse_many(current_app.config[setting])
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "kb")
    for item in items:
        if not limiter.limiter.hit(item, prefix, scope, key):
            abort(429, description=f"rate limit exceeded: {item}")


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def count_sign_in(email: str) -> None:
    """One sign-in or reset attempt against the address and the account typed (429 when over).

    The account key is derived from what was typed, whether an account has it or not, so the
    limits reveal nothing about which addresses exist.
    """
    for scope, setting, key in (
        ("address", "KB_RATELIMIT_LOGIN", get_remote_address() or "unknown"),
        ("account", "KB_RATELIMIT_ACCOUNT", _digest(accounts.normalize_email(email or ""))),
    ):
        try:
            _hit(setting, f"login-{scope}", key)
        except TooManyRequests as refused:
            limit = str(refused.description or "").removeprefix("rate limit exceeded: ")
            security_events.report(
                audit.SignInThrottled(security_events.network(), scope, limit),
                Actor.anonymous(address=request.remote_addr),
            )
            raise


@dataclass(frozen=True)
class Window:
    """Where a client stands in its tightest API limit, for the X-RateLimit headers."""

    limit: int
    remaining: int
    reset_in: int  # seconds until the window ends


def _bearer() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def count_api() -> None:
    """Before each /api/v1 request: one hit against its bearer token, else its client address.

    The tightest window is kept for `rate_headers`; over a limit, 429 (the error handler answers
    in the API's JSON error shape, with Retry-After).
    """
    if not request.path.startswith(API_PREFIX):
        return
    limiter: Limiter = current_app.extensions["kb.limiter"]
    if not limiter.enabled:
        return
    token = _bearer()
    setting, scope, key = (
        ("KB_RATELIMIT_API", "api-token", _digest(token))
        if token
        else ("KB_RATELIMIT_API_ANONYMOUS", "api-address", get_remote_address() or "unknown")
    )
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "kb")
    tightest: Window | None = None
    refused: RateLimitItem | None = None
    for item in parse_many(current_app.config[setting]):
        if not limiter.limiter.hit(item, prefix, scope, key):
            refused = refused or item
        reset, remaining = limiter.limiter.get_window_stats(item, prefix, scope, key)
        window = Window(item.amount, remaining, max(0, math.ceil(reset - time.time())))
        if tightest is None or window.remaining < tightest.remaining:
            tightest = window
    g.kb_rate_window = tightest
    if refused is not None:
        who = "this token" if token else "this client address"
        abort(429, description=f"rate limit exceeded: {refused} for {who}")


def rate_headers(response: Response) -> Response:
    """The X-RateLimit headers of an API answer (429 answers add Retry-After)."""
    window: Window | None = g.get("kb_rate_window")
    if window is not None:
        response.headers["X-RateLimit-Limit"] = str(window.limit)
        response.headers["X-RateLimit-Remaining"] = str(window.remaining)
        response.headers["X-RateLimit-Reset"] = str(window.reset_in)
        if response.status_code == 429:
            response.headers["Retry-After"] = str(max(1, window.reset_in))
    return response


def count_suggestion() -> None:
    """One public suggestion or error report from this address (429 when over)."""
    _hit("KB_RATELIMIT_PROPOSE", "propose-address", get_remote_address() or "unknown")
