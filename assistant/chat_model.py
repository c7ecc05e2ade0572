"""The litellm adapter of the chat-model port (``assistant.chat_port``, whose names it
re-exports). The only module that imports litellm (and the OpenAI SDK under it, for its
exception classes).

Structured output comes in three modes (``OUTPUT_MODES``), set per model by configuration or,
in ``auto``, found out once per process for each (model, API base) and remembered
(``OutputModes``, thread-safe): ``json_schema`` first, then ``json_object`` with the schema,
then ``text``. A server that refuses a mode is not asked again with it in this process.

What happens to a failed request (each HTTP request is one attempt and one log row):

    transient        timeouts (also 504), connection errors, 429, 502, 503
                     -> retried up to ``max_retries`` times, with capped exponential backoff
    mode refused     a 400/415/422 to a request with a ``response_format`` (not a too-long
                     prompt, not a content-policy refusal), or a 500 whose message is a
                     validation error about response_format / json_schema (what
                     llama-cpp-python's server sends) -> never retried; in ``auto`` the next
                     mode is tried at once
    anything else    401, 403, 404, other 500s, a reply that is not a chat completion
                     -> fails at once with ``LLMUnavailable``

litellm reports some connection failures as a 500 ``InternalServerError``: the exception's
cause chain, not its class, says whether the connection failed. ``timeout=`` is always passed
and the OpenAI SDK's own retries are off. Worst case for one ``complete``: two quick refusals
plus ``(max_retries + 1) * timeout + sum(min(backoff * 2**i, max_backoff))``.

``max_tokens`` caps the reply (not sent when None). A local server goes on generating a request
its client abandoned, so a small model that runs on inside a JSON grammar (measured: 1,236
tokens, 61 s, for a reply of ~300) would keep it busy past the timeout and its retries; capped,
the reply comes back cut short, fails validation and is re-asked or falls back.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from assistant.chat_port import (
    OUTPUT_MODES,
    CallLog,
    ChatMessage,
    ChatModel,
    ChatResult,
    FakeCall,
    FakeChatModel,
    LLMUnavailable,
    MemoryCallLog,
    NullCallLog,
    OutputMode,
    describe,
    errors_for_model,
    json_text,
    parse_reply,
    record_call,
)
from assistant.settings import OFFLINE_ENV

if TYPE_CHECKING:
    from types import ModuleType

__all__ = [
    "OUTPUT_MODES",
    "CallLog",
    "ChatMessage",
    "ChatModel",
    "ChatResult",
    "FakeCall",
    "FakeChatModel",
    "LLMUnavailable",
    "LiteLLMChatModel",
    "MemoryCallLog",
    "NullCallLog",
    "OutputMode",
    "OutputModes",
    "classify",
    "errors_for_model",
    "json_text",
    "parse_reply",
    "record_call",
]

Failure = Literal["transient", "mode_refused", "fatal"]
TRANSIENT_STATUS = frozenset({429, 502, 503, 504})
REFUSAL_STATUS = frozenset({400, 415, 422})
_VALIDATION = re.compile(r"validation error", re.IGNORECASE)
_ABOUT_FORMAT = re.compile(r"response_format|json_schema", re.IGNORECASE)


class _NoReply(Exception):
    """A completion came back without any message text (internal; becomes ``LLMUnavailable``)."""


class _ModeRefused(Exception):
    """The server refused the output mode (internal: the next mode is tried)."""


def _litellm() -> ModuleType:
    """Import litellm on first use, offline: no cost-map download, no banner on errors."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", OFFLINE_ENV["LITELLM_LOCAL_MODEL_COST_MAP"])
    import litellm

    litellm.suppress_debug_info = True
    return litellm


def _chain(exc: BaseException, limit: int = 12) -> Iterator[BaseException]:
    """``exc`` and its causes (``raise ... from``, then the implicit context), at most ``limit``."""
    current: BaseException | None = exc
    for _ in range(limit):
        if current is None:
            return
        yield current
        current = current.__cause__ or current.__context__


def classify(exc: BaseException, litellm: ModuleType) -> Failure:
    """What a failed request means: worth retrying, a refusal of the output mode, or neither."""
    from openai import APIConnectionError  # litellm.Timeout and litellm.APIConnectionError too

    if any(isinstance(link, APIConnectionError) for link in _chain(exc)):
        return "transient"
    status = getattr(exc, "status_code", None)
    if status in TRANSIENT_STATUS:
        return "transient"
    if isinstance(exc, (litellm.ContextWindowExceededError, litellm.ContentPolicyViolationError)):
        return "fatal"
    if status in REFUSAL_STATUS:
        return "mode_refused"
    message = str(exc)
    if status == 500 and _VALIDATION.search(message) and _ABOUT_FORMAT.search(message):
        return "mode_refused"
    return "fatal"


