"""The chat-model port, its litellm adapter and its fake. The only module that imports litellm
(and the OpenAI SDK under it, for its exception base class).

    MingleError
    └── LLMUnavailable      the model could not answer: unreachable, rate-limited, timed out,
                            refused the request, or sent a reply that is not a chat completion

Every call, successful or not, is logged through one path (``record_call``) to a ``CallLog``
(the store's ``LLMCallRepository`` is one): prompt name and version, model, tokens, latency and
the error. A retried call leaves one row per attempt.

``LiteLLMChatModel`` always passes ``timeout=``, turns off the OpenAI SDK's own retries, and
retries itself, boundedly with exponential backoff, on 429, 5xx, connection errors and
timeouts; any other API error fails at once. Worst case for one ``complete``:
``(max_retries + 1) * timeout + sum(min(backoff * 2**i, max_backoff))``.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel, ValidationError

from assistant.settings import OFFLINE_ENV
from store.domain import LLMCall
from store.errors import MingleError

if TYPE_CHECKING:
    from types import ModuleType

ChatMessage = dict[str, str]


class LLMUnavailable(MingleError):
    """The language model could not give an answer; the caller falls back or tells the user."""


class _NoReply(Exception):
    """A completion came back without any message text (internal; becomes ``LLMUnavailable``)."""


@dataclass(frozen=True)
class ChatResult:
    """The reply's text and cost. With a ``response_format``, ``parsed`` is the validated reply,
    or ``invalid`` says (for the model) and ``invalid_where`` (quoting nothing) why it did not."""

    text: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    parsed: BaseModel | None = None
    invalid: str | None = None
    invalid_where: str | None = None


def errors_for_model(exc: ValidationError, limit: int = 12, *, quote: bool = True) -> str:
    """A pydantic error as a list the model can act on: where, what is wrong, (``quote``) what it wrote."""
    lines = []
    for error in exc.errors(include_url=False)[:limit]:
        loc = error["loc"][:-1] if not quote and error["type"] == "extra_forbidden" else error["loc"]
        where = ".".join(str(part) for part in loc) or "the whole reply"  # quiet: no made-up field name
        wrote = json.dumps(error.get("input"), ensure_ascii=False, default=str)
        wrote = wrote if len(wrote) <= 80 else wrote[:77] + "..."
        lines.append(f"- {where}: {error['msg']}" + (f" (your reply had {wrote})" if quote else ""))
    if exc.error_count() > limit:
        lines.append(f"- and {exc.error_count() - limit} more problems of the same kind")
    return "\n".join(lines)


def _unfence(text: str) -> str:
    """The JSON inside a Markdown code fence, if the model wrapped its reply in one."""
    match = re.fullmatch(r"\s*```[A-Za-z]*\s*\n(.*?)\n?```\s*", text, flags=re.DOTALL)
    return match.group(1) if match else text


def parse_reply(result: ChatResult, schema: type[BaseModel] | None) -> ChatResult:
    """``result`` with ``parsed`` or ``invalid`` filled in by validating its text against ``schema``."""
    if schema is None:
        return result
    try:
        parsed = schema.model_validate_json(_unfence(result.text))
    except ValidationError as exc:
        quiet = errors_for_model(exc, quote=False)
        return replace(result, invalid=errors_for_model(exc), invalid_where=quiet)
    return replace(result, parsed=parsed)


class ChatModel(Protocol):
    """A chat model: messages in, the reply's text out (validated when ``response_format`` is
    given: see ``ChatResult``). Raises ``LLMUnavailable`` when there is no reply at all."""

    @property
    def model_name(self) -> str: ...

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        response_format: type[BaseModel] | None = None,
        prompt_name: str,
        prompt_version: str,
    ) -> ChatResult: ...


class CallLog(Protocol):
    """Where call records go; ``store.repositories.LLMCallRepository`` satisfies it."""

    def add(self, call: LLMCall) -> LLMCall: ...


class NullCallLog:
    """Keeps nothing (for scripts that do not want a log)."""

    def add(self, call: LLMCall) -> LLMCall:
        return call


@dataclass
class MemoryCallLog:
    """Keeps call records in a list (tests, evals)."""

    calls: list[LLMCall] = field(default_factory=list)

    def add(self, call: LLMCall) -> LLMCall:
        self.calls.append(call)
        return call


def record_call(
    log: CallLog,
    *,
    prompt_name: str,
    prompt_version: str,
    model: str,
    started: float,
    result: ChatResult | None = None,
    error: str | None = None,
) -> LLMCall:
    """The one path by which an LLM call reaches the log. ``started`` is a ``time.perf_counter()``.

    A failed validation is logged as ``invalid reply: ...``: where and why, never what was said.
    """
    if error is None and result is not None and result.invalid is not None:
        error = f"invalid reply: {result.invalid_where or '- the reply did not validate'}"
    call = LLMCall(
        prompt_name=prompt_name[:80],
        prompt_version=prompt_version[:20],
        model=model[:120],
        input_tokens=result.input_tokens if result else None,
        output_tokens=result.output_tokens if result else None,
        latency_ms=round((time.perf_counter() - started) * 1000, 3),
        error=error[:2000] if error else None,
    )
    return log.add(call)


def _litellm() -> ModuleType:
    """Import litellm on first use, offline: no cost-map download, no banner on errors."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", OFFLINE_ENV["LITELLM_LOCAL_MODEL_COST_MAP"])
    import litellm

    litellm.suppress_debug_info = True
    return litellm


