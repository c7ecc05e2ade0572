"""`mingle chat` shows people's words as text: rich markup (``[bold]``, ``[link=…]``, a stray
``[/]``) and terminal control sequences (a cleared screen, an OSC 8 hyperlink) in a name, a
topic or a contact are neither obeyed nor able to break the chat."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from rich.console import Console

from assistant.conversation.intros import IntroService
from assistant.conversation.markup import JOINER
from assistant.settings import load_settings
from assistant.ui.terminal import chat
from store.db import make_engine, upgrade
from store.demo import seed
from store.repositories import Store
from tests.assistant.conversation.test_intake import ANSWERS
from tests.assistant.fakes import fake_services
from tests.assistant.ui.hostile import eve

NAME = "Eve[link=http://evil.example/n]me[/link][/][bold]\x1b[2J\x1b]8;;http://e.x\x1b\\x"
SHOWN_NAME = "Eve[link=http://evil.example/n]me[/link][/][bold][2J]8;;http://e.x\\x"
CONTACT = "[link=http://evil.example/c]eve[/link] \x1b]52;c;cGF5bG9hZA==\x07 eve@example.org"


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    built = Store(engine)
    seed(built)
    built.profiles.upsert(
        eve("http://127.0.0.1:9").model_copy(update={"display_name": NAME, "contact": CONTACT})
    )
    yield built
    built.dispose()


def test_markup_and_control_sequences_in_someones_words_are_shown_as_text(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = fake_services(load_settings(), store)
    screen = io.StringIO()
    console = Console(file=screen, width=400, force_terminal=True, color_system="truecolor")

    def lines() -> Iterator[str]:
        yield from [*ANSWERS, "yes", "intro p_eve"]
        [asked] = store.intros.involving("p_eve")
        IntroService(store).accept(asked.id, "p_eve")
        yield from ["find quokka diffusion", "/intros", "quit"]

    typed = lines()
    monkeypatch.setattr(console, "input", lambda prompt="": next(typed))
    chat(services, console, owner="terminal-inert")
    shown = screen.getvalue()
    assert "\x1b]8;" not in shown, "a hyperlink was made"  # rich writes OSC 8 for [link=…]
    assert "\x1b]52" not in shown and "\x1b[2J" not in shown, "a control sequence went through"
    assert "\x07" not in shown
    text = _without_styles(shown).replace(JOINER, "")
    assert f"I've asked {SHOWN_NAME} whether" in text
    assert text.count(SHOWN_NAME) >= 4  # the suggestion, the request, the search hit, the intro
    assert "Contact: [link=http://evil.example/c]eve[/link] ]52;c;cGF5bG9hZA== eve@example.org" in text


def _without_styles(shown: str) -> str:
    """The characters on the screen: rich's own SGR colour codes removed (m-terminated)."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", shown)
