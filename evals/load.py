"""Load: many newcomers at once through whole intakes, over the app's real socket.io protocol.

Each newcomer is one ``socketio.AsyncClient`` that does what the browser's Chainlit client does:

    connect to /ws/socket.io with auth {sessionId, clientType "webapp", threadId "", userEnv "{}",
      chatProfile ""}, then emit "connection_successful"           → the welcome ("new_message")
    per answer: emit "client_message" {message: <user_message step>, fileReferences: []}
      → turn latency = send → first assistant "new_message"; the turn ends at "task_end"
    once the card asks "Does this look right?": "yes" → "Saved. …" and the suggestions

Afterwards the store is read (same MINGLE_DATA_DIR / MINGLE_DATABASE_URL as the server): every
user message a newcomer sent must be in its transcript (the app names a chat's transcript by its
Chainlit thread id, which every message it sends carries; without auth all newcomers share the
one local owner), and every reply stored there must have reached it.

    errors              newcomers that failed: exception, timeout, an error message, no suggestions
    lost_messages       user messages sent but not stored
    undelivered_replies assistant messages stored but never received
    turn_ms             per-turn latency over every answer and the "yes"

Only loopback URLs are accepted; every wait is bounded by ``timeout``, so a run stops by itself.

    python -m evals.load --url http://127.0.0.1:8000 --newcomers 50
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import statistics
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlparse

import socketio
import typer

from assistant.settings import Settings, load_settings
from store.errors import InputError

SOCKET_PATH = "/ws/socket.io"  # Chainlit's SOCKET_IO_PATH with an empty root_path
CARD = "Does this look right?"
SAVED = "Saved."
APP_ERRORS = ("I could not", "Mingle cannot")  # the app's own error lines (assistant/app.py)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class LoadError(Exception):
    """One newcomer's run went wrong: what was expected and what came instead."""


@dataclass
class Newcomer:
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    thread_id: str = ""  # from the first message the app sends: the id of this chat's transcript
    sent: list[str] = field(default_factory=list)
    received: list[str] = field(default_factory=list)
    turns: list[float] = field(default_factory=list)
    welcome_s: float | None = None
    suggestions: int = 0
    error: str | None = None
    finished_at: float | None = None


def user_step(text: str, url: str) -> dict[str, Any]:
    """The step the browser's chat input builds (``threadId`` empty, a v4 id, no command)."""
    return {
        "threadId": "",
        "id": str(uuid.uuid4()),
        "name": "User",
        "type": "user_message",
        "output": text,
        "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "metadata": {"location": url + "/"},
    }


