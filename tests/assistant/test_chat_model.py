"""The chat-model port: the fake, litellm's mock_response path, and (slow) a faulty HTTP server."""

from __future__ import annotations

import time
from typing import Any, TypedDict

import pytest
from pydantic import BaseModel, ConfigDict

from assistant.chat_model import (
    ChatResult,
    FakeChatModel,
    LiteLLMChatModel,
    LLMUnavailable,
    MemoryCallLog,
    parse_reply,
    record_call,
)
from store.errors import MingleError
from store.repositories import Store
from tests.assistant.fake_openai import FakeOpenAI, Reply, malformed, ok, slow, status, wrong_shape

MESSAGES = [{"role": "user", "content": "Say hi as JSON"}]


class PromptId(TypedDict):
    prompt_name: str
    prompt_version: str


PROMPT: PromptId = {"prompt_name": "greet", "prompt_version": "v3"}


class Greeting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    greeting: str


# --- FakeChatModel ------------------------------------------------------------------------


def test_fake_replies_in_order_and_keeps_history() -> None:
    log = MemoryCallLog()
    chat = FakeChatModel(log=log).enqueue("one", "two")
    assert chat.complete(MESSAGES, **PROMPT).text == "one"
    assert chat.complete(MESSAGES, response_format=Greeting, **PROMPT).text == "two"
    assert [call.messages for call in chat.history] == [MESSAGES, MESSAGES]
    assert chat.history[1].response_format is Greeting
    assert (chat.history[0].prompt_name, chat.history[0].prompt_version) == ("greet", "v3")
    assert chat.pending == 0
    assert [(c.prompt_name, c.prompt_version, c.model) for c in log.calls] == [("greet", "v3", "fake")] * 2


def test_fake_raises_enqueued_errors_and_logs_them() -> None:
    log = MemoryCallLog()
    chat = FakeChatModel(LLMUnavailable("the model is down"), log=log)
    with pytest.raises(LLMUnavailable, match="the model is down"):
        chat.complete(MESSAGES, **PROMPT)
    assert log.calls[0].error == "LLMUnavailable: the model is down"
    with pytest.raises(LLMUnavailable, match="no reply queued"):
        chat.complete(MESSAGES, **PROMPT)
    assert len(log.calls) == 2


def test_llm_unavailable_is_a_mingle_error() -> None:
    assert issubclass(LLMUnavailable, MingleError)


def test_fake_validates_against_the_response_format() -> None:
    log = MemoryCallLog()
    chat = FakeChatModel('{"greeting": "hi"}', '{"greting": "hi"}', log=log)
    good = chat.complete(MESSAGES, response_format=Greeting, **PROMPT)
    bad = chat.complete(MESSAGES, response_format=Greeting, **PROMPT)
    assert good.parsed == Greeting(greeting="hi") and good.invalid is None
    assert bad.parsed is None
    assert bad.invalid is not None and "- greeting: Field required" in bad.invalid
    assert "greting: Extra inputs are not permitted" in bad.invalid
    assert log.calls[0].error is None
    assert log.calls[1].error is not None and log.calls[1].error.startswith("invalid reply: - greeting")


def test_parse_reply_unwraps_a_code_fence_and_reports_bad_json() -> None:
    fenced = parse_reply(ChatResult('```json\n{"greeting": "hi"}\n```'), Greeting)
    assert fenced.parsed == Greeting(greeting="hi")
    broken = parse_reply(ChatResult('{"greeting": '), Greeting)
    assert broken.invalid is not None and broken.invalid.startswith("- the whole reply: Invalid JSON")
    assert parse_reply(ChatResult("plain"), None) == ChatResult("plain")


def test_store_repository_is_a_call_log(store: Store) -> None:
    chat = FakeChatModel("hello", log=store.llm_calls)
    chat.complete(MESSAGES, **PROMPT)
    [row] = store.llm_calls.recent()
    assert (row.prompt_name, row.prompt_version, row.model, row.error) == ("greet", "v3", "fake", None)
    assert row.input_tokens == len(["Say", "hi", "as", "JSON"]) and row.output_tokens == len(["hello"])
    assert row.latency_ms >= 0


