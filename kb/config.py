"""Settings declared once as data; loaded from the instance folder and KB_* environment variables.

Each `Setting` names a KB_* variable, its default and the help text that the README documents
(a test checks that every setting appears there). Values are read when `create_app` runs, never at
import time.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str
    cast: Callable[[str], Any] = str


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "KB_INSTANCE_DIR",
        "./instance",
        "Folder for local state: the SQLite database, the search index, the generated secret key.",
    ),
    Setting(
        "KB_DATABASE_URL",
        None,
        "SQLAlchemy database URL. Default: a SQLite file `kb.sqlite3` in the instance folder. "
        "PostgreSQL: `postgresql+psycopg://user@host:5432/dbname`.",
    ),
    Setting(
        "KB_INDEX_DIR",
        None,
        "Folder of this node's Whoosh search index. Default: `<instance>/index`. Each node of a "
        "multi-node deployment has its own; all of them follow the database's change log.",
    ),
    Setting(
        "KB_SECRET_KEY",
        None,
        "Secret used to sign sessions. When unset, one is generated once and stored in "
        "`<instance>/secret_key` with 0600 permissions.",
    ),
    Setting(
        "KB_CONTENT_DIR",
        "content",
        "Folder of the seed content (practices, taxonomy, events, pages) that `kb serve` imports "
        "into an empty database and `kb import` reads by default.",
    ),
    Setting(
        "KB_SEARCH_CACHE_SIZE",
        "256",
        "Search result pages each process keeps (0 disables); entries are keyed by the index's "
        "last applied change, so a cached page is never stale.",
        int,
    ),
    Setting(
        "KB_LOG_LEVEL",
        "INFO",
        "Logging level of the application (DEBUG, INFO, WARNING, ERROR).",
    ),
    # Who publishes the site, shown in the header, the legal notice and the statements.
    Setting(
        "KB_SITE_NAME",
        "kb",
        "Name of the site in titles, the header and the legal pages.",
    ),
    Setting(
        "KB_PUBLISHER",
        None,
        "Organisation that publishes this instance (legal notice, privacy and accessibility "
        "statements). When unset, the pages say plainly that kb is a knowledge base compiled "
        "from the public sources cited on each page, with no publishing organisation declared.",
    ),
    Setting(
        "KB_PUBLICATION_DIRECTOR",
        None,
        "The directeur de la publication named in the legal notice (French law, LCEN article 6): "
        "a person's name and function. Unset, the notice says it is the publisher's legal "
        "representative and that the name is not declared yet.",
    ),
    Setting(
        "KB_HOST",
        None,
        "Who hosts the site, as the legal notice must state it (LCEN article 6): name, address "
        "and telephone number in one line. Unset, the notice says they are not declared yet.",
    ),
    Setting(
        "KB_SESSION_HOURS",
        "12",
        "Hours a sign-in lasts; after that the person signs in again.",
        int,
    ),
    Setting(
        "KB_SMTP_URL",
        None,
        "SMTP server for e-mail (invitations, password resets), e.g. "
        "`smtp://user:password@mail.example.org:587?starttls=true` or `smtps://host:465`. "
        "Unset: messages stay in the outbox, their text is logged, `kb mail outbox` lists them.",
    ),
    Setting(
        "KB_MAIL_FROM",
        "kb <no-reply@localhost>",
        "Sender address of the e-mail kb sends.",
    ),
    Setting(
        "KB_RATELIMIT_STORAGE_URL",
        None,
        "Where rate-limit counters live. Default: a SQLite file `ratelimits.sqlite3` in the "
        "instance folder (`sqlite:///<file>`), shared by every worker of one machine; "
        "`redis://host:6379/0` shares them between machines; `memory://` keeps them per process "
        "(each worker then allows the full limit).",
    ),
    Setting(
        "KB_RATELIMIT_LOGIN",
        "10 per minute;100 per day",
        "Sign-in and password-reset attempts allowed per client address.",
    ),
    Setting(
        "KB_RATELIMIT_ACCOUNT",
        "5 per minute;50 per day",
        "Sign-in and password-reset attempts allowed per account (the address typed).",
    ),
    Setting(
        "KB_RATELIMIT_API",
        "1200 per minute",
        "Requests to /api/v1 allowed per bearer token.",
    ),
    Setting(
        "KB_RATELIMIT_API_ANONYMOUS",
        "600 per minute",
        "Requests to /api/v1 allowed per client address, for requests without a bearer token.",
    ),
    Setting(
        "KB_TRUST_PROXY",
        "false",
        "Set to true behind a reverse proxy that sets X-Forwarded-For / X-Forwarded-Proto.",
        _bool,
    ),
    # --- operations ---
    Setting(
        "KB_PROXY_HOPS",
        "1",
        "With KB_TRUST_PROXY: how many reverse proxies in front of kb set X-Forwarded-For and "
        "X-Forwarded-Proto (an HTTPS proxy makes requests secure: HSTS and Secure cookies).",
        int,
    ),
    Setting(
        "KB_BASE_URL",
        None,
        "The public origin, e.g. `https://kb.example.org`: every absolute URL (sitemap, "
        "robots.txt, canonical and alternate links, JSON-LD, API, redirects, links in e-mail) is "
        "built on it, not on the request's Host header, and its host is trusted. Unset: the "
        "request's host for pages, and e-mail with links is refused unless the request came to "
        "a loopback name (local use).",
    ),
    Setting(
        "KB_TRUSTED_HOSTS",
        None,
        "Comma-separated host names kb answers to (Flask's TRUSTED_HOSTS; `.example.org` also "
        "matches subdomains); any other Host header gets a 400. Unset: only `localhost`, "
        "`127.0.0.1` and the host of KB_BASE_URL. `*`: any host (a proxy in front checks it).",
    ),
    Setting(
        "KB_HEALTH_MAX_LAG",
        "50",
        "`/healthz` answers 503 when this node's index is more than this many changes behind the "
        "database's change log.",
        int,
    ),
    Setting(
        "KB_INDEX_KEEP_CORRUPT",
        "3",
        "Index generations found corrupt are moved aside for inspection; this many (the newest) "
        "are kept, older ones deleted.",
        int,
    ),
    # Moderation.
    Setting(
        "KB_REVIEW_APPROVALS",
        "1",
        "How many distinct moderators, none of them the author, must approve a proposal before "
        "it is published.",
        int,
    ),
    Setting(
        "KB_RATELIMIT_PROPOSE",
        "3 per minute;20 per day",
        "Public suggestions (`/<lang>/propose`) allowed per client address.",
    ),
)


def declared_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """Every setting from `environ` or its declared default, before any path is derived."""
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.name, setting.default)
        values[setting.name] = None if raw is None else setting.cast(raw)
    return values


def load_settings(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Resolve every setting from the environment, with defaults derived from the instance dir."""
    return resolve_paths(declared_settings(os.environ if environ is None else environ))


def resolve_paths(values: dict[str, Any]) -> dict[str, Any]:
    """Fill the defaults that depend on the instance folder."""
    instance = Path(values.get("KB_INSTANCE_DIR") or "./instance").resolve()
    values["KB_INSTANCE_DIR"] = str(instance)
    if not values.get("KB_DATABASE_URL"):
        values["KB_DATABASE_URL"] = f"sqlite:///{instance / 'kb.sqlite3'}"
    if not values.get("KB_INDEX_DIR"):
        values["KB_INDEX_DIR"] = str(instance / "index")
    if not values.get("KB_RATELIMIT_STORAGE_URL"):
        values["KB_RATELIMIT_STORAGE_URL"] = f"sqlite:///{instance / 'ratelimits.sqlite3'}"
    values["KB_CONTENT_DIR"] = str(Path(values.get("KB_CONTENT_DIR") or "content").resolve())
    return values


def ensure_secret_key(instance_dir: str) -> str:
    """Return the instance's secret key, generating it once with owner-only permissions."""
    path = Path(instance_dir) / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two processes starting together must not both write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key
