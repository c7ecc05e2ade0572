"""Migration 0009: Mingle's messages in Chainlit's chat history, written before people's words
were escaped, are made inert; what they read stays the same."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from assistant.conversation.markup import escape
from store.db import make_engine, upgrade
from tests.assistant.conversation.test_markup import autolinks, rendered, visible

BEACON = "http://127.0.0.1:9"
OLD = [  # as Mingle wrote them before: names and contacts unescaped
    f"I've asked Eve![n]({BEACON}/n.png)<img src={BEACON}/i.png> whether they'd like an introduction.",
    f"Wonderful: you and Mallory[x]({BEACON}/m) are introduced. Their contact: <img src={BEACON}/c.png>.",
    "**Eve\\!\\[n\\]**: You want to grow coding — already escaped.",
]


def test_old_chat_history_is_made_inert_and_reads_the_same(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0008")
    thread, steps = str(uuid.uuid4()), [str(uuid.uuid4()) for _ in range(len(OLD) + 2)]
    own_words = f"my own words ![me]({BEACON}/me.png)"
    escaped_now = f"People similar to {escape(f'Eve![n]({BEACON}/n.png)')}:"
    rows = [(s, "assistant_message", o) for s, o in zip(steps, [*OLD, escaped_now], strict=False)]
    rows.append((steps[-1], "user_message", own_words))
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO threads (id, name) VALUES (:id, :name)"), {"id": thread, "name": "t"}
        )
        for step_id, kind, output in rows:
            connection.execute(
                text(
                    'INSERT INTO steps (id, name, type, "threadId", streaming, output) '
                    "VALUES (:id, :name, :type, :thread, false, :output)"
                ),
                {"id": step_id, "name": "Mingle", "type": kind, "thread": thread, "output": output},
            )
    upgrade(engine)
    with engine.connect() as connection:
        stored = {str(i): o for i, o in connection.execute(text("SELECT id, output FROM steps")).all()}
    engine.dispose()
    for step_id, _, before in rows[:2]:
        after = stored[step_id]
        kinds, _ = rendered(after)
        assert not kinds & {"image", "link_open", "html_inline", "html_block"}, after
        assert autolinks(after) == []
        assert visible(after) == before  # every character as it was written, now as text
    assert stored[steps[2]] == OLD[2]  # already escaped: untouched
    assert stored[steps[len(OLD)]] == escaped_now
    assert stored[steps[-1]] == own_words  # people's own messages are shown as typed anyway