def _transient_errors(litellm: ModuleType) -> tuple[type[Exception], ...]:
    return (
        litellm.RateLimitError,
        litellm.APIConnectionError,  # includes litellm.Timeout
        litellm.Timeout,
        litellm.InternalServerError,
        litellm.ServiceUnavailableError,
        litellm.BadGatewayError,
    )


def _describe(exc: BaseException) -> str:
    """A one-line error for the log and for people: the class and the first line of the message."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}"[:500]


class LiteLLMChatModel:
    """Any litellm model (hosted, Ollama, an OpenAI-compatible server) behind ``ChatModel``.

    ``mock_response`` is passed through to litellm and exists for tests only (a canned reply,
    or ``"litellm.RateLimitError"`` to raise one). ``sleep`` is injectable for the same reason.
    """

    def __init__(
        self,
        model: str,
        *,
        api_base: str | None = None,
        api_key: str | None = None,
        timeout: float,
        max_retries: int = 2,
        backoff: float = 0.5,
        max_backoff: float = 4.0,
        log: CallLog | None = None,
        mock_response: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self._model = model
        self.api_base = api_base
        self._api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.log: CallLog = log if log is not None else NullCallLog()
        self._mock_response = mock_response
        self._sleep = sleep

    @property
    def model_name(self) -> str:
        return self._model

    def _delay(self, attempt: int) -> float:
        return min(self.backoff * (2**attempt), self.max_backoff)

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        response_format: type[BaseModel] | None = None,
        prompt_name: str,
        prompt_version: str,
    ) -> ChatResult:
        litellm = _litellm()
        from openai import OpenAIError  # litellm's exceptions all derive from the OpenAI SDK's

        transient = _transient_errors(litellm)
        kwargs: dict[str, Any] = {
            "model": self._model,
            "messages": [dict(m) for m in messages],
            "timeout": self.timeout,
            "max_retries": 0,  # the SDK's own retries would hide attempts from the log
            "drop_params": True,  # a model without structured output still gets the prompt
        }
        if response_format is not None:
            kwargs["response_format"] = response_format
        if self.api_base is not None:
            kwargs["api_base"] = self.api_base
        if self._api_key is not None:
            kwargs["api_key"] = self._api_key
        if self._mock_response is not None:
            kwargs["mock_response"] = self._mock_response
        attempts = self.max_retries + 1
        for attempt in range(attempts):
            started = time.perf_counter()
            try:
                response = litellm.completion(**kwargs)
                result = parse_reply(self._result(response), response_format)
            except transient as exc:
                error = _describe(exc)
                record_call(
                    self.log,
                    prompt_name=prompt_name,
                    prompt_version=prompt_version,
                    model=self._model,
                    started=started,
                    error=error,
                )
                if attempt + 1 < attempts:
                    self._sleep(self._delay(attempt))
                    continue
                raise LLMUnavailable(
                    f"the language model {self._model} did not answer after {attempts} "
                    f"attempt{'s' if attempts > 1 else ''} ({error})"
                ) from exc
            except (OpenAIError, _NoReply) as exc:
                # Not worth retrying: bad key, unknown model, refused request, malformed reply.
                error = _describe(exc)
                record_call(
                    self.log,
                    prompt_name=prompt_name,
                    prompt_version=prompt_version,
                    model=self._model,
                    started=started,
                    error=error,
                )
                raise LLMUnavailable(
                    f"the language model {self._model} refused the request ({error})"
                ) from exc
            record_call(
                self.log,
                prompt_name=prompt_name,
                prompt_version=prompt_version,
                model=self._model,
                started=started,
                result=result,
            )
            return result
        raise AssertionError("unreachable: the loop returns or raises")

    @staticmethod
    def _result(response: Any) -> ChatResult:
        """Text and token counts of a litellm ``ModelResponse``; ``_NoReply`` if it has no message."""
        choices = getattr(response, "choices", None)
        if not choices:
            raise _NoReply("the reply held no choices")
        message = getattr(choices[0], "message", None)
        text = getattr(message, "content", None)
        if not isinstance(text, str):
            raise _NoReply("the reply held no text (it may have been filtered)")
        usage = getattr(response, "usage", None)
        return ChatResult(
            text=text,
            input_tokens=getattr(usage, "prompt_tokens", None),
            output_tokens=getattr(usage, "completion_tokens", None),
        )


@dataclass(frozen=True)
class FakeCall:
    messages: list[ChatMessage]
    response_format: type[BaseModel] | None
    prompt_name: str
    prompt_version: str


class FakeChatModel:
    """A scripted chat model: ``enqueue`` replies (text or an exception to raise), read ``history``.

    An empty queue raises ``LLMUnavailable``, like a model that is not there. Calls are logged
    through ``record_call`` like the real adapter's.
    """

    def __init__(
        self, *replies: str | BaseException, log: CallLog | None = None, model: str = "fake"
    ) -> None:
        self._queue: deque[str | BaseException] = deque(replies)
        self.history: list[FakeCall] = []
        self.log: CallLog = log if log is not None else NullCallLog()
        self._model = model

    @property
    def model_name(self) -> str:
        return self._model

    def enqueue(self, *replies: str | BaseException) -> FakeChatModel:
        self._queue.extend(replies)
        return self

    @property
    def pending(self) -> int:
        return len(self._queue)

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        response_format: type[BaseModel] | None = None,
        prompt_name: str,
        prompt_version: str,
    ) -> ChatResult:
        started = time.perf_counter()
        call = FakeCall([dict(m) for m in messages], response_format, prompt_name, prompt_version)
        self.history.append(call)
        reply: str | BaseException = (
            self._queue.popleft() if self._queue else LLMUnavailable("the fake model has no reply queued")
        )
        if isinstance(reply, BaseException):
            record_call(
                self.log,
                prompt_name=prompt_name,
                prompt_version=prompt_version,
                model=self._model,
                started=started,
                error=_describe(reply),
            )
            raise reply
        result = parse_reply(
            ChatResult(
                text=reply,
                input_tokens=sum(len(m.get("content", "").split()) for m in messages),
                output_tokens=len(reply.split()),
            ),
            response_format,
        )
        record_call(
            self.log,
            prompt_name=prompt_name,
            prompt_version=prompt_version,
            model=self._model,
            started=started,
            result=result,
        )
        return result