def test_the_call_log_keeps_no_words_of_the_model_or_the_person(store: Store) -> None:
    """A log row belongs to nobody, so it holds nothing of anybody: where a reply failed and
    why, never what it said (the model echoes the person's words). The re-ask still shows it."""
    said = "Amara Okafor, amara@example.org, okapi census"
    chat = FakeChatModel(f'{{"greting": "{said}"}}', f'{{"greeting": "{said}', log=store.llm_calls)
    results = [chat.complete(MESSAGES, response_format=Greeting, **PROMPT) for _ in range(2)]
    assert all(r.invalid is not None and "Amara" in r.invalid for r in results)  # for the re-ask
    errors = [row.error or "" for row in store.llm_calls.recent()]
    assert any("greeting: Field required" in e for e in errors) and any("Invalid JSON" in e for e in errors)
    assert not any(word in e for e in errors for word in ("Amara", "amara@", "okapi"))


def test_record_call_fits_the_columns() -> None:
    log = MemoryCallLog()
    call = record_call(
        log,
        prompt_name="p" * 100,
        prompt_version="v" * 30,
        model="m" * 200,
        started=time.perf_counter(),
        error="e" * 5000,
    )
    assert (len(call.prompt_name), len(call.prompt_version), len(call.model)) == (80, 20, 120)
    assert call.error is not None and len(call.error) == 2000


# --- LiteLLMChatModel with litellm's mock_response ----------------------------------------


def mocked(reply: str, *, log: MemoryCallLog, sleeps: list[float], max_retries: int = 2) -> LiteLLMChatModel:
    return LiteLLMChatModel(
        "openai/gpt-4o-mini",
        timeout=5,
        api_key="sk-dummy",
        max_retries=max_retries,
        log=log,
        mock_response=reply,
        sleep=sleeps.append,
    )


def test_mock_response_reply_is_returned_and_logged() -> None:
    log, sleeps = MemoryCallLog(), list[float]()
    chat = mocked('{"greeting": "hello"}', log=log, sleeps=sleeps)
    result = chat.complete(MESSAGES, response_format=Greeting, **PROMPT)
    assert result.text == '{"greeting": "hello"}'
    assert result.parsed == Greeting(greeting="hello")
    assert (result.input_tokens, result.output_tokens) == (10, 20)  # litellm's mock usage
    [call] = log.calls
    assert (call.prompt_name, call.prompt_version, call.model) == ("greet", "v3", "openai/gpt-4o-mini")
    assert (call.input_tokens, call.output_tokens, call.error) == (10, 20, None)
    assert call.latency_ms > 0 and sleeps == []


def test_mock_rate_limit_is_retried_with_backoff_then_unavailable() -> None:
    log, sleeps = MemoryCallLog(), list[float]()
    chat = mocked("litellm.RateLimitError", log=log, sleeps=sleeps, max_retries=2)
    with pytest.raises(LLMUnavailable, match=r"did not answer after 3 attempts \(RateLimitError"):
        chat.complete(MESSAGES, **PROMPT)
    assert sleeps == [0.5, 1.0]  # backoff * 2**attempt, none after the last attempt
    assert len(log.calls) == 3
    assert all(c.error is not None and c.error.startswith("RateLimitError") for c in log.calls)


def test_mock_internal_server_error_is_not_retried() -> None:
    """A 500 says nothing about trying again (only a validation 500 means more: a refused mode)."""
    log, sleeps = MemoryCallLog(), list[float]()
    chat = mocked("litellm.InternalServerError", log=log, sleeps=sleeps, max_retries=1)
    with pytest.raises(LLMUnavailable, match="refused the request"):
        chat.complete(MESSAGES, **PROMPT)
    assert len(log.calls) == 1 and sleeps == []


def test_a_refused_request_is_not_retried() -> None:
    log, sleeps = MemoryCallLog(), list[float]()
    chat = mocked("litellm.ContextWindowExceededError", log=log, sleeps=sleeps)
    with pytest.raises(LLMUnavailable, match="refused the request"):
        chat.complete(MESSAGES, **PROMPT)
    assert len(log.calls) == 1 and sleeps == []
    assert log.calls[0].error is not None and "ContextWindowExceededError" in log.calls[0].error


