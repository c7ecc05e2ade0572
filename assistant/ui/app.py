"""The Chainlit app: thin. Each handler reads session state, calls one service method, renders.

Service calls are synchronous (SQLAlchemy, the model) and run in a worker thread, so the event
loop stays free: Chainlit's async chat-history writes must be able to commit meanwhile, or two
writers on one SQLite file would wait on each other.

Run it with `mingle serve` (which sets Chainlit's app root and the offline switches).
"""

from __future__ import annotations

import asyncio
import faulthandler
import json
import signal
import threading
import uuid
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any, cast

import chainlit as cl
from chainlit.server import app as chainlit_server

from assistant.conversation.intake import Conversation
from assistant.conversation.markup import escape, literal
from assistant.conversation.privacy import LOCAL_OWNER
from assistant.conversation.replies import (
    Ask,
    Card,
    Deleted,
    Export,
    Intros,
    Matches,
    Reply,
    Say,
    SearchResults,
)
from assistant.conversation.texts import COMMANDS, welcome
from assistant.services import Services, build_services
from assistant.settings import async_url, load_settings
from assistant.ui import web
from assistant.ui.cards import card_markdown, radar
from store.errors import MingleError

if TYPE_CHECKING:
    from chainlit.data.base import BaseDataLayer
    from chainlit.types import CommandDict, ThreadDict

# `kill -USR1 <pid>` writes every thread's stack to the log: what a stuck request waits for.
faulthandler.register(signal.SIGUSR1, all_threads=True)
SETTINGS = load_settings()  # read once: which callbacks to register depends on MINGLE_AUTH
# texts.COMMANDS has the shape of Chainlit's CommandDict (all but its optional "selected")
CHAINLIT_COMMANDS = cast("list[CommandDict]", COMMANDS)


_building = threading.Lock()


@cache
def _build() -> Services:
    return build_services(load_settings())


def services() -> Services:
    """Built once per process. The start-up thread and the first chats may ask together:
    the lock makes them wait for one build (two Chroma clients on one folder would race)."""
    with _building:
        return _build()


services.cache_clear = _build.cache_clear  # type: ignore[attr-defined]  # a reset for the tests


@cache
def warm_up() -> None:
    """Once, after the first welcome is out: load the model and check the index in the background
    while the newcomer reads (loading torch holds the interpreter for seconds)."""
    threading.Thread(target=services().warm_up, name="warm-up", daemon=True).start()


@cl.on_app_startup
def prepare() -> None:
    """Open the store and the index while the first browser is still loading the page."""
    threading.Thread(target=services, name="services", daemon=True).start()


def _conversation() -> Conversation | None:
    return cl.user_session.get("conversation")


async def _say(text: str, **kwargs: Any) -> None:  # cl.Message's own keywords (actions, elements)
    await cl.Message(content=text, **kwargs).send()


def _owner() -> str:
    """Whose conversation this is: the signed-in user, or (single-user local demo) the one local
    person, the same after a reload, so they can still export, delete and answer introductions."""
    user = cl.user_session.get("user")
    return f"user:{user.identifier}" if user is not None else LOCAL_OWNER


@cl.on_chat_start
async def start() -> None:
    try:
        owner, thread_id = _owner(), cl.context.session.thread_id

        def open_conversation() -> Conversation:  # in a worker: the first call builds the services
            people, rfps = services().community_counts()
            return services().intake.start(owner, welcome(people, rfps, services().mode_label), thread_id)

        conversation = await asyncio.to_thread(open_conversation)
    except MingleError as exc:
        await _say(f"Mingle cannot open its database right now: {escape(str(exc))}")
        return
    cl.user_session.set("conversation", conversation)
    await cl.context.emitter.set_commands(CHAINLIT_COMMANDS)
    await _say(conversation.messages[-1].content)
    warm_up()


@cl.on_chat_resume
async def resume(thread: ThreadDict) -> None:
    """A thread from the history: the interview continues where the stored transcript stopped."""
    try:
        owner = _owner()
        conversation = await asyncio.to_thread(lambda: services().intake.resume(thread["id"], owner))
    except MingleError as exc:
        await _say(f"I could not reopen that conversation: {escape(str(exc))}")
        return
    cl.user_session.set("conversation", conversation)
    await cl.context.emitter.set_commands(CHAINLIT_COMMANDS)


# Only the app's own pages may use it; with password sign-in, POST /signup makes accounts.
web.install(chainlit_server, SETTINGS, lambda: services().store.accounts)

if SETTINGS.auth == "password":

    @cl.password_auth_callback
    async def sign_in(username: str, password: str) -> cl.User | None:
        """Sign in to an existing password account; an unknown name creates nothing (newcomers
        sign up first: web.py's POST /signup). Each user sees only their own data."""
        name = username.strip()  # attempts per name and per client: web.OriginGuard (429)
        if await asyncio.to_thread(lambda: services().store.accounts.sign_in(name, password)):
            return cl.User(identifier=name, metadata={"provider": "password"})
        return None

    from chainlit.oauth_providers import get_configured_oauth_providers

    if get_configured_oauth_providers():  # Chainlit's own OAUTH_* variables name the providers

        @cl.oauth_callback
        async def oauth_sign_in(
            provider: str,
            token: str,
            raw: dict[str, str],
            default_user: cl.User,
            id_token: str | None = None,
        ) -> cl.User | None:
            """A provider vouched for this person: their account is "{provider}:{id}", recorded
            with its provider (no password name can ever be that identifier)."""
            identifier = await asyncio.to_thread(
                lambda: services().store.accounts.record_external(provider, default_user.identifier)
            )
            return cl.User(identifier=identifier, metadata={"provider": provider})

    @cl.data_layer
    def chat_history() -> BaseDataLayer:
        from chainlit.data.sql_alchemy import SQLAlchemyDataLayer

        return SQLAlchemyDataLayer(conninfo=async_url(services().settings.resolved_database_url))


