"""The chat-model port: what a chat model is, what a call gives back, the one call-log path, and
the scripted fake. No vendor library is imported here (the litellm adapter is
``assistant.chat_model``, which re-exports every name of this module).

    MingleError
    └── LLMUnavailable      the model could not answer: unreachable, rate-limited, timed out,
                            refused the request, or sent a reply that is not a chat completion

Every call, successful or not, is logged through one path (``record_call``) to a ``CallLog``
(the store's ``LLMCallRepository`` is one): prompt name and version, model, tokens, latency and
the error. A retried call leaves one row per attempt.

Structured output: a reply is validated against the requested pydantic model after the JSON
object is taken out of the text (``json_text``): a model asked for JSON in the prompt only (the
``text`` output mode) may wrap it in prose or a code fence.
"""

from __future__ import annotations

import json
import re
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from pydantic import BaseModel, ValidationError

from store.domain import LLMCall
from store.errors import MingleError

OutputMode = Literal["json_schema", "json_object", "text"]
OUTPUT_MODES: tuple[OutputMode, ...] = ("json_schema", "json_object", "text")
"""How a reply's JSON is asked for, strictest first: ``json_schema`` (OpenAI structured output),
``json_object`` with the schema alongside (llama-cpp-python's server turns it into a grammar),
``text`` (no ``response_format``: the prompt asks for JSON and it is parsed out of the text)."""

ChatMessage = dict[str, str]


class LLMUnavailable(MingleError):
    """The language model could not give an answer; the caller falls back or tells the user."""


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


_DECODER = json.JSONDecoder()


def json_text(text: str) -> str:
    """The first JSON object in ``text``, without the prose or code fence around it; when there
    is none that decodes, ``text`` (unfenced) so validation reports what is wrong with it.
    Linear time: a single ``raw_decode`` from the first ``{``, never a search over substrings."""
    start = text.find("{")
    if start < 0:
        return _unfence(text)
    try:
        _, end = _DECODER.raw_decode(text, start)
    except (json.JSONDecodeError, RecursionError):
        return _unfence(text)
    return text[start:end]


def parse_reply(result: ChatResult, schema: type[BaseModel] | None) -> ChatResult:
    """``result`` with ``parsed`` or ``invalid`` filled in by validating its text against ``schema``."""
    if schema is None:
        return result
    try:
        parsed = schema.model_validate_json(json_text(result.text))
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


def describe(exc: BaseException) -> str:
    """A one-line error for the log and for people: the class and the first line of the message."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}"[:500]


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
                error=describe(reply),
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