class OutputModes:
    """Which output mode each (model, API base) takes, learnt once per process; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._working: dict[tuple[str, str | None], OutputMode] = {}
        self._refused: dict[tuple[str, str | None], set[OutputMode]] = {}

    def candidates(self, key: tuple[str, str | None]) -> list[OutputMode]:
        """The modes to try, in order: the one known to work, then the untried ones."""
        with self._lock:
            working = self._working.get(key)
            refused = set(self._refused.get(key, ()))
        rest = [mode for mode in OUTPUT_MODES if mode not in refused and mode != working]
        return [working, *rest] if working else rest

    def works(self, key: tuple[str, str | None], mode: OutputMode) -> None:
        with self._lock:
            self._working[key] = mode

    def refuse(self, key: tuple[str, str | None], mode: OutputMode) -> None:
        with self._lock:
            self._refused.setdefault(key, set()).add(mode)
            if self._working.get(key) == mode:
                del self._working[key]

    def known(self, key: tuple[str, str | None]) -> OutputMode | None:
        with self._lock:
            return self._working.get(key)


PROCESS_MODES = OutputModes()


def _request_format(mode: OutputMode, schema: type[BaseModel]) -> object | None:
    """The ``response_format`` of one mode (litellm turns a pydantic class into ``json_schema``)."""
    if mode == "json_schema":
        return schema
    if mode == "json_object":
        return {"type": "json_object", "schema": schema.model_json_schema()}
    return None


class LiteLLMChatModel:
    """Any litellm model (hosted, Ollama, an OpenAI-compatible server) behind ``ChatModel``.

    ``output_mode`` is ``auto`` or one of ``OUTPUT_MODES``; ``modes`` is where ``auto`` keeps
    what it learnt (the process-wide ``PROCESS_MODES`` unless given). ``mock_response`` is
    passed through to litellm and exists for tests only (a canned reply, or
    ``"litellm.RateLimitError"`` to raise one). ``sleep`` is injectable for the same reason.
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
        output_mode: OutputMode | Literal["auto"] = "auto",
        max_tokens: int | None = None,
        modes: OutputModes | None = None,
        log: CallLog | None = None,
        mock_response: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        if max_tokens is not None and max_tokens <= 0:
            raise ValueError("max_tokens must be positive")
        if output_mode != "auto" and output_mode not in OUTPUT_MODES:
            raise ValueError(f"output_mode must be auto or one of {', '.join(OUTPUT_MODES)}")
        self._model = model
        self.api_base = api_base
        self._api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.output_mode = output_mode
        self.max_tokens = max_tokens
        self.modes = modes if modes is not None else PROCESS_MODES
        self.log: CallLog = log if log is not None else NullCallLog()
        self._mock_response = mock_response
        self._sleep = sleep

    @property
    def model_name(self) -> str:
        return self._model

    @property
    def _key(self) -> tuple[str, str | None]:
        return (self._model, self.api_base)

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
        kwargs: dict[str, Any] = {
            "model": self._model,
            "messages": [dict(m) for m in messages],
            "timeout": self.timeout,
            "max_retries": 0,  # the SDK's own retries would hide attempts from the log
            "drop_params": True,  # a model without structured output still gets the prompt
        }
        if self.max_tokens is not None:
            kwargs["max_tokens"] = self.max_tokens
        if self.api_base is not None:
            kwargs["api_base"] = self.api_base
        if self._api_key is not None:
            kwargs["api_key"] = self._api_key
        if self._mock_response is not None:
            kwargs["mock_response"] = self._mock_response
        ids = (prompt_name, prompt_version)
        if response_format is None:
            return self._attempts(kwargs, None, None, ids)
        configured = self.output_mode
        auto = configured == "auto"
        modes = self.modes.candidates(self._key) if configured == "auto" else [configured]
        refusal: _ModeRefused | None = None
        for mode in modes:
            request_format = _request_format(mode, response_format)
            mode_kwargs = kwargs if request_format is None else {**kwargs, "response_format": request_format}
            try:
                result = self._attempts(
                    mode_kwargs, response_format, None if request_format is None else mode, ids
                )
            except _ModeRefused as exc:
                refusal = exc
                if auto:
                    self.modes.refuse(self._key, mode)
                continue
            if auto:
                self.modes.works(self._key, mode)
            return result
        hint = "" if auto else "; MINGLE_LLM_OUTPUT_MODE=auto finds one the server takes"
        raise LLMUnavailable(
            f"the language model {self._model} refused the request (output mode "
            f"{', '.join(modes)}{hint}): {refusal}"
        ) from refusal

    def _attempts(
        self,
        kwargs: dict[str, Any],
        schema: type[BaseModel] | None,
        mode: OutputMode | None,
        ids: tuple[str, str],
    ) -> ChatResult:
        """One mode: attempts with backoff on transient errors; ``_ModeRefused`` when refused."""
        litellm = _litellm()
        from openai import OpenAIError  # litellm's exceptions all derive from the OpenAI SDK's

        attempts = self.max_retries + 1
        for attempt in range(attempts):
            started = time.perf_counter()
            try:
                response = litellm.completion(**kwargs)
                result = parse_reply(self._result(response), schema)
            except (OpenAIError, _NoReply) as exc:
                failure = classify(exc, litellm) if isinstance(exc, OpenAIError) else "fatal"
                error = describe(exc)
                if failure == "mode_refused" and mode is not None:
                    error = f"output mode {mode} refused: {error}"
                self._record(ids, started, error=error)
                if failure == "transient" and attempt + 1 < attempts:
                    self._sleep(self._delay(attempt))
                    continue
                if failure == "transient":
                    raise LLMUnavailable(
                        f"the language model {self._model} did not answer after {attempts} "
                        f"attempt{'s' if attempts > 1 else ''} ({error})"
                    ) from exc
                if failure == "mode_refused" and mode is not None:
                    raise _ModeRefused(error) from exc
                raise LLMUnavailable(
                    f"the language model {self._model} refused the request ({error})"
                ) from exc
            self._record(ids, started, result=result)
            return result
        raise AssertionError("unreachable: the loop returns or raises")

    def _record(
        self,
        ids: tuple[str, str],
        started: float,
        *,
        result: ChatResult | None = None,
        error: str | None = None,
    ) -> None:
        record_call(
            self.log,
            prompt_name=ids[0],
            prompt_version=ids[1],
            model=self._model,
            started=started,
            result=result,
            error=error,
        )

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
