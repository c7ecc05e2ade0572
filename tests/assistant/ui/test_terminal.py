"""`mingle chat`: the same interview in the terminal, fed line by line."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from rich.console import Console

from assistant.settings import load_settings
from assistant.ui.terminal import chat
from store.db import make_engine, upgrade
from store.demo import seed
from store.repositories import Store
from tests.assistant.conversation.test_intake import ANSWERS
from tests.assistant.fakes import fake_services


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    built = Store(engine)
    seed(built)
    yield built
    built.dispose()


def test_a_whole_intake_in_the_terminal(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    services = fake_services(load_settings(), store)
    screen = io.StringIO()
    console = Console(file=screen, width=120, force_terminal=False)
    store.exposures.record("terminal-test", ["demo-kenji"])  # shown before: only then can he be asked
    lines = iter([*ANSWERS, "yes", "intro demo-kenji", "not a fit demo-0001", "quit"])
    monkeypatch.setattr(console, "input", lambda prompt="": next(lines))
    chat(services, console, owner="terminal-test")
    shown = " ".join(screen.getvalue().split())  # as read: the console wraps lines at its width
    assert "Welcome to Mingle" in shown and "Does this look right?" in shown
    assert "Saved. Here are people" in shown and "You want to grow" in shown
    assert "Contact details are shared only if they say yes too" in shown
    assert "You won't see that suggestion again" in shown
    assert store.intros.involving("demo-kenji")[0].status == "pending"


def test_intros_are_shown_and_answered_by_id_in_the_terminal(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = fake_services(load_settings(), store)
    screen = io.StringIO()
    console = Console(file=screen, width=160, force_terminal=False)
    asked: dict[str, str] = {}
    store.exposures.record("terminal-test", ["demo-kenji"])  # shown before: only then can he be asked

    def lines() -> Iterator[str]:
        yield from [*ANSWERS, "yes", "intro demo-kenji"]
        me = store.transcripts.get(store.transcripts.for_owner("terminal-test")[0]).profile_id or ""
        for asker in ("demo-0002", "demo-0003"):
            store.exposures.record(asker, [me])  # I was among their suggestions
            asked[asker] = services.intake.intros.request(store.profiles.get(asker), me, viewer=asker).id
        yield "/intros"
        yield f"accept {asked['demo-0002']}"
        yield f"decline {asked['demo-0003']}"
        yield "/intros"
        yield "quit"

    typed = lines()
    monkeypatch.setattr(console, "input", lambda prompt="": next(typed))
    chat(services, console, owner="terminal-test")
    shown = screen.getvalue()
    first, second = shown.split("Your introductions:")[1:]
    assert f"Baraka Mollel ({asked['demo-0002']}): asked you, pending" in first
    assert f"Pieter Chikwanha ({asked['demo-0003']}): asked you, pending" in first
    assert "Kenji Watanabe" in first and "you asked, waiting" in first
    assert "Type “accept ID” or “decline ID”" in first and "Contact:" not in first
    assert "Wonderful: you and Baraka Mollel are introduced" in shown
    assert "Understood. Pieter Chikwanha won't be told it was a no." in shown
    assert "asked you, accepted. Contact: baraka.mollel2@example.org" in second
    assert "asked you, declined" in second and "accept ID" not in second
    assert [i.status for i in store.intros.involving("demo-0003")] == ["declined"]
