"""A tiny OpenAI-compatible chat server on 127.0.0.1 with scripted behaviours (fault tier).

    with FakeOpenAI(default=status(500)) as server:
        server.script(slow(2.0), status(429), ok('{"a": 1}'))
        LiteLLMChatModel("openai/fake-model", api_base=server.api_base, timeout=0.5, ...)

Each POST to ``/v1/chat/completions`` (or ``/chat/completions``) takes the next scripted
``Reply``; when the script runs out, ``default`` answers. ``server.requests`` keeps every
request body, so tests can count attempts and read what was sent.
"""

from __future__ import annotations

import asyncio
import gc
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

PATHS = ("/v1/chat/completions", "/chat/completions")


@dataclass(frozen=True)
class Reply:
    """One scripted answer: an HTTP status, a raw body, and a delay before answering."""

    status: int = 200
    body: bytes = b""
    delay: float = 0.0
    content_type: str = "application/json"


def ok(content: str, *, prompt_tokens: int = 11, completion_tokens: int = 7) -> Reply:
    """A well-formed chat completion whose message content is ``content``."""
    payload = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "fake-model",
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
    return Reply(body=json.dumps(payload).encode())


def status(code: int) -> Reply:
    """An error status with an OpenAI-style error body."""
    error = {"error": {"message": f"scripted {code}", "type": "server_error", "code": code}}
    return Reply(status=code, body=json.dumps(error).encode())


def slow(seconds: float, content: str = "{}") -> Reply:
    """A valid answer that arrives only after ``seconds`` (past the client's timeout)."""
    return Reply(body=ok(content).body, delay=seconds)


def malformed() -> Reply:
    """HTTP 200 whose body is not JSON at all."""
    return Reply(body=b'{"id": "chatcmpl-fake", "choices": [ this is not json')


def wrong_shape() -> Reply:
    """HTTP 200 with valid JSON that is not a chat completion."""
    return Reply(body=json.dumps({"hello": "world", "choices": "none"}).encode())


class FakeOpenAI:
    """The server; a context manager that starts it in a daemon thread on a free port."""

    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or status(500)
        self.requests: list[dict[str, Any]] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-openai", daemon=True)

    @property
    def api_base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            return self._script.popleft() if self._script else self.default

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        close_idle_event_loops()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                if self.path.split("?", 1)[0] not in PATHS:
                    self._send(status(404))
                    return
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {"unparseable": raw.decode("utf-8", "replace")}
                reply = fake._next(body)
                if reply.delay and fake._stopping.wait(reply.delay):
                    return
                self._send(reply)

            def _send(self, reply: Reply) -> None:
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): nothing left to answer

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


def close_idle_event_loops() -> None:
    """litellm opens an asyncio event loop on some of its failure paths and never closes it. Left
    to the garbage collector, its ResourceWarning lands (as an error: warnings are errors here) on
    whichever unrelated test happens to be running: close what the talk to this server left idle."""
    for thing in gc.get_objects():
        if isinstance(thing, asyncio.AbstractEventLoop) and not thing.is_running() and not thing.is_closed():
            thing.close()
