"""Structured-output modes and what is retried, over real HTTP to servers on 127.0.0.1.

Default tier: every request is answered at once (or, for the timeout, after a 0.3 s wait), and
backoff sleeps are recorded instead of slept.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from assistant.chat_model import (
    ChatResult,
    LiteLLMChatModel,
    LLMUnavailable,
    MemoryCallLog,
    OutputModes,
    json_text,
    parse_reply,
)
from tests.assistant import fake_openai
from tests.assistant.fake_llama_server import VALIDATION_MESSAGE, LlamaCppLike, mode_of, warm_up_litellm
from tests.assistant.fake_llama_server import QuickFakeOpenAI as FakeOpenAI
from tests.assistant.fake_openai import ok, slow, status

MESSAGES = [{"role": "user", "content": "Say hi as JSON"}]


@pytest.fixture(scope="module", autouse=True)
def _litellm_imported() -> None:
    """Pay litellm's one-time import (seconds) in setup, not in the first test's time."""
    warm_up_litellm()


class Greeting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    greeting: str


def chat(
    server: fake_openai.FakeOpenAI,
    *,
    mode: Any = "auto",
    modes: OutputModes | None = None,
    log: MemoryCallLog | None = None,
    sleeps: list[float] | None = None,
    timeout: float = 1.0,
    max_retries: int = 2,
) -> LiteLLMChatModel:
    return LiteLLMChatModel(
        "openai/fake-model",
        api_base=server.api_base,
        api_key="sk-dummy",
        timeout=timeout,
        max_retries=max_retries,
        backoff=0.25,
        max_backoff=1.0,
        output_mode=mode,
        modes=modes if modes is not None else OutputModes(),
        log=log if log is not None else MemoryCallLog(),
        sleep=(sleeps if sleeps is not None else []).append,
    )


def greet(model: LiteLLMChatModel) -> ChatResult:
    return model.complete(MESSAGES, response_format=Greeting, prompt_name="greet", prompt_version="v3")


# --- each mode on the wire --------------------------------------------------------------------


def test_json_schema_mode_sends_the_openai_json_schema() -> None:
    with FakeOpenAI(default=ok('{"greeting": "hi"}')) as server:
        assert greet(chat(server, mode="json_schema")).parsed == Greeting(greeting="hi")
    [request] = server.requests
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["name"] == "Greeting"


def test_json_object_mode_sends_the_schema_alongside() -> None:
    with FakeOpenAI(default=ok('{"greeting": "hi"}')) as server:
        assert greet(chat(server, mode="json_object")).parsed == Greeting(greeting="hi")
    [request] = server.requests
    assert request["response_format"] == {"type": "json_object", "schema": Greeting.model_json_schema()}


def test_text_mode_sends_no_response_format_and_finds_the_object_in_prose() -> None:
    prose = 'Sure! Here it is:\n```json\n{"greeting": "hi {there}"}\n```\nAnything else? {"no": 1}'
    with FakeOpenAI(default=ok(prose)) as server:
        result = greet(chat(server, mode="text"))
    assert result.parsed == Greeting(greeting="hi {there}") and result.text == prose
    [request] = server.requests
    assert "response_format" not in request and request["messages"] == MESSAGES


def test_text_mode_reports_a_reply_without_json_for_the_re_ask() -> None:
    with FakeOpenAI(default=ok("I cannot do that.")) as server:
        result = greet(chat(server, mode="text"))
    assert result.parsed is None and result.invalid is not None and "Invalid JSON" in result.invalid


def test_max_tokens_is_sent_only_when_set_and_a_cut_reply_is_invalid_for_the_re_ask() -> None:
    with FakeOpenAI(default=ok('{"greeting": "hi')) as server:
        capped = LiteLLMChatModel(
            "openai/fake-model", api_base=server.api_base, api_key="k", timeout=1, max_tokens=64
        )
        result = greet(capped)
        greet(chat(server, mode="json_object"))
    assert result.parsed is None and result.invalid is not None  # cut short: re-asked by the caller
    assert [r.get("max_tokens") for r in server.requests] == [64, None]
    with pytest.raises(ValueError, match="max_tokens"):
        LiteLLMChatModel("openai/fake-model", timeout=1, max_tokens=0)


# --- auto: a server that refuses json_schema the way llama-cpp-python's does -------------------


def test_auto_moves_to_json_object_at_once_and_remembers_it() -> None:
    modes, log, sleeps = OutputModes(), MemoryCallLog(), list[float]()
    with LlamaCppLike() as server:
        server.script(ok('{"greeting": "one"}'), ok('{"greeting": "two"}'), ok('{"greeting": "three"}'))
        model = chat(server, modes=modes, log=log, sleeps=sleeps, max_retries=2)
        assert greet(model).parsed == Greeting(greeting="one")
        assert [mode_of(r) for r in server.requests] == [
            "json_schema",
            "json_object",
        ]  # refused once, no retry
        assert greet(model).parsed == Greeting(greeting="two")
        again = chat(server, modes=modes)  # another client in the same process
        assert greet(again).parsed == Greeting(greeting="three")
    assert [mode_of(r) for r in server.requests] == [
        "json_schema",
        "json_object",
        "json_object",
        "json_object",
    ]
    assert sleeps == []  # a refusal is not waited on
    assert modes.known(("openai/fake-model", server.api_base)) == "json_object"
    first, *rest = [c.error for c in log.calls]
    assert first is not None and first.startswith("output mode json_schema refused: InternalServerError")
    assert "validation error" in first and rest == [None, None]


def test_auto_remembers_for_the_process_by_default() -> None:
    with LlamaCppLike(default=ok('{"greeting": "hi"}')) as server:
        for _ in range(2):
            model = LiteLLMChatModel("openai/fake-model", api_base=server.api_base, api_key="k", timeout=1)
            assert greet(model).parsed == Greeting(greeting="hi")
    assert [mode_of(r) for r in server.requests] == ["json_schema", "json_object", "json_object"]


def test_auto_learns_once_under_concurrent_calls() -> None:
    modes, results = OutputModes(), list[Any]()
    with LlamaCppLike(default=ok('{"greeting": "hi"}')) as server:
        model = chat(server, modes=modes)
        threads = [threading.Thread(target=lambda: results.append(greet(model).parsed)) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=5)
        assert greet(model).parsed == Greeting(greeting="hi")
    assert results == [Greeting(greeting="hi")] * 6
    sent = [mode_of(r) for r in server.requests]
    assert sent.count("json_object") == 7 and sent.count("json_schema") <= 6
    assert sent[-1] == "json_object" and modes.known(("openai/fake-model", server.api_base)) == "json_object"


def test_auto_falls_through_to_text_when_both_formats_get_a_4xx() -> None:
    modes = OutputModes()
    with FakeOpenAI(default=ok('{"greeting": "hi"}')) as server:
        server.script(status(400), status(422))
        assert greet(chat(server, modes=modes, max_retries=2)).parsed == Greeting(greeting="hi")
        assert greet(chat(server, modes=modes)).parsed == Greeting(greeting="hi")
    assert [mode_of(r) for r in server.requests] == ["json_schema", "json_object", "text", "text"]


def test_a_configured_mode_that_is_refused_fails_at_once_and_says_what_to_set() -> None:
    log = MemoryCallLog()
    with (
        LlamaCppLike() as server,
        pytest.raises(LLMUnavailable, match=r"refused the request .*MINGLE_LLM_OUTPUT_MODE=auto"),
    ):
        greet(chat(server, mode="json_schema", log=log, max_retries=2))
    assert [mode_of(r) for r in server.requests] == ["json_schema"] and len(log.calls) == 1


def test_a_plain_500_is_not_a_refused_mode_and_not_retried() -> None:
    with (
        FakeOpenAI(default=status(500)) as server,
        pytest.raises(LLMUnavailable, match="refused the request"),
    ):
        greet(chat(server, max_retries=2))
    assert [mode_of(r) for r in server.requests] == ["json_schema"]


# --- what is retried --------------------------------------------------------------------------


@pytest.mark.parametrize("code", [429, 502, 503, 504])
def test_transient_statuses_are_retried_with_backoff(code: int) -> None:
    log, sleeps = MemoryCallLog(), list[float]()
    with FakeOpenAI(default=ok('{"greeting": "hi"}')) as server:
        server.script(status(code), status(code))
        assert greet(chat(server, mode="json_object", log=log, sleeps=sleeps)).parsed is not None
    assert [mode_of(r) for r in server.requests] == ["json_object"] * 3  # the mode is kept
    assert sleeps == [0.25, 0.5] and [c.error is None for c in log.calls] == [False, False, True]


def test_persistent_503_ends_after_the_bounded_attempts() -> None:
    sleeps = list[float]()
    with (
        FakeOpenAI(default=status(503)) as server,
        pytest.raises(LLMUnavailable, match=r"did not answer after 3 attempts \(ServiceUnavailable"),
    ):
        greet(chat(server, sleeps=sleeps, max_retries=2))
    assert len(server.requests) == 3 and sleeps == [0.25, 0.5]
    assert {mode_of(r) for r in server.requests} == {"json_schema"}  # unavailable is not a refusal


def test_a_timeout_is_retried() -> None:
    log = MemoryCallLog()
    with FakeOpenAI(default=ok('{"greeting": "hi"}')) as server:
        server.script(slow(1.0))
        started = time.monotonic()
        assert greet(chat(server, mode="json_object", log=log, timeout=0.3)).parsed is not None
        elapsed = time.monotonic() - started
    assert len(server.requests) == 2 and elapsed < 1.5
    assert (log.calls[0].error or "").startswith("Timeout") and log.calls[1].error is None


def test_a_refused_connection_is_retried() -> None:
    with FakeOpenAI() as server:
        api_base = server.api_base
    sleeps = list[float]()
    model = LiteLLMChatModel(
        "openai/fake-model", api_base=api_base, api_key="k", timeout=1, max_retries=1, sleep=sleeps.append
    )
    with pytest.raises(LLMUnavailable, match="did not answer after 2 attempts"):
        model.complete(MESSAGES, prompt_name="greet", prompt_version="v3")
    assert sleeps == [0.5]


@pytest.mark.parametrize("code", [400, 401, 404, 422])
def test_a_4xx_without_a_response_format_is_never_retried(code: int) -> None:
    log, sleeps = MemoryCallLog(), list[float]()
    with FakeOpenAI(default=status(code)) as server:
        model = chat(server, log=log, sleeps=sleeps)
        with pytest.raises(LLMUnavailable, match="refused the request"):
            model.complete(MESSAGES, prompt_name="greet", prompt_version="v3")
    assert len(server.requests) == 1 and len(log.calls) == 1 and sleeps == []


def test_a_400_in_text_mode_is_not_retried_either() -> None:
    with (
        FakeOpenAI(default=status(400)) as server,
        pytest.raises(LLMUnavailable, match="refused the request"),
    ):
        greet(chat(server, mode="text"))
    assert len(server.requests) == 1


# --- the JSON in the text ---------------------------------------------------------------------


def test_json_text_takes_the_first_object_and_leaves_the_rest() -> None:
    assert json_text('x {"a": "}"} y {"b": 2}') == '{"a": "}"}'
    assert json_text("no json") == "no json"
    assert json_text('```json\n{"a": 1\n```') == '{"a": 1'  # broken: unfenced, for the error


@pytest.mark.parametrize(
    "text", ["{" * 200_000, '{"a": "' + "x" * 2_000_000, " " * 2_000_000 + "{", '{"a":' * 100_000]
)
def test_finding_the_json_is_linear_on_hostile_replies(text: str) -> None:
    started = time.perf_counter()
    result = parse_reply(ChatResult(text), Greeting)
    assert result.parsed is None and result.invalid is not None
    assert time.perf_counter() - started < 0.5


def test_the_fake_refuses_json_schema_like_llama_cpp_python() -> None:
    """The fake's refusal is the one the real server sends (what the mode switch relies on)."""
    with LlamaCppLike() as server, pytest.raises(LLMUnavailable) as raised:
        greet(chat(server, mode="json_schema"))
    assert "response_format" in VALIDATION_MESSAGE and "validation error" in str(raised.value)
    assert json.loads(json.dumps(server.requests[0]))["response_format"]["type"] == "json_schema"
