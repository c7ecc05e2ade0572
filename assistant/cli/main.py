"""The `mingle` command. Errors Mingle raises on purpose become one line and exit code 1."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.accounts import accounts_app
from assistant.cli.common import ExtractorKind, JsonFlag, err, extractor, out, print_json, shown
from assistant.cli.evals import bench_app, eval_app
from assistant.cli.people import register as register_people
from assistant.settings import load_settings
from store.errors import InputError, MingleError

if TYPE_CHECKING:
    from retrieval.indexer import SyncReport
    from retrieval.matching import PersonMatch
    from retrieval.search import SearchHit
    from retrieval.service import MatchService

app = typer.Typer(
    help="Mingle: find collaborators, mentors, mentees and compute, from any starting point.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Revision to migrate to.")) -> None:
    """Create or migrate the tables (safe to run again)."""
    from assistant.services import open_store
    from store.db import upgrade

    store = open_store(load_settings(), migrated=False)
    at = upgrade(store.engine, revision)
    err.print(f"database at revision [bold]{at}[/]")


@app.command()
def seed(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Only seed a store with no profiles.")] = False,
) -> None:
    """Load the demo community (idempotent: running it twice leaves one copy), then bring the
    index in step, so the next `mingle match` finds them."""
    from store.demo import seed as seed_store

    service = _matching()
    store = service.store
    if if_empty and store.profiles.count() > 0:
        err.print(f"store already has {store.profiles.count()} profiles; not seeding")
    else:
        with err.status("seeding the demo community…"):
            report = seed_store(store)
        err.print(
            f"added {report.profiles_added} profiles and {report.rfps_added} RFPs "
            f"(now {report.profiles_total} profiles, {report.rfps_total} RFPs)"
        )
    err.print(f"index in step: {_summary(_sync_index(service))}")


@app.command()
def stats(as_json: JsonFlag = False) -> None:
    """Counts and diversity of the community."""
    from assistant.services import open_store

    data = open_store(load_settings()).stats()
    if as_json:
        print_json(data)
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

    people = open_store(load_settings()).profiles.list()
    rows: list[dict[str, Any]] = [
        {"id": p.id, "display_name": p.display_name, **p.contract()} for p in people
    ]
    if as_json:
        print_json(rows)
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


def _matching() -> MatchService:
    from assistant.services import build_services

    return build_services(load_settings()).matching


def _sync_index(service: MatchService, *, rebuild: bool = False) -> SyncReport:
    """Bring the index in step with the store, with a progress bar on stderr while embedding."""
    from rich.progress import Progress

    total = service.store.profiles.count() * 2 + service.store.rfps.count()
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("embedding", total=total)
        return service.reindex(rebuild=rebuild, progress=lambda n: progress.advance(task, n))


def _summary(report: SyncReport) -> str:
    return (
        f"embedded {sum(report.embedded.values())}, unchanged {sum(report.unchanged.values())}, "
        f"deleted {sum(report.deleted.values())}"
    )


def _person_json(m: PersonMatch | SearchHit) -> dict[str, object]:
    return {
        "profile_id": m.profile.id,
        "display_name": m.profile.display_name,
        "score": m.score,
        "reasons": [r.to_json() for r in m.reasons],
        "explanation": m.explanation,
    }


@app.command()
def match(
    profile_id: Annotated[str, typer.Argument(help="Whose suggestions (see `mingle profiles`).")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="How many people.")] = 10,
    as_json: JsonFlag = False,
) -> None:
    """Complementary people and RFPs for one person, each with the reasons why."""
    result = _matching().match(profile_id, k=k)
    data: dict[str, Any] = {
        "profile_id": profile_id,
        "people": [_person_json(m) for m in result.people],
        "rfps": [
            {
                "rfp_id": m.rfp.id,
                "title": m.rfp.title,
                "score": m.score,
                "reasons": [r.to_json() for r in m.reasons],
                "explanation": m.explanation,
            }
            for m in result.rfps
        ],
    }
    if as_json:
        print_json(data)
        return
    out.print(f"[bold]Suggestions for {shown(result.profile.display_name)}[/] ({shown(profile_id)})\n")
    for i, person in enumerate(data["people"], 1):
        out.print(
            f"{i:2}. [bold]{shown(person['display_name'])}[/] ({person['profile_id']}, {person['score']:.3f})"
        )
        out.print(f"    {shown(person['explanation'])}", highlight=False)
    if data["rfps"]:
        out.print("\n[bold]Project ideas (RFPs)[/]")
        for rfp in data["rfps"]:
            out.print(f" • [bold]{shown(rfp['title'])}[/] ({shown(rfp['rfp_id'])}, {rfp['score']:.3f})")
            out.print(f"    {shown(rfp['explanation'])}", highlight=False)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Who you are looking for, in your own words.")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="How many people.")] = 10,
    as_json: JsonFlag = False,
) -> None:
    """Natural-language search, e.g. "someone strong at writing who works on diffusion, UTC+1 to +3"."""
    query, hits = _matching().search(text, k=k)
    data: dict[str, Any] = {
        "query": text,
        "filters": query.model_dump(mode="json"),
        "people": [_person_json(h) for h in hits],
    }
    if as_json:
        print_json(data)
        return
    filters = {key: value for key, value in data["filters"].items() if value not in ([], None, "")}
    out.print(f"[bold]Understood:[/] {shown(json.dumps(filters, ensure_ascii=False))}\n", highlight=False)
    if not hits:
        out.print("Nobody matches all of that yet. Try fewer conditions.")
    for i, person in enumerate(data["people"], 1):
        out.print(f"{i:2}. [bold]{shown(person['display_name'])}[/] ({person['profile_id']})")
        out.print(f"    {shown(person['explanation'])}", highlight=False)


@app.command()
def reindex(
    check: Annotated[
        bool, typer.Option("--check", help="Only report drift; exit 1 if there is any.")
    ] = False,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Drop the index and embed everything again.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Bring the vector index in step with the database (the source of truth)."""
    service = _matching()
    if check:
        report = service.check()
        counts = report.counts()
        if as_json:
            print_json({"clean": report.clean, **counts})
        else:
            for kind, per_space in counts.items():
                err.print(f"{kind:8} " + ", ".join(f"{space} {n}" for space, n in per_space.items()))
            err.print(
                "index is in step with the database"
                if report.clean
                else "index has drifted: run `mingle reindex`"
            )
        if not report.clean:
            raise typer.Exit(1)
        return
    synced = _sync_index(service, rebuild=rebuild)
    summary = {"embedded": synced.embedded, "unchanged": synced.unchanged, "deleted": synced.deleted}
    if as_json:
        print_json(summary)
    else:
        err.print(_summary(synced))


