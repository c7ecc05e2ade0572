"""Engines, sessions and migrations for SQLite and PostgreSQL, with errors a person can act on."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from store.errors import ConfigError, StoreError, StoreUnavailable

if TYPE_CHECKING:
    from alembic.config import Config

logging.getLogger("alembic").setLevel(logging.WARNING)  # its INFO lines are noise in the app's log


def redact(url: str) -> str:
    """The URL with any password hidden, fit for an error message."""
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ConfigError(f"MINGLE_DATABASE_URL is not a database URL: {redact(url)!r}") from None
    is_sqlite = parsed.get_backend_name() == "sqlite"
    if is_sqlite and parsed.database and parsed.database != ":memory:":
        folder = Path(parsed.database).expanduser().resolve().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(f"cannot create the data folder {folder}: {exc.strerror}") from None
    try:
        engine = create_engine(
            parsed,
            pool_pre_ping=not is_sqlite,
            connect_args={"timeout": 15} if is_sqlite else {"connect_timeout": 5},
        )
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise ConfigError(f"MINGLE_DATABASE_URL names a driver that is not installed: {exc}") from None
    except ArgumentError as exc:
        raise ConfigError(f"MINGLE_DATABASE_URL cannot be used: {exc}") from None
    if is_sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:  # a DB-API connection: untyped
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    if mode != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@contextmanager
def translated_errors(engine: Engine) -> Iterator[None]:
    """Database driver errors become StoreErrors that say what to do."""
    try:
        yield
    except DBAPIError as exc:
        line = _first_line(exc)
        lowered = line.lower()
        if "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered):
            raise StoreUnavailable(
                "the database has no Mingle tables yet: run `mingle db upgrade`."
            ) from None
        if "readonly" in lowered or "read-only" in lowered:
            raise StoreUnavailable(
                f"the database is read-only ({line}): check the data folder's permissions."
            ) from None
        if "locked" in lowered:
            raise StoreUnavailable(f"the database is busy ({line}); try again in a moment.") from None
        if isinstance(exc, OperationalError):
            raise StoreUnavailable(
                f"cannot reach the database at {redact(str(engine.url))}: {line}"
            ) from None
        raise StoreError(f"the database refused the change: {line}") from None


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def _alembic_config(connection: Connection | None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("store") / "migrations"))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Migrate the database to ``revision``; returns the revision it is at afterwards."""
    from alembic import command

    with translated_errors(engine), engine.begin() as connection:
        command.upgrade(_alembic_config(connection), revision)
    return current_revision(engine) or "base"


def downgrade(engine: Engine, revision: str) -> str:
    """Migrate the database back to ``revision`` ("base" drops every Mingle table)."""
    from alembic import command

    with translated_errors(engine), engine.begin() as connection:
        command.downgrade(_alembic_config(connection), revision)
    return current_revision(engine) or "base"


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with translated_errors(engine), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    with_config = _alembic_config(None)
    head = ScriptDirectory.from_config(with_config).get_current_head()
    assert head is not None
    return head


def require_current(engine: Engine) -> None:
    """Fail with one clear line unless the database is migrated to the newest revision."""
    revision = current_revision(engine)
    if revision != head_revision():
        state = "has no Mingle tables yet" if revision is None else f"is at revision {revision}"
        raise StoreUnavailable(f"the database {state}: run `mingle db upgrade`.")


def table_names(engine: Engine) -> set[str]:
    with translated_errors(engine), engine.connect() as connection:
        return set(inspect(connection).get_table_names())
