"""`mingle intros`, `mingle export` and `mingle delete`: one person's introductions and data.

Registered on the main `mingle` app (``register``), so they stay top-level commands."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from assistant.cli.common import JsonFlag, err, out, print_json, shown
from assistant.conversation.markup import plain
from assistant.settings import load_settings


def intros(
    profile_id: Annotated[str, typer.Argument(help="Whose introductions.")],
    accept: Annotated[str | None, typer.Option(help="Accept this introduction (its id).")] = None,
    decline: Annotated[str | None, typer.Option(help="Decline this introduction (its id).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Introductions asked for and received; accept or decline one (double opt-in)."""
    from dataclasses import asdict

    from assistant.conversation.intros import IntroService
    from assistant.services import open_store

    service = IntroService(open_store(load_settings()))
    service.store.profiles.get(profile_id)
    if accept:
        err.print(f"accepted: {shown(service.accept(accept, profile_id).other_name)}")
    elif decline:
        err.print(f"declined: {shown(service.decline(decline, profile_id).other_name)}")
    views = [asdict(v) for v in service.for_person(profile_id)]
    if as_json:
        print_json(views)
        return
    table = Table("id", "direction", "with", "status", "contact")
    for v in views:
        contact = shown(v["contact"] or "–")
        table.add_row(v["id"], v["direction"], shown(v["other_name"]), v["status"], contact)
    out.print(table)


def export(profile_id: Annotated[str, typer.Argument(help="Whose data.")]) -> None:
    """Everything Mingle holds about one person (every conversation of theirs too), as JSON."""
    from assistant.conversation.privacy import export_person
    from assistant.services import open_store

    print_json(export_person(open_store(load_settings()), profile_id))


def delete(
    profile_id: Annotated[str, typer.Argument(help="Who to remove.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do it without asking.")] = False,
) -> None:
    """Remove a person everywhere: profile, conversations (and the chat history), account,
    introductions, feedback, RFPs and index entries; their name and contact out of others' chats."""
    from assistant.conversation.privacy import delete_person
    from assistant.services import build_services

    services = build_services(load_settings())
    name = services.store.profiles.get(profile_id).display_name
    if not yes and not typer.confirm(f"Delete {plain(name)} ({profile_id}) and everything about them?"):
        raise typer.Exit(1)
    delete_person(services.store, services.matching, profile_id)
    err.print(f"deleted {shown(name)} ({profile_id})")


def register(app: typer.Typer) -> None:
    for command in (intros, export, delete):
        app.command()(command)
