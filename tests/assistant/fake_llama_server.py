"""Quick fake servers, and one that takes structured output the way llama-cpp-python's server does.

llama-cpp-python's server (0.3.x) validates the request body with pydantic: a
``response_format`` of type ``json_schema`` fails that validation, and its route handler turns
every exception into HTTP 500 with an OpenAI-style body whose message is the validation error.
``{"type": "json_object", "schema": ...}`` and no ``response_format`` at all are accepted.

    with LlamaCppLike() as server:
        server.script(ok('{"greeting": "hi"}'))   # answers to accepted requests, in order
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.assistant.fake_openai import FakeOpenAI, Reply, ok

VALIDATION_MESSAGE = (
    "1 validation error:\n"
    "  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), "
    "'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', "
    "'ctx': {'expected': \"'text' or 'json_object'\"}}"
)


def validation_500() -> Reply:
    """What the server answers to ``response_format={"type": "json_schema", ...}``."""
    error = {"message": VALIDATION_MESSAGE, "type": "internal_server_error", "param": None, "code": None}
    return Reply(status=500, body=json.dumps({"error": error}).encode())


class QuickFakeOpenAI(FakeOpenAI):
    """``FakeOpenAI`` that stops in milliseconds (its server loop polls every 20 ms, not 0.5 s),
    so a test that starts one stays well under a second, and that closes every connection after
    its answer, so no pooled client socket outlives the server (and warns, later, in another test)."""

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        base = super()._handler_class()

        class Closing(base):  # type: ignore[valid-type,misc]  # a class made at run time
            def end_headers(self) -> None:
                self.send_header("Connection", "close")
                self.close_connection = True
                super().end_headers()

        return Closing

    def __init__(self, default: Reply | None = None) -> None:
        super().__init__(default=default)
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.02), name="fake-openai", daemon=True
        )


class LlamaCppLike(QuickFakeOpenAI):
    """Refuses ``json_schema`` (without using up the script); otherwise like ``FakeOpenAI``."""

    def __init__(self, default: Reply | None = None) -> None:
        super().__init__(default=default or ok("{}"))

    def _next(self, body: dict[str, Any]) -> Reply:
        response_format = body.get("response_format")
        if isinstance(response_format, dict) and response_format.get("type") not in ("text", "json_object"):
            with self._lock:
                self.requests.append(body)
            return validation_500()
        return super()._next(body)


def mode_of(request: dict[str, Any]) -> str:
    """The output mode a request was sent in: json_schema, json_object or text."""
    response_format = request.get("response_format")
    return str(response_format["type"]) if isinstance(response_format, dict) else "text"


def warm_up_litellm() -> None:
    """One real round trip, so litellm's import and first-client costs (seconds, once per
    process) land in a fixture's setup rather than in the first test that talks to a server."""
    from assistant.chat_model import LiteLLMChatModel, OutputModes

    with QuickFakeOpenAI(default=ok("hi")) as server:
        model = LiteLLMChatModel(
            "openai/warm-up", api_base=server.api_base, api_key="k", timeout=5, modes=OutputModes()
        )
        model.complete([{"role": "user", "content": "hi"}], prompt_name="warm-up", prompt_version="v1")
