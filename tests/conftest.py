"""Shared fixtures. The offline switches are set before anything heavy is imported."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from assistant.services import apply_offline_env
from store.db import make_engine, upgrade
from store.repositories import Store

# Before any test module is imported: nothing above loads a model library (they load lazily).
apply_offline_env()

POSTGRES_URL = os.environ.get("MINGLE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("MINGLE_TEST_REQUIRE_POSTGRES") == "1"


@pytest.fixture(autouse=True)
def _clean_mingle_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each test sees only the MINGLE_ settings it sets itself."""
    for key in list(os.environ):
        if key.startswith("MINGLE_") and not key.startswith("MINGLE_TEST_"):
            monkeypatch.delenv(key)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'mingle.db'}"


def _postgres_schema_url() -> Iterator[str]:
    """A fresh schema in the test database for one test, dropped afterwards."""
    from sqlalchemy.exc import OperationalError

    admin = make_engine(POSTGRES_URL)
    schema = f"mingle_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        reason = f"no PostgreSQL answers at {POSTGRES_URL} ({str(exc.orig).strip().splitlines()[0]})"
        if REQUIRE_POSTGRES:
            pytest.fail(reason + "; MINGLE_TEST_REQUIRE_POSTGRES=1 makes this a failure")
        pytest.skip(reason + "; start one or set MINGLE_TEST_POSTGRES_URL")
    joiner = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{joiner}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from _postgres_schema_url()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    """Every store test runs on SQLite, and on PostgreSQL in the postgres tier."""
    if request.param == "sqlite":
        yield sqlite_url
    else:
        yield from _postgres_schema_url()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    engine = make_engine(database_url)
    upgrade(engine)
    store = Store(engine)
    yield store
    store.dispose()