@app.command()
def extract(
    transcript: Annotated[
        Path, typer.Argument(help='A transcript JSON file: {"turns": [{"role", "content"}, ...]}.')
    ],
    kind: Annotated[
        ExtractorKind, typer.Option("--extractor", help="Which extractor reads the transcript.")
    ] = ExtractorKind.rules,
    as_json: JsonFlag = False,
) -> None:
    """Turn one transcript into a profile, with the quotes that support each field."""
    from pydantic import ValidationError

    from store.domain import Message

    try:
        raw = json.loads(transcript.read_text(encoding="utf-8"))
        turns = [Message.model_validate(t) for t in raw["turns"]]
    except FileNotFoundError:
        raise InputError(f"no such transcript file: {transcript}") from None
    except (json.JSONDecodeError, KeyError, TypeError, ValidationError) as exc:
        raise InputError(
            f'{transcript} is not a transcript ({{"turns": [{{"role", "content"}}]}}): {exc}'
        ) from None
    result = extractor(kind).extract(turns)
    data: dict[str, Any] = {
        "profile": result.fields.contract(),
        "evidence": result.evidence,
        "display_name": result.display_name,
        "declined": sorted(result.declined),
        "source": result.source,
    }
    if as_json:
        print_json(data)
        return
    table = Table("field", "value", "in their words", title=f"extracted by {result.source}")
    for field, value in data["profile"].items():
        table.add_row(
            field, json.dumps(value, ensure_ascii=False), " / ".join(result.evidence.get(field, []))
        )
    Console().print(table)


@app.command()
def chat() -> None:
    """The intake interview in the terminal (the same conversation as the web app)."""
    from assistant.services import build_services
    from assistant.ui.terminal import chat as run_chat

    services = build_services(load_settings())
    services.warm_up()
    run_chat(services, out)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on (MINGLE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (MINGLE_PORT).")] = None,
    prepare: Annotated[
        bool,
        typer.Option(
            "--prepare",
            help="First migrate, seed the demo community if the store is empty, and bring the index in step.",
        ),
    ] = False,
) -> None:
    """Start the chat app (Chainlit) at http://HOST:PORT."""
    from assistant.ui.serve import serve as run_server
    from assistant.ui.serve import served_settings

    settings = served_settings(load_settings(), host, port)  # an exposed host is refused first
    if prepare:
        from assistant.services import build_services
        from store.demo import seed as seed_store

        services = build_services(settings, upgrade=True)
        if services.store.profiles.count() == 0:
            with err.status("seeding the demo community…"):
                report = seed_store(services.store)
            err.print(f"seeded {report.profiles_added} people and {report.rfps_added} RFPs")
        err.print(f"index in step: {_summary(_sync_index(services.matching))}")
        services.close()
    run_server(settings)


app.add_typer(accounts_app, name="accounts")
app.add_typer(eval_app, name="eval")
app.add_typer(bench_app, name="bench")
register_people(app)


def main() -> None:
    from assistant.services import apply_offline_env

    apply_offline_env()  # before any command imports a model library
    try:
        app()
    except MingleError as exc:
        sys.stderr.write(f"mingle: error: {exc}\n")
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
