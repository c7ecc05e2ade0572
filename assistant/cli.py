"""The `mingle` command. Errors Mingle raises on purpose become one line and exit code 1."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.settings import Settings, load_settings
from store.errors import MingleError

app = typer.Typer(
    help="Mingle: find collaborators, mentors, mentees and compute, from any starting point.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
out = Console()
err = Console(stderr=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _settings() -> Settings:
    return load_settings()


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Revision to migrate to.")) -> None:
    """Create or migrate the tables (safe to run again)."""
    from assistant.services import open_store
    from store.db import upgrade

    store = open_store(_settings(), migrated=False)
    at = upgrade(store.engine, revision)
    err.print(f"database at revision [bold]{at}[/]")


@app.command()
def seed(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Only seed a store with no profiles.")] = False,
) -> None:
    """Load the demo community (idempotent: running it twice leaves one copy)."""
    from assistant.services import open_store
    from store.demo import seed as seed_store

    store = open_store(_settings())
    if if_empty and store.profiles.count() > 0:
        err.print(f"store already has {store.profiles.count()} profiles; not seeding")
        return
    with err.status("seeding the demo community…"):
        report = seed_store(store)
    err.print(
        f"added {report.profiles_added} profiles and {report.rfps_added} RFPs "
        f"(now {report.profiles_total} profiles, {report.rfps_total} RFPs)"
    )


@app.command()
def stats(as_json: JsonFlag = False) -> None:
    """Counts and diversity of the community."""
    from assistant.services import open_store

    data = open_store(_settings()).stats()
    if as_json:
        _print_json(data)
        return
    table = Table("measure", "value", title="Mingle community")
    for key, value in data.items():
        shown = ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) else str(value)
        table.add_row(key, shown)
    out.print(table)


@app.command()
def profiles(as_json: JsonFlag = False) -> None:
    """Every profile with its ten contract fields."""
    from assistant.services import open_store

    people = open_store(_settings()).profiles.list()
    rows = [{"id": p.id, "display_name": p.display_name, **p.contract()} for p in people]
    if as_json:
        _print_json(rows)
        return
    table = Table("name", "stage", "has", "wants", "topics", "UTC", title=f"{len(rows)} people")
    table.add_column("id", no_wrap=True)
    for row in rows:
        table.add_row(
            row["display_name"],
            str(row["career_stage"] or "–"),
            " ".join(row["skills_have"]),
            " ".join(row["skills_want"]),
            "; ".join(row["topics"]),
            "–" if row["utc_offset"] is None else f"{row['utc_offset']:+g}",
            row["id"],
        )
    out.print(table)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (MINGLE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (MINGLE_PORT).")] = None,
) -> None:
    """Start the chat app (Chainlit) at http://HOST:PORT."""
    from assistant.serve import serve as run_server

    run_server(_settings(), host=host, port=port)


def main() -> None:
    try:
        app()
    except MingleError as exc:
        sys.stderr.write(f"mingle: error: {exc}\n")
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