class _Session:
    """One socket, its events in arrival order on a queue: ("message", step) or ("task_end", None)."""

    def __init__(self, url: str, who: Newcomer, timeout: float) -> None:
        self.url, self.who, self.timeout = url, who, timeout
        self.events: asyncio.Queue[tuple[str, dict[str, Any] | None]] = asyncio.Queue()
        self.client = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.client.on("new_message", self._on_message)
        self.client.on("task_end", self._on_task_end)
        self.client.on("disconnect", self._on_disconnect)

    async def _on_message(self, step: dict[str, Any]) -> None:
        self.who.thread_id = self.who.thread_id or str(step.get("threadId") or "")
        await self.events.put(("message", step))

    async def _on_task_end(self, _data: object = None) -> None:
        await self.events.put(("task_end", None))

    async def _on_disconnect(self, *_reason: object) -> None:
        await self.events.put(("disconnect", None))

    async def connect(self) -> None:
        auth = {
            "clientType": "webapp",
            "sessionId": self.who.session_id,
            "threadId": "",
            "userEnv": "{}",
            "chatProfile": "",
        }
        await self.client.connect(self.url, auth=auth, socketio_path=SOCKET_PATH, wait_timeout=self.timeout)
        await self.client.emit("connection_successful")
        await self.client.emit("fetch_favorites")

    async def _next(self, deadline: float, waiting_for: str) -> tuple[str, dict[str, Any] | None]:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise LoadError(f"timed out waiting for {waiting_for}")
        try:
            kind, step = await asyncio.wait_for(self.events.get(), left)
        except TimeoutError:
            raise LoadError(f"timed out after {self.timeout:g} s waiting for {waiting_for}") from None
        if kind == "disconnect":
            raise LoadError(f"the server disconnected while waiting for {waiting_for}")
        return kind, step

    def _reply_text(self, step: dict[str, Any]) -> str:
        text = str(step.get("output") or "")
        if step.get("isError") or text.startswith(APP_ERRORS):
            raise LoadError(f"the app answered with an error: {text[:200]!r}")
        self.who.received.append(text)
        return text

    async def welcome(self, started: float) -> str:
        """The welcome, then the end of on_chat_start's task (a "task_end" also comes before it)."""
        deadline = time.perf_counter() + self.timeout
        text: str | None = None
        while True:
            kind, step = await self._next(deadline, "the welcome")
            if kind == "task_end" and text is not None:
                return text
            if text is None and step and step.get("type") == "assistant_message":
                self.who.welcome_s = time.perf_counter() - started
                text = self._reply_text(step)

    async def turn(self, text: str) -> list[str]:
        """Send one message as the browser does; the replies up to the end of the task."""
        self.who.sent.append(text)
        started = time.perf_counter()
        deadline = started + self.timeout
        await self.client.emit("client_message", {"message": user_step(text, self.url), "fileReferences": []})
        replies: list[str] = []
        while True:
            kind, step = await self._next(deadline, f"the reply to {text[:40]!r}")
            if kind == "task_end":
                if not replies:
                    raise LoadError(f"the turn {text[:40]!r} ended without a reply")
                return replies
            if step and step.get("type") == "assistant_message":
                if not replies:
                    self.who.turns.append(time.perf_counter() - started)
                replies.append(self._reply_text(step))

    async def close(self) -> None:
        if self.client.connected:
            await self.client.disconnect()


async def _one_newcomer(url: str, who: Newcomer, answers: list[str], timeout: float) -> None:
    session = _Session(url, who, timeout)
    started = time.perf_counter()
    try:
        await asyncio.wait_for(session.connect(), timeout)
        welcome = await session.welcome(started)
        if "Welcome to Mingle" not in welcome:
            raise LoadError(f"unexpected welcome: {welcome[:200]!r}")
        carded = False
        for answer in answers:
            replies = await session.turn(answer)
            if CARD in replies[0]:
                carded = True
                break
        if not carded:
            raise LoadError(f"no profile card after {len(answers)} answers")
        replies = await session.turn("yes")
        if not replies[0].startswith(SAVED):
            raise LoadError(f"'yes' did not save: {replies[0][:200]!r}")
        who.suggestions = len(replies) - 1
        if who.suggestions == 0:
            raise LoadError(f"saved but no suggestions: {replies[0][:200]!r}")
        who.finished_at = time.perf_counter()
    except LoadError as exc:
        who.error = str(exc)
    except (socketio.exceptions.SocketIOError, OSError, TimeoutError) as exc:
        who.error = f"{type(exc).__name__}: {exc}"
    finally:
        with contextlib.suppress(socketio.exceptions.SocketIOError, OSError, TimeoutError):
            await asyncio.wait_for(session.close(), timeout)


def _stored(settings: Settings, thread_ids: list[str]) -> list[list[tuple[str, str]]]:
    """(role, content) of every message the app stored in each newcomer's transcript."""
    from assistant.services import open_store
    from store.errors import NotFound

    store = open_store(settings)
    try:
        out: list[list[tuple[str, str]]] = []
        for thread_id in thread_ids:
            try:
                out.append([(m.role, m.content) for m in store.transcripts.get(thread_id).messages])
            except NotFound:  # the app never answered this newcomer
                out.append([])
        return out
    finally:
        store.dispose()


def compare_with_store(who: Newcomer, stored: list[tuple[str, str]]) -> tuple[int, int]:
    """(user messages sent but not stored, stored replies never received). A rendered reply may
    carry more than the stored text (the card's markdown follows it), so a prefix counts."""
    sent = Counter(who.sent)
    kept = Counter(content for role, content in stored if role == "user")
    lost = sum((sent - kept).values())
    undelivered = sum(
        1
        for role, content in stored
        if role == "assistant" and not any(text.startswith(content) for text in who.received)
    )
    return lost, undelivered


