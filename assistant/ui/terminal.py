"""`mingle chat`: the same interview in the terminal, rendered with rich.

Mingle's texts are markdown (people's words in them escaped where they were written) and are
printed as ``Markdown``; people's words printed here go in as rich ``Text`` through ``plain``,
never into a markup string, so ``[bold]`` or ``[link=...]`` in a name is just those characters.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text

from assistant.conversation.intake import Conversation
from assistant.conversation.intros import IntroView
from assistant.conversation.markup import plain
from assistant.conversation.replies import Card, Export, Intros, Matches, Reply, SearchResults
from assistant.services import Services
from assistant.ui.cards import LABELS, contract_rows, quoted
from store.errors import MingleError

PROMPT = "[bold cyan]you ›[/] "


def render(console: Console, reply: Reply) -> None:
    console.print(Markdown(reply.text))
    match reply:
        case Card(profile=profile, evidence=evidence):
            table = Table("", "", "in your words", title=Text(plain(profile.display_name)), show_lines=False)
            for name, shown, quotes in contract_rows(profile, evidence):
                table.add_row(LABELS[name], Text(plain(shown)), Text(plain(quoted(quotes))))
            console.print(table)
        case Matches(matches=matches):
            for i, m in enumerate(matches.people, 1):
                console.print(_named(f"{i}. ", m.profile.display_name, m.profile.id), highlight=False)
                console.print(Text.assemble("   ", plain(m.explanation)), highlight=False)
            for r in matches.rfps:
                console.print(_named("• RFP ", r.rfp.title, r.rfp.id), highlight=False)
                console.print(Text.assemble("   ", plain(r.explanation)), highlight=False)
            if matches.people:
                console.print(
                    "[dim]Type “intro ID” to request an introduction, “not a fit ID” to hide someone.[/]"
                )
        case SearchResults(hits=hits):
            for hit in hits:
                line = _named("• ", hit.profile.display_name, hit.profile.id)
                console.print(line.append(": " + plain(hit.explanation)), highlight=False)
        case Intros(intros=intros):
            for intro in intros:
                console.print(intro_line(intro), highlight=False)
            if any(intro.awaits_my_answer for intro in intros):
                console.print("[dim]Type “accept ID” or “decline ID” to answer an introduction.[/]")
        case Export(data=data):
            console.print_json(json.dumps(data, ensure_ascii=False))


def _named(lead: str, name: str, some_id: str) -> Text:
    """``lead`` **name** (id): someone's words as text, styled by rich, never parsed as markup."""
    return Text.assemble(lead, (plain(name), "bold"), " ", (f"({some_id})", "dim"))


def intro_line(intro: IntroView) -> Text:
    """One introduction: who, which way, where it stands, the contact once both said yes."""
    way = "you asked" if intro.direction == "outgoing" else "asked you"
    line = _named("• ", intro.other_name, intro.id).append(f": {way}, {intro.status}")
    if intro.contact:
        line.append(". Contact: " + plain(intro.contact))
    return line


def chat(services: Services, console: Console, owner: str = "terminal") -> None:
    """Read a line, answer it; Ctrl-D or "quit" ends. Intro, accept, decline and not-a-fit work by id."""
    from assistant.conversation.texts import welcome

    intake = services.intake
    # typed lines that act on an id: "intro ID", "accept ID", "decline ID", "not a fit ID"
    actions: dict[str, Callable[[Conversation, str], str]] = {
        "intro": intake.request_intro,
        "accept": intake.accept_intro,
        "decline": intake.decline_intro,
        "not a fit": intake.not_a_fit,
    }
    people, rfps = services.community_counts()
    conversation = intake.start(owner, welcome(people, rfps, services.mode_label))
    console.print(Markdown(conversation.messages[-1].content))
    while True:
        try:
            text = console.input(PROMPT)
        except EOFError:
            console.print()
            return
        if text.strip().lower() in ("quit", "exit", "bye"):
            return
        *verb, target = text.strip().split() or [""]
        action = actions.get(" ".join(verb).lower())
        try:
            if action is not None:
                console.print(Markdown(action(conversation, target)))
            else:
                render(console, intake.handle(conversation, text))
        except MingleError as exc:
            console.print(
                Text.assemble(("I could not do that:", "red"), " ", plain(str(exc))), highlight=False
            )
