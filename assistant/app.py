"""The Chainlit app: thin. Each handler reads session state, calls one service method, renders.

Run it with `mingle serve` (which sets Chainlit's app root and the offline switches).
"""

from __future__ import annotations

from functools import cache

import chainlit as cl

from assistant.services import Services, build_services
from assistant.settings import load_settings
from assistant.texts import TEMPORARY_REPLY, welcome
from store.errors import MingleError


@cache
def services() -> Services:
    return build_services(load_settings())


@cl.on_chat_start
async def start() -> None:
    try:
        people, rfps = services().community_counts()
        cl.user_session.set("transcript_id", services().start_conversation(cl.context.session.id))
    except MingleError as exc:
        await cl.Message(content=f"Mingle cannot open its database right now: {exc}").send()
        return
    text = welcome(people, rfps)
    await cl.Message(content=text).send()
    services().record(cl.user_session.get("transcript_id"), "assistant", text)


@cl.on_message
async def on_message(message: cl.Message) -> None:
    transcript_id = cl.user_session.get("transcript_id")
    try:
        if transcript_id is None:
            raise MingleError("this conversation was not started; please reload the page")
        services().record(transcript_id, "user", message.content)
    except MingleError as exc:
        await cl.Message(content=f"I could not save that: {exc}").send()
        return
    await cl.Message(content=TEMPORARY_REPLY).send()
    services().record(transcript_id, "assistant", TEMPORARY_REPLY)