def _percentiles(samples: list[float]) -> dict[str, float | None]:
    if not samples:
        return {"p50": None, "p95": None, "max": None}
    ordered = sorted(samples)
    return {
        "p50": round(statistics.median(ordered) * 1000, 1),
        "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 1),
        "max": round(ordered[-1] * 1000, 1),
    }


def _check_loopback(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or parsed.hostname not in LOOPBACK:
        raise InputError(
            f"the load program only talks to this machine: {url!r} is not an http://127.0.0.1 URL"
        )
    return url.rstrip("/")


async def run_load(
    url: str,
    newcomers: int,
    answers: list[str],
    *,
    timeout: float = 60,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Drive ``newcomers`` concurrent intakes against the app at ``url``; the measured figures.

    ``settings`` names the store the server writes to (default: this process's MINGLE_ env)."""
    url = _check_loopback(url)
    if not 1 <= newcomers <= 1000:
        raise InputError(f"newcomers must be between 1 and 1000 (got {newcomers})")
    if not answers:
        raise InputError("give at least one answer")
    people = [Newcomer() for _ in range(newcomers)]
    started = time.perf_counter()
    await asyncio.gather(*(_one_newcomer(url, who, answers, timeout) for who in people))
    wall = time.perf_counter() - started
    stored = await asyncio.to_thread(_stored, settings or load_settings(), [who.thread_id for who in people])
    lost = undelivered = 0
    for who, kept in zip(people, stored, strict=True):
        missing, unseen = compare_with_store(who, kept)
        lost, undelivered = lost + missing, undelivered + unseen
    done = [who for who in people if who.error is None]
    finished = max((who.finished_at for who in done if who.finished_at), default=started)
    errors = Counter(who.error for who in people if who.error)
    return {
        "newcomers": newcomers,
        "completed": len(done),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors.most_common(5)),
        "lost_messages": lost,
        "undelivered_replies": undelivered,
        "messages_sent": sum(len(who.sent) for who in people),
        "sessions_per_s": round(len(done) / (finished - started), 3) if done else 0.0,
        "turn_ms": _percentiles([t for who in people for t in who.turns]),
        "welcome_ms": _percentiles([who.welcome_s for who in people if who.welcome_s is not None]),
        "suggestions_min": min((who.suggestions for who in done), default=0),
        "wall_s": round(wall, 2),
    }


def default_answers() -> list[str]:
    """The eight answers of the browser test: they complete an intake."""
    return [
        "I work on diffusion models for medical imaging, mostly low-dose CT.",
        "I'm a second-year PhD student.",
        "I write well and I read a lot of papers.",
        "I'm not good at coding and I'd like to grow my network.",
        "I'd love collaborators, and I need GPU compute.",
        "I can give feedback on drafts.",
        "I have my own idea with some early results.",
        "I'm in Lagos, about 6 hours a week, and I speak English and Igbo.",
    ]


def main(
    url: Annotated[str, typer.Option(help="The running app, e.g. http://127.0.0.1:8000 (loopback only).")],
    newcomers: Annotated[int, typer.Option(help="Concurrent newcomers.")] = 50,
    timeout: Annotated[float, typer.Option(help="Seconds any one wait may take.")] = 60,
    save: Annotated[bool, typer.Option(help="Keep the run under DATA_DIR/eval-runs/.")] = True,
) -> None:
    """Drive NEWCOMERS concurrent intakes through the app at URL; print the figures as JSON.
    Set MINGLE_DATA_DIR / MINGLE_DATABASE_URL as for the server: the store is checked afterwards."""
    settings = load_settings()
    result = asyncio.run(run_load(url, newcomers, default_answers(), timeout=timeout, settings=settings))
    result["database"] = settings.resolved_database_url.split(":", 1)[0]
    if save:
        from evals.runs import default_root, save_run

        extra = {"url": url, "newcomers": newcomers, "timeout": timeout}
        config = {**settings.model_dump(mode="json"), **extra}
        result["run_dir"] = str(save_run("load", result, config, default_root(settings.data_dir)))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    typer.run(main)
