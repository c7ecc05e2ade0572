"""Chainlit handlers called directly, without a server (Chainlit ships no pytest plugin)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from assistant.services import open_store
from assistant.settings import load_settings
from store.db import upgrade
from store.demo import seed
from store.repositories import Store
from tests.assistant.conversation.test_intake import ANSWERS
from tests.assistant.conversation.test_markup import visible
from tests.assistant.fakes import fake_services

UI = tuple[ModuleType, list[Any], Store]  # the app module, the messages it sent, the store


@pytest.fixture
def ui(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[UI]:
    monkeypatch.setenv("MINGLE_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings()
    store = open_store(settings, migrated=False)
    upgrade(store.engine)
    seed(store)
    import chainlit as cl

    from assistant.ui import app

    sent: list[Any] = []

    async def capture(message: cl.Message) -> cl.Message:
        sent.append(message)
        return message

    services = fake_services(settings, store)
    monkeypatch.setattr(cl.Message, "send", capture)
    monkeypatch.setattr(app, "services", lambda: services)
    yield app, sent, store
    store.dispose()


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    from chainlit.context import init_http_context

    async def main() -> None:
        context = init_http_context()
        context.emitter.set_commands = _noop  # type: ignore[method-assign,assignment]  # no seam in Chainlit
        await scenario()

    asyncio.run(main())


async def _noop(*_: Any) -> None:
    return None


def test_welcome_explains_mingle_and_counts_the_community(ui: UI) -> None:
    app, sent, store = ui
    run(app.start)
    welcome = sent[0].content
    assert "Welcome to Mingle" in welcome
    for promise in (
        "Voluntary and free",
        "Your data",
        "both say yes",
        "export or delete",
        "Skip any question",
        "fully offline",
        "single-user local demo",
    ):
        assert promise in welcome
    visible = sum(1 for p in store.profiles.list() if p.visibility == "public" and not p.paused)
    assert f"{visible} people" in welcome


def test_a_whole_intake_through_the_handlers(ui: UI) -> None:
    app, sent, store = ui
    import chainlit as cl

    seeded = {p.id for p in store.profiles.list()}
    asked: list[str] = []

    async def scenario() -> None:
        await app.start()
        for answer in ANSWERS:
            await app.on_message(cl.Message(content=answer))
        card = sent[-1]
        assert "Does this look right?" in card.content and "in your words" in card.content
        assert [e.type for e in card.elements] == ["plotly"]
        assert [a.name for a in card.actions] == ["confirm"]
        await app.on_confirm(card.actions[0])
        suggestions = [m for m in sent if m.actions and m.actions[0].name == "request_intro"]
        assert len(suggestions) == 5
        asked.append(suggestions[0].actions[0].payload["id"])
        await app.on_request_intro(suggestions[0].actions[0])
        assert "shared only if they say yes" in sent[-1].content

    run(scenario)
    [newcomer] = [p for p in store.profiles.list() if p.id not in seeded]  # the card's "save" stored it
    intros = store.intros.involving(newcomer.id)
    assert [(i.requester_id, i.target_id, i.status) for i in intros] == [(newcomer.id, asked[0], "pending")]


def test_after_delete_nothing_of_the_chat_is_written_again(ui: UI) -> None:
    """Chainlit stores a message it sends (``create_step``) and, on disconnect, the session of a
    thread that had a first interaction: either would re-create the deleted thread row."""
    app, sent, store = ui
    import chainlit as cl

    threads: list[str] = []

    async def scenario() -> None:
        await app.start()
        for answer in [*ANSWERS, "yes"]:
            await app.on_message(cl.Message(content=answer))
        session = cl.context.session
        session.has_first_interaction = True
        threads.append(session.thread_id)
        await app.on_message(cl.Message(content="/delete"))
        goodbye = sent[-1]
        assert "gone" in goodbye.content and "Reload the page" in goodbye.content
        assert goodbye.persisted  # Chainlit's Message._create skips the data layer
        assert not session.has_first_interaction  # so disconnect persists nothing
        threads.append(session.thread_id)
        assert app._conversation() is None
        await app.on_message(cl.Message(content="hello again"))
        assert "already deleted" in sent[-1].content and sent[-1].persisted

    seeded = {p.id for p in store.profiles.list()}
    run(scenario)
    assert {p.id for p in store.profiles.list()} == seeded
    assert threads[0] != threads[1]  # later writes of this page can never reach the deleted thread
    assert store.transcripts.for_owner(app.LOCAL_OWNER) == []


def test_user_words_are_shown_escaped(ui: UI) -> None:
    app, sent, _ = ui
    import chainlit as cl

    async def scenario() -> None:
        await app.start()
        await app.on_message(cl.Message(content="<script>alert(1)</script> I work on diffusion | **bold**"))
        await app.on_message(cl.Message(content="/profile"))

    run(scenario)
    card = sent[-1].content
    assert "<script>" not in card and "&lt;script&gt;" in card and "\\*\\*bold\\*\\*" in card


def test_a_broken_database_is_said_plainly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MINGLE_DATA_DIR", str(tmp_path / "never-migrated"))
    import chainlit as cl

    from assistant.ui import app

    sent: list[str] = []

    async def capture(message: cl.Message) -> cl.Message:
        sent.append(message.content)
        return message

    monkeypatch.setattr(cl.Message, "send", capture)
    app.services.cache_clear()  # type: ignore[attr-defined]  # app.py hangs its cache reset there

    async def scenario() -> None:
        await app.start()
        await app.on_message(cl.Message(content="hello"))

    run(scenario)
    app.services.cache_clear()  # type: ignore[attr-defined]  # app.py hangs its cache reset there
    assert "run `mingle db upgrade`" in visible(sent[0])  # what the person reads: the sentence, escaped
    assert "not started" in sent[1]


def test_the_local_demo_keeps_one_owner_across_page_loads(ui: UI) -> None:
    """Without auth, a reload is a new Chainlit session: the person must still be able to see,
    export and delete what they saved, and answer their introductions."""
    app, sent, store = ui
    import chainlit as cl

    seeded = {p.id for p in store.profiles.list()}
    conversations: list[Any] = []

    async def first_visit() -> None:
        await app.start()
        for answer in [*ANSWERS, "yes"]:
            await app.on_message(cl.Message(content=answer))
        conversations.append(app._conversation())

    async def after_a_reload() -> None:  # a new HTTP context: a new session id
        await app.start()
        conversations.append(app._conversation())
        await app.on_message(cl.Message(content="/export"))

    async def resumed() -> None:
        await app.resume({"id": conversations[0].transcript_id})  # of a thread, only its id is read
        conversations.append(app._conversation())

    for visit in (first_visit, after_a_reload, resumed):
        run(visit)
    [me] = [p for p in store.profiles.list() if p.id not in seeded]
    assert any(m.content.startswith("Welcome back") for m in sent)  # the reload knows them
    assert [c.profile_id for c in conversations] == [me.id, me.id, me.id]
    assert len({c.owner for c in conversations}) == 1
    exported = sent[-1].elements[0].content
    assert me.id.encode() in exported