@cl.on_message
async def on_message(message: cl.Message) -> None:
    conversation = _conversation()
    text = f"/{message.command} {message.content}" if message.command else message.content
    if conversation is None and cl.user_session.get("deleted"):
        await _forget_this_chat("Everything about you is already deleted.")
        return
    try:
        if conversation is None:
            raise MingleError("this conversation was not started; please reload the page")
        reply = await asyncio.to_thread(lambda: services().intake.handle(conversation, text))
    except MingleError as exc:
        await _say(f"I could not do that: {escape(str(exc))}")
        return
    await render(reply)


async def render(reply: Reply) -> None:
    """A reply as Chainlit messages. ``reply.text`` is Mingle's markdown, with people's words
    already escaped where it was written; whatever this function puts in from people's data (names,
    explanations, titles, contacts) goes through ``escape`` or ``literal``."""
    match reply:
        case Card(text=text, profile=profile, evidence=evidence):
            elements = [cl.Plotly(name="six axes", figure=radar(profile), display="inline")]
            actions = [cl.Action(name="confirm", payload={}, label="Looks right: save", icon="check")]
            await _say(text + "\n\n" + card_markdown(profile, evidence), elements=elements, actions=actions)
        case Matches(text=text, matches=matches):
            await _say(text)
            for m in matches.people:
                pid = m.profile.id
                await _say(
                    f"**{escape(m.profile.display_name)}**: {escape(m.explanation)}",
                    actions=[
                        cl.Action(
                            name="request_intro", payload={"id": pid}, label="Request intro", icon="handshake"
                        ),
                        cl.Action(name="not_a_fit", payload={"id": pid}, label="Not a fit", icon="x"),
                        cl.Action(
                            name="more_like", payload={"id": pid}, label="More like this", icon="users"
                        ),
                    ],
                )
            for r in matches.rfps:
                await _say(
                    f"📌 **RFP: {escape(r.rfp.title)}**: {escape(r.explanation)}",
                    actions=[
                        cl.Action(name="not_a_fit", payload={"id": r.rfp.id}, label="Not a fit", icon="x")
                    ],
                )
        case SearchResults(text=text, hits=hits):
            await _say(text)
            for hit in hits:
                await _say(
                    f"**{escape(hit.profile.display_name)}**: {escape(hit.explanation)}",
                    actions=[
                        cl.Action(
                            name="more_like",
                            payload={"id": hit.profile.id},
                            label="More like this",
                            icon="users",
                        )
                    ],
                )
        case Intros(text=text, intros=intros):
            await _say(text)
            for intro in intros:
                line = f"**{escape(intro.other_name)}**: {intro.direction}, {intro.status}"
                if intro.contact:
                    line += f". Contact: {literal(intro.contact)}"
                actions = []
                if intro.awaits_my_answer:
                    actions = [
                        cl.Action(
                            name="accept_intro", payload={"id": intro.id}, label="Accept", icon="check"
                        ),
                        cl.Action(name="decline_intro", payload={"id": intro.id}, label="Decline", icon="x"),
                    ]
                await _say(line, actions=actions)
        case Export(text=text, data=data):
            await _say(text)
            content = json.dumps(data, ensure_ascii=False, indent=2).encode()
            await _say("", elements=[cl.File(name="mingle-export.json", content=content, display="inline")])
        case Deleted(text=text):
            await _forget_this_chat(text)
        case Say(text=text) | Ask(text=text):
            await _say(text)


async def _forget_this_chat(text: str) -> None:
    """After /delete nothing of this chat is written again. Chainlit would otherwise re-create
    the deleted thread row when it stores the goodbye (``create_step``) or the session on
    disconnect (``persist_user_session``, only after a "first interaction"); later messages of
    this page go to a new thread id, never the deleted one."""
    cl.user_session.set("conversation", None)
    cl.user_session.set("deleted", True)
    session = cl.context.session
    session.has_first_interaction = False
    session.thread_id = str(uuid.uuid4())
    goodbye = cl.Message(content=text + " Reload the page to start again.")
    goodbye.persisted = True  # shown, never stored
    await goodbye.send()


async def _act(action: cl.Action, work: Callable[[Conversation, str], Reply | str]) -> None:
    conversation = _conversation()
    try:
        if conversation is None:
            raise MingleError("this conversation was not started; please reload the page")
        result = await asyncio.to_thread(work, conversation, action.payload.get("id", ""))
    except MingleError as exc:
        await _say(f"I could not do that: {escape(str(exc))}")
        return
    if isinstance(result, str):
        await _say(result)
    else:
        await render(result)


@cl.action_callback("confirm")
async def on_confirm(action: cl.Action) -> None:
    await _act(action, lambda conversation, _: services().intake.confirm(conversation))


@cl.action_callback("request_intro")
async def on_request_intro(action: cl.Action) -> None:
    await _act(action, services().intake.request_intro)


@cl.action_callback("not_a_fit")
async def on_not_a_fit(action: cl.Action) -> None:
    await _act(action, services().intake.not_a_fit)


@cl.action_callback("more_like")
async def on_more_like(action: cl.Action) -> None:
    await _act(action, services().intake.more_like)


@cl.action_callback("accept_intro")
async def on_accept_intro(action: cl.Action) -> None:
    await _act(action, services().intake.accept_intro)


@cl.action_callback("decline_intro")
async def on_decline_intro(action: cl.Action) -> None:
    await _act(action, services().intake.decline_intro)
