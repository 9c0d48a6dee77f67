"""Fixtures: a real app on a real database file (and PostgreSQL when configured) and index folder.

`KB_TEST_POSTGRES_URL` (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) adds a PostgreSQL
variant of every database-backed test; each test gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, event, make_url, text
from sqlmodel import Session

from kb import create_app, db
from kb.content.folder import ContentSet, apply, load
from kb.permissions import Actor
from kb.search.service import get_index, reset
from tests.skip_report import (  # noqa: F401 - hooks: one line per skip reason; CI fails them
    pytest_collectreport,
    pytest_make_collect_report,
    pytest_runtest_logreport,
    pytest_runtest_makereport,
    pytest_terminal_summary,
)
from tests.writes import committed

# Plugins: screenshot_report (its hooks share skip_report's names) and shared fixtures.
pytest_plugins = ["tests.screenshot_report", "tests.people", "tests.receiver"]

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content"


def _worker_database(base: str | None) -> str | None:
    """Under pytest-xdist, each worker its own PostgreSQL database (see `postgres_database`)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not base or not worker:
        return base
    # The run's id too: two runs on one machine (two checkouts, CI beside a local run) must not
    # drop each other's databases.
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")[:8]
    url = make_url(base)
    name = f"{url.database}_{run}_{worker}" if run else f"{url.database}_{worker}"
    return url.set(database=name).render_as_string(hide_password=False)


POSTGRES_BASE_URL = os.environ.get("KB_TEST_POSTGRES_URL")
POSTGRES_URL = _worker_database(POSTGRES_BASE_URL)

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(
                not POSTGRES_URL, reason="KB_TEST_POSTGRES_URL is not set (no PostgreSQL server)"
            ),
        ],
    ),
]


