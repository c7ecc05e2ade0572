"""Chainlit handlers called directly, without a server (Chainlit ships no pytest plugin)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from assistant.services import open_store
from assistant.settings import load_settings
from store.db import upgrade
from store.demo import seed


@pytest.fixture
def ui(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MINGLE_DATA_DIR", str(tmp_path / "data"))
    store = open_store(load_settings(), migrated=False)
    upgrade(store.engine)
    seed(store)
    import chainlit as cl

    from assistant import app

    sent: list[str] = []

    async def capture(message: cl.Message) -> cl.Message:
        sent.append(message.content)
        return message

    monkeypatch.setattr(cl.Message, "send", capture)
    app.services.cache_clear()
    yield app, sent, store
    app.services.cache_clear()
    store.dispose()


def test_welcome_explains_mingle_and_counts_the_community(ui) -> None:  # type: ignore[no-untyped-def]
    app, sent, store = ui
    from chainlit.context import init_http_context

    async def scenario() -> None:
        init_http_context()
        await app.start()

    asyncio.run(scenario())
    welcome = sent[0]
    assert "Welcome to Mingle" in welcome
    for promise in ("Voluntary and free", "Your data", "both say yes", "export or delete", "Skip any question"):
        assert promise in welcome
    visible = sum(1 for p in store.profiles.list() if p.visibility == "public" and not p.paused)
    assert f"{visible} people" in welcome


def test_every_user_message_is_stored_before_the_reply(ui) -> None:  # type: ignore[no-untyped-def]
    app, sent, store = ui
    import chainlit as cl
    from chainlit.context import init_http_context

    async def scenario() -> str:
        init_http_context()
        await app.start()
        await app.on_message(cl.Message(content="I work on diffusion models for CT scans"))
        return cl.user_session.get("transcript_id")

    transcript_id = asyncio.run(scenario())
    messages = store.transcripts.get(transcript_id).messages
    assert [m.role for m in messages] == ["assistant", "user", "assistant"]
    assert messages[1].content == "I work on diffusion models for CT scans"
    assert len(sent) == 2


def test_a_broken_database_is_said_plainly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MINGLE_DATA_DIR", str(tmp_path / "never-migrated"))
    import chainlit as cl
    from chainlit.context import init_http_context

    from assistant import app

    sent: list[str] = []

    async def capture(message: cl.Message) -> cl.Message:
        sent.append(message.content)
        return message

    monkeypatch.setattr(cl.Message, "send", capture)
    app.services.cache_clear()

    async def scenario() -> None:
        init_http_context()
        await app.start()
        await app.on_message(cl.Message(content="hello"))

    asyncio.run(scenario())
    app.services.cache_clear()
    assert "run `mingle db upgrade`" in sent[0]
    assert "could not save" in sent[1]
