"""`mingle chat`: the same interview in the terminal, rendered with rich."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

from assistant.conversation.intake import Reply, contract_rows
from assistant.services import Services
from assistant.ui.cards import LABELS
from store.errors import MingleError

PROMPT = "[bold cyan]you ›[/] "


def render(console: Console, reply: Reply) -> None:
    console.print(Markdown(reply.text))
    if reply.card is not None:
        table = Table("", "", "in your words", title=reply.card.display_name, show_lines=False)
        for name, shown, quotes in contract_rows(reply.card, reply.evidence):
            table.add_row(LABELS[name], shown, quotes)
        console.print(table)
    if reply.matches is not None:
        for i, m in enumerate(reply.matches.people, 1):
            console.print(f"{i}. [bold]{m.profile.display_name}[/] [dim]({m.profile.id})[/]", highlight=False)
            console.print(f"   {m.explanation}", highlight=False)
        for r in reply.matches.rfps:
            console.print(f"• RFP [bold]{r.rfp.title}[/] [dim]({r.rfp.id})[/]", highlight=False)
            console.print(f"   {r.explanation}", highlight=False)
        if reply.matches.people:
            console.print(
                "[dim]Type “intro ID” to request an introduction, “not a fit ID” to hide someone.[/]"
            )
    for hit in reply.hits:
        console.print(
            f"• [bold]{hit.profile.display_name}[/] [dim]({hit.profile.id})[/]: {hit.explanation}",
            highlight=False,
        )
    if reply.export is not None:
        console.print_json(json.dumps(reply.export, ensure_ascii=False))


def chat(services: Services, console: Console, owner: str = "terminal") -> None:
    """Read a line, answer it; Ctrl-D or "quit" ends. Intro and not-a-fit work by id."""
    from assistant.conversation.texts import welcome

    people, rfps = services.community_counts()
    conversation = services.intake.start(owner, welcome(people, rfps, services.mode_label))
    console.print(Markdown(conversation.messages[-1].content))
    while True:
        try:
            text = console.input(PROMPT)
        except EOFError:
            console.print()
            return
        if text.strip().lower() in ("quit", "exit", "bye"):
            return
        words = text.strip().split()
        try:
            if len(words) == 2 and words[0].lower() == "intro":
                console.print(services.intake.request_intro(conversation, words[1]))
            elif len(words) == 4 and " ".join(words[:3]).lower() == "not a fit":
                console.print(services.intake.not_a_fit(conversation, words[3]))
            else:
                render(console, services.intake.handle(conversation, text))
        except MingleError as exc:
            console.print(f"[red]I could not do that:[/] {exc}", highlight=False)