def test_backoff_is_capped() -> None:
    chat = LiteLLMChatModel("openai/x", timeout=1, backoff=1.0, max_backoff=3.0)
    assert [chat._delay(n) for n in range(4)] == [1.0, 2.0, 3.0, 3.0]


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"timeout": 0}, "timeout"), ({"timeout": 1, "max_retries": -1}, "max_retries")]
)
def test_constructor_rejects_unbounded_settings(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LiteLLMChatModel("openai/x", **kwargs)


# --- fault tier: a real HTTP round trip to a misbehaving OpenAI-compatible server ---------


def served(
    server: FakeOpenAI, log: MemoryCallLog, *, timeout: float = 0.5, max_retries: int = 2
) -> LiteLLMChatModel:
    return LiteLLMChatModel(
        "openai/fake-model",
        api_base=server.api_base,
        api_key="sk-dummy",
        timeout=timeout,
        max_retries=max_retries,
        backoff=0.05,
        max_backoff=0.1,
        log=log,
    )


@pytest.mark.slow
def test_server_answer_sends_schema_and_no_sdk_retries() -> None:
    log = MemoryCallLog()
    with FakeOpenAI() as server:
        server.script(ok('{"greeting": "hi"}', prompt_tokens=31, completion_tokens=4))
        result = served(server, log).complete(MESSAGES, response_format=Greeting, **PROMPT)
    assert result.parsed == Greeting(greeting="hi")
    assert (result.input_tokens, result.output_tokens) == (31, 4)
    [request] = server.requests
    assert request["messages"] == MESSAGES
    assert request["response_format"]["type"] == "json_schema"
    assert request["response_format"]["json_schema"]["name"] == "Greeting"
    assert [(c.input_tokens, c.output_tokens, c.error) for c in log.calls] == [(31, 4, None)]


@pytest.mark.slow
def test_server_errors_are_retried_until_an_answer() -> None:
    log = MemoryCallLog()
    with FakeOpenAI() as server:
        server.script(status(502), status(429), ok("fine"))
        assert served(server, log).complete(MESSAGES, **PROMPT).text == "fine"
    assert len(server.requests) == 3  # one HTTP request per attempt: the SDK does not retry on its own
    errors = [c.error for c in log.calls]
    assert errors[0] is not None and errors[0].startswith("BadGatewayError")
    assert errors[1] is not None and errors[1].startswith("RateLimitError")
    assert errors[2] is None


@pytest.mark.slow
@pytest.mark.parametrize(
    ("reply", "error", "attempts"),
    [
        (status(500), "InternalServerError", 1),
        (status(429), "RateLimitError", 3),
        (status(502), "BadGatewayError", 3),
        (status(503), "ServiceUnavailableError", 3),
        (malformed(), "InternalServerError", 1),
        (wrong_shape(), "InternalServerError", 1),
    ],
    ids=["500", "429", "502", "503", "malformed-json", "wrong-shape"],
)
def test_persistent_faults_end_bounded_with_one_row_per_attempt(
    reply: Reply, error: str, attempts: int
) -> None:
    log = MemoryCallLog()
    with FakeOpenAI(default=reply) as server:
        started = time.monotonic()
        with pytest.raises(LLMUnavailable, match=f"after {attempts} attempts" if attempts > 1 else "refused"):
            served(server, log, max_retries=2).complete(MESSAGES, **PROMPT)
        elapsed = time.monotonic() - started
    assert len(server.requests) == attempts
    assert len(log.calls) == attempts
    assert all(c.error is not None and c.error.startswith(error) for c in log.calls)
    assert elapsed < 3 * 0.5 + 0.15 + 2.0  # attempts x timeout + backoff + slack


@pytest.mark.slow
def test_a_slow_server_times_out_within_the_bound() -> None:
    log = MemoryCallLog()
    with FakeOpenAI(default=slow(5.0)) as server:
        started = time.monotonic()
        with pytest.raises(LLMUnavailable, match=r"after 2 attempts \(Timeout"):
            served(server, log, timeout=0.4, max_retries=1).complete(MESSAGES, **PROMPT)
        elapsed = time.monotonic() - started
    assert len(log.calls) == 2
    assert all(c.error is not None and c.error.startswith("Timeout") for c in log.calls)
    assert all(c.latency_ms >= 350 for c in log.calls)
    assert 0.8 <= elapsed < 2 * 0.4 + 0.05 + 1.5


@pytest.mark.slow
def test_an_auth_error_is_not_retried() -> None:
    log = MemoryCallLog()
    with (
        FakeOpenAI(default=status(401)) as server,
        pytest.raises(LLMUnavailable, match=r"refused the request \(AuthenticationError"),
    ):
        served(server, log).complete(MESSAGES, **PROMPT)
    assert len(server.requests) == 1 and len(log.calls) == 1
