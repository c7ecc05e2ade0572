"""Every message the web app sends is inert markdown, whatever people put in their names,
topics, contacts and RFPs: suggestions, search, "more like this", intro requests, answers and
the intro list, errors, and the newcomer's own card. The handlers run without a server; what a
reader would see is computed from each message's markdown (``test_markup.rendered``)."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.conversation.intros import IntroService
from store.domain import IntroRequest
from store.errors import InputError
from tests.assistant.conversation.test_intake import ANSWERS
from tests.assistant.conversation.test_markup import autolinks, rendered, visible
from tests.assistant.ui import test_app
from tests.assistant.ui.hostile import askers, eve, eves_rfp

ui = test_app.ui  # the same fixture: the app module, the messages it sent, the seeded store
BEACON = "http://127.0.0.1:9"
ACTIVE = {"link_open", "image", "html_inline", "html_block", "fence", "code_block", "heading_open"}


def _action(message: Any, name: str) -> Any:
    return next(a for a in message.actions if a.name == name)


def test_hostile_words_are_shown_literally_and_never_as_markup(ui: test_app.UI) -> None:
    app, sent, store = ui
    import chainlit as cl

    people = [eve(BEACON), *askers(BEACON)]
    for person in people:
        store.profiles.upsert(person)
    store.rfps.add_many([eves_rfp(BEACON)])
    services = app.services()
    for person in people:
        services.matching.index_profile(person)
    services.matching.reindex()
    answers = [f"{ANSWERS[0]} ![me]({BEACON}/self.png) <img src={BEACON}/self2.png>", *ANSWERS[1:]]

    async def scenario() -> None:
        await app.start()
        for answer in answers:
            await app.on_message(cl.Message(content=answer))
        await app.on_confirm(_action(sent[-1], "confirm"))
        [suggestion] = [m for m in sent if m.actions and m.actions[0].payload.get("id") == "p_eve"]
        await app.on_request_intro(_action(suggestion, "request_intro"))
        await app.on_request_intro(_action(suggestion, "request_intro"))  # an error naming Eve
        await app.on_more_like(_action(suggestion, "more_like"))
        await app.on_message(cl.Message(content="/search quokka diffusion"))
        hits = [m for m in sent if [a.name for a in m.actions] == ["more_like"]]
        assert "p_eve" in [m.actions[0].payload["id"] for m in hits]  # Eve is a search result
        newcomer = store.transcripts.get(store.transcripts.for_owner(app._owner())[0]).profile_id
        [asked_eve] = store.intros.involving("p_eve")
        IntroService(store).accept(asked_eve.id, "p_eve")
        for asker in ("p_mallory", "p_trudy"):
            store.intros.add(IntroRequest(requester_id=asker, target_id=newcomer or ""))
        await app.on_message(cl.Message(content="/intros"))
        answers_wanted = [m for m in sent if m.actions and m.actions[0].name == "accept_intro"]
        await app.on_accept_intro(_action(answers_wanted[0], "accept_intro"))
        await app.on_decline_intro(_action(answers_wanted[1], "decline_intro"))
        await app.on_message(cl.Message(content="/intros"))
        await app.on_message(cl.Message(content="/rfps"))
        await app.on_message(cl.Message(content="/profile"))

    test_app.run(scenario)
    shown = []
    for message in sent:
        kinds, _ = rendered(message.content)
        assert not kinds & ACTIVE, f"{kinds & ACTIVE} in {message.content!r}"
        assert autolinks(message.content) == [], message.content
        shown.append(visible(message.content))
    page = "\n".join(shown)
    words = [eve(BEACON).display_name, eve(BEACON).topics[0], eves_rfp(BEACON).title, answers[0]]
    words += [p.display_name for p in askers(BEACON)] + [eve(BEACON).contact or ""]
    for said in words:
        assert said in page, f"{said!r} is not shown literally"
    for line in (
        f"I've asked {eve(BEACON).display_name} whether",
        f"you already have an introduction with {eve(BEACON).display_name}",
        f"People similar to {eve(BEACON).display_name}:",
        (
            f"Wonderful: you and {askers(BEACON)[0].display_name} are introduced. "
            f"Their contact: {askers(BEACON)[0].contact}."
        ),
        f"Understood. {askers(BEACON)[1].display_name} won't be told it was a no.",
        f"Contact: {eve(BEACON).contact}",
    ):
        assert line in page, line


@pytest.mark.parametrize("error", ["a `code` word", "![x](http://127.0.0.1:9/e.png) is <b>gone</b>"])
def test_error_messages_are_shown_as_plain_sentences(
    ui: test_app.UI, error: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Errors are plain sentences (the CLI prints them too): whatever they quote reads literally."""
    app, sent, _ = ui
    import chainlit as cl

    def fail(*_: object) -> None:
        raise InputError(error)

    monkeypatch.setattr(app.services().intake, "handle", fail)

    async def scenario() -> None:
        await app.start()
        await app.on_message(cl.Message(content="hello"))

    test_app.run(scenario)
    kinds, _ = rendered(sent[-1].content)
    assert not kinds & ACTIVE and "code_inline" not in kinds
    assert visible(sent[-1].content) == f"I could not do that: {error}"


def test_chainlit_renders_no_raw_html_and_shows_peoples_own_messages_as_typed() -> None:
    import tomllib
    from importlib.resources import files

    config = files("assistant.ui") / "chainlit_root" / ".chainlit" / "config.toml"
    features = tomllib.loads(config.read_text(encoding="utf-8"))["features"]
    assert features["unsafe_allow_html"] is False
    assert features["user_message_markdown"] is False
    assert features["latex"] is False
