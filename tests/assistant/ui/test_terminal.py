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

from tests.assistant.fakes import fake_services
from tests.assistant.conversation.test_intake import ANSWERS


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
    console = Console(file=io.StringIO(), width=120, force_terminal=False)
    lines = iter([*ANSWERS, "yes", "intro demo-kenji", "not a fit demo-0001", "quit"])
    monkeypatch.setattr(console, "input", lambda prompt="": next(lines))
    chat(services, console, owner="terminal-test")
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Welcome to Mingle" in shown and "Does this look right?" in shown
    assert "Saved. Here are people" in shown and "You want to grow" in shown
    assert "Contact details are shared only if they say yes too" in shown
    assert "You won't see that suggestion again" in shown
    assert store.intros.involving("demo-kenji")[0].status == "pending"
