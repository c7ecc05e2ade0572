from __future__ import annotations

import pytest

from store.db import (
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    require_current,
    table_names,
    upgrade,
)
from store.errors import StoreUnavailable
from store.tables import CHAINLIT_TABLES, Base


def include_name(name, type_, parent_names):  # type: ignore[no-untyped-def]
    return not (type_ == "table" and name in CHAINLIT_TABLES)


EXPECTED = {
    "profiles",
    "rfps",
    "transcripts",
    "messages",
    "intro_requests",
    "feedback",
    "llm_calls",
    "exposures",
    "accounts",
    *CHAINLIT_TABLES,
}


def test_upgrade_head_on_an_empty_database_creates_every_table(database_url: str) -> None:
    engine = make_engine(database_url)
    assert current_revision(engine) is None
    with pytest.raises(StoreUnavailable, match="run `mingle db upgrade`"):
        require_current(engine)
    assert upgrade(engine) == head_revision()
    assert EXPECTED <= table_names(engine)
    assert upgrade(engine) == head_revision()  # running it again is harmless
    require_current(engine)
    engine.dispose()


def test_migrations_match_the_tables_in_code(database_url: str) -> None:
    """Autogenerate finds nothing to add: the migrations and store/tables.py agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(database_url)
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_to_base_and_back(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    assert downgrade(engine, "base") == "base"
    assert table_names(engine) & EXPECTED == set()
    upgrade(engine)
    assert EXPECTED <= table_names(engine)
