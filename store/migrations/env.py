"""Alembic environment: runs on the connection handed over by ``store.db.upgrade``."""

from alembic import context

from store.tables import CHAINLIT_TABLES, Base


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Autogenerate leaves Chainlit's own tables alone."""
    return not (type_ == "table" and name in CHAINLIT_TABLES)


connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("Run migrations with `mingle db upgrade`, which supplies the connection.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