@pytest.fixture(scope="session", autouse=True)
def postgres_database() -> Iterator[None]:
    """Create this xdist worker's database, dropped at the end of its session.

    kb's advisory locks (one `kb import` at a time, the change log's writers in order) hold for
    a whole database, whatever the schema: two workers' tests in one database would meet there.
    """
    if not POSTGRES_BASE_URL or POSTGRES_URL == POSTGRES_BASE_URL:
        yield
        return
    assert POSTGRES_URL
    name = make_url(POSTGRES_URL).database
    admin = create_engine(POSTGRES_BASE_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:  # a run killed before its teardown leaves its database behind
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _postgres_schema_url(base: str, schema: str) -> str:
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session (per xdist worker), copied by each test."""
    template = tmp_path_factory.mktemp("migrated-template") / "kb.sqlite3"
    engine = db.make_engine(f"sqlite:///{template}")
    db.upgrade(engine)
    engine.dispose()  # the last connection checkpoints the WAL: the one file holds everything
    return template


Statement = tuple[str, Any]


@pytest.fixture(scope="session")
def postgres_migrations(postgres_database: None) -> list[Statement]:
    """The statements that migrate an empty PostgreSQL schema to head, recorded once per session.

    PostgreSQL has no schema templates and `CREATE DATABASE … TEMPLATE` needs the template left
    without connections; replaying what Alembic sent in one transaction builds the same schema
    (`test_a_test_database_is_the_migrated_schema` compares them) in a tenth of the time.
    """
    assert POSTGRES_URL
    schema = f"kb_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = db.make_engine(_postgres_schema_url(POSTGRES_URL, schema))
    statements: list[Statement] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        # Alembic's and SQLAlchemy's look-ups of what exists change nothing: not replayed.
        if not (statement.lstrip().upper().startswith("SELECT") and "pg_catalog" in statement):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        db.upgrade(engine)
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    return statements


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database migrated to head: a SQLite file, or a PostgreSQL schema of its own.

    Both are copies, not nine migrations per test: the SQLite file of a session's migrated
    template, the statements that migrated a session's PostgreSQL schema replayed in a new one.
    """
    if request.param == "sqlite":
        path = tmp_path / "kb.sqlite3"
        shutil.copyfile(request.getfixturevalue("migrated_sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    assert POSTGRES_URL
    statements: list[Statement] = request.getfixturevalue("postgres_migrations")
    schema = f"kb_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:  # one transaction, as Alembic's
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        conn.execute(text(f'SET LOCAL search_path TO "{schema}"'))
        cursor = conn.connection.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters or None)
        cursor.close()
    try:
        yield _postgres_schema_url(POSTGRES_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def make_app(tmp_path: Path, database_url: str) -> Iterator[Callable[..., Flask]]:
    """Build an app on this test's database; extra settings override the defaults."""
    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        settings: dict[str, Any] = {
            "TESTING": True,
            "KB_INSTANCE_DIR": str(tmp_path / "instance"),
            "KB_DATABASE_URL": database_url,
            "KB_INDEX_DIR": str(tmp_path / "index"),
            "KB_CONTENT_DIR": str(CONTENT_DIR),
        }
        settings.update(overrides)
        application = create_app(settings)
        if settings["KB_DATABASE_URL"] != database_url:  # this test's database is migrated already
            db.upgrade(db.get_engine(application))
        built.append(application)
        return application

    yield build
    for application in built:  # pooled PostgreSQL connections must not outlive the test
        reset(application)
        db.get_engine(application).dispose()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with Session(db.get_engine(app), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def index(app: Flask, session: Session):  # type: ignore[no-untyped-def]
    return get_index(session, app)


@pytest.fixture(scope="session")
def seeded_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database and index with the seed content imported, built once per session."""
    base = tmp_path_factory.mktemp("seeded-template")
    template = create_app(
        {
            "TESTING": True,
            "KB_INSTANCE_DIR": str(base / "instance"),
            "KB_DATABASE_URL": f"sqlite:///{base / 'kb.sqlite3'}",
            "KB_INDEX_DIR": str(base / "index"),
            "KB_CONTENT_DIR": str(CONTENT_DIR),
        }
    )
    result = template.test_cli_runner().invoke(args=["import", str(CONTENT_DIR)])
    assert result.exit_code == 0, result.output
    reset(template)
    db.get_engine(template).dispose()
    return base


@pytest.fixture
def seeded(app: Flask, runner: FlaskCliRunner, seeded_sqlite_template: Path) -> Flask:
    """The app with the seed content imported (on SQLite, a copy of a once-built template)."""
    url = app.config["KB_DATABASE_URL"]
    if url.startswith("sqlite:///"):
        db.get_engine(app).dispose()
        shutil.copyfile(seeded_sqlite_template / "kb.sqlite3", url.removeprefix("sqlite:///"))
        index_dir = Path(app.config["KB_INDEX_DIR"])
        reset(app)
        shutil.rmtree(index_dir, ignore_errors=True)
        shutil.copytree(seeded_sqlite_template / "index", index_dir, symlinks=True)
        return app
    result = runner.invoke(args=["import", str(CONTENT_DIR)])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed content, to break on purpose."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


BASE_PRACTICE: dict[str, Any] = {
    "slug": "test-practice",
    "title_fr": "Une pratique de test sur la cohésion sociale",
    "title_en": "A test practice on social cohesion",
    "summary_fr": "Une ville réunit des habitants pour dialoguer.",
    "summary_en": "A city brings residents together for dialogue.",
    "language": "en",
    "cities": ("Testville",),
    "country": "FR",
    "themes": ("social-cohesion",),
    "lead_organisation": "City of Testville",
    "status": "ongoing",
    "evidence_level": "none-found",
    "sources": (("Test source", "https://example.org/source"),),
    "body": "## Context\n\nResidents meet every month.\n",
}


def bearer(app: Flask, account: Any) -> dict[str, str]:
    """Headers that sign API requests in as `account`, with a new token of theirs."""
    from kb.accounts import tokens as api_tokens

    with Session(db.get_engine(app)) as s:
        _token, plain = api_tokens.create_token(
            session=s, actor=Actor.system("tests"), user_id=account.id, name="api"
        )
        s.commit()
    return {"Authorization": f"Bearer {plain}"}


def practice_data(**overrides: Any) -> Any:
    """A complete PracticeData: BASE_PRACTICE with `overrides` (sources as pairs or SourceData)."""
    from kb.catalogue.data import PracticeData, SourceData

    values = {**BASE_PRACTICE, **overrides}
    values["sources"] = tuple(
        s if isinstance(s, SourceData) else SourceData(*s) for s in values["sources"]
    )
    return PracticeData(**values)


@pytest.fixture(scope="session")
def seed_content() -> Any:
    """The seed content folder, parsed and validated once per test session."""

    return load(CONTENT_DIR)


@pytest.fixture
def vocabulary_loaded(app: Flask, session: Session, seed_content: Any) -> Any:
    """The database with the seed taxonomy and events, and no practice."""
    from kb.catalogue import taxonomy

    vocabulary_only = ContentSet(vocabulary=seed_content.vocabulary, events=seed_content.events)
    apply(session=session, actor=Actor.system("tests"), content=vocabulary_only)
    session.commit()
    return taxonomy.load(session)


@pytest.fixture
def make_practice(vocabulary_loaded: Any, session: Session, index: Any) -> Callable[..., Any]:
    """Create a practice through the domain's one write path; keyword overrides change fields."""
    from kb.catalogue import practices, taxonomy
    from kb.catalogue.data import PracticeData, SourceData

    def make(state: str = "published", **overrides: Any) -> Any:
        values = {**BASE_PRACTICE, **overrides}
        values["sources"] = tuple(
            s if isinstance(s, SourceData) else SourceData(*s) for s in values["sources"]
        )
        return committed(
            practices.create,
            session=session,
            index=index,
            data=PracticeData(**values),
            vocabulary=taxonomy.load(session),
            state=state,
        )

    return make


@pytest.fixture(scope="session", params=BACKENDS)
def seeded_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """One app with the seed content per backend, shared by read-only tests (pages, API, search)."""
    base = tmp_path_factory.mktemp(f"seeded-{request.param}")
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{base / 'kb.sqlite3'}"
    else:
        assert POSTGRES_URL
        schema = f"kb_test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = _postgres_schema_url(POSTGRES_URL, schema)
    application = create_app(
        {
            "TESTING": True,
            "KB_INSTANCE_DIR": str(base / "instance"),
            "KB_DATABASE_URL": url,
            "KB_INDEX_DIR": str(base / "index"),
            "KB_CONTENT_DIR": str(CONTENT_DIR),
            # Every read-only test of the session asks this one app from one address: the API's
            # per-address limit (tests/web/test_api_limits.py) must not count them all together.
            "KB_RATELIMIT_API_ANONYMOUS": "1000000 per minute",
        }
    )
    result = application.test_cli_runner().invoke(args=["import", str(CONTENT_DIR)])
    assert result.exit_code == 0, result.output
    yield application
    reset(application)  # close the index: its open segment files must not outlive the session
    db.get_engine(application).dispose()
    if schema:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def reader(seeded_app: Flask) -> FlaskClient:
    """A test client on the shared seeded app (read-only tests only)."""
    return seeded_app.test_client()


# --- accounts -------------------------------------------------------------------------------

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """Real argon2id, with the smallest parameters: the suite hashes hundreds of passwords.

    Session-scoped: restoring production's hasher after each test cost an argon2 hash with its
    64 MiB (the dummy hash `use_hasher` makes), ~0.13 s a test. Production keeps argon2-cffi's
    defaults; a test that needs other parameters sets its own hasher and restores this one
    (`test_accounts` checks that a hash made with other parameters is replaced at sign-in).
    """
    from argon2 import PasswordHasher

    from kb.accounts import accounts

    previous = accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    yield
    accounts.use_hasher(previous)


def csrf_token_of(html: str) -> str:
    """The CSRF token of the first form in a page (Flask-WTF renders it as a hidden input)."""
    import re

    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def make_account(app: Flask) -> Callable[..., Any]:
    """Create an account through the domain (as the CLI does); returns the Account."""
    from kb import uow
    from kb.accounts import accounts

    def make(
        *roles: str, email: str | None = None, password: str = PASSWORD, name: str = "Test Person"
    ) -> Any:
        with Session(db.get_engine(app), expire_on_commit=False) as s:
            account = accounts.create(
                session=s,
                actor=Actor.system("tests"),
                email=email or f"{'-'.join(roles) or 'norole'}-{uuid.uuid4().hex[:6]}@example.org",
                display_name=name,
                roles=set(roles),
                password=password,
            )
            uow.commit(session=s)
            return account

    return make


class AuthActions:
    """Signing in and out through the real forms, CSRF token included (as a browser does)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def token(self, path: str = "/fr/login") -> str:
        return csrf_token_of(self.client.get(path).get_data(as_text=True))

    def login(self, email: str, password: str = PASSWORD, lang: str = "fr") -> Any:
        return self.client.post(
            f"/{lang}/login",
            data={"email": email, "password": password, "csrf_token": self.token(f"/{lang}/login")},
        )

    def post(self, path: str, data: dict[str, Any] | None = None, page: str | None = None) -> Any:
        """POST a form with a fresh CSRF token taken from `page` (default: the account page)."""
        token = self.token(page or "/fr/account")
        return self.client.post(path, data={**(data or {}), "csrf_token": token})

    def logout(self) -> Any:
        return self.post("/fr/logout", page="/fr/account")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def login(
    client: FlaskClient, make_account: Callable[..., Any], auth: AuthActions
) -> Callable[..., Any]:
    """Sign in as a new account holding `roles`; returns the account."""

    def sign_in(*roles: str) -> Any:
        account = make_account(*roles)
        response = auth.login(account.user.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return account

    return sign_in
