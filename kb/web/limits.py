"""Rate limits with Flask-Limiter: per client address and per account on sign-in and resets.

Flask-Limiter owns the storage (in memory by default, for one process;
`KB_RATELIMIT_STORAGE_URL=redis://…` shares the counters between processes and nodes) and the
`limits` strategy; the views count attempts explicitly because a sign-in is limited by two keys
at once (the address and the account typed). A breach answers 429 in the reader's language.
"""

from __future__ import annotations

import hashlib

from flask import Flask, abort, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many

from kb import accounts


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
    _hit("KB_RATELIMIT_LOGIN", "login-address", get_remote_address() or "unknown")
    _hit("KB_RATELIMIT_ACCOUNT", "login-account", _digest(accounts.normalize_email(email or "")))


def count_api(token: str | None) -> None:
    """One API request against its token, or against its address without one."""
    if token:
        _hit("KB_RATELIMIT_API", "api-token", _digest(token))
    else:
        _hit("KB_RATELIMIT_API", "api-address", get_remote_address() or "unknown")


def count_suggestion() -> None:
    """One public suggestion or error report from this address (429 when over)."""
    _hit("KB_RATELIMIT_PROPOSE", "propose-address", get_remote_address() or "unknown")
