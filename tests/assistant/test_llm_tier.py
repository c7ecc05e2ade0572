"""The ``llm`` tier: whole conversations through a REAL model on llama-cpp-python's server.

SmolLM2-135M-Instruct (Q4_1) is served on 127.0.0.1 for the session (``real_llama_server``).
It is far too small to extract well: these tests prove the wire, not quality. The output-mode
discovery against the real server, the whole intake through the services ``build_services``
makes from settings (hybrid extractor, voice) with every field on the card grounded in the
person's words, the voice on an aside, the re-ask and the fallback on replies cut short, and
the rules finishing the intake when every call times out (said once). What was measured (mode,
turns, latency per turn) is printed at the end of the run; the whole tier takes ~2 minutes on
2 cores. Every wait is bounded: the server's start, each call (``PATIENT``), each reply's length
(``MAX_TOKENS``), each conversation (``MAX_TURNS``).

Needs requirements-llm.lock (``make install-llm``; ``make test`` installs it and sets
``MINGLE_TEST_REQUIRE_LLM=1``, so a missing server fails instead of skipping).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from assistant.chat_model import (
    ChatMessage,
    ChatResult,
    LiteLLMChatModel,
    LLMUnavailable,
    MemoryCallLog,
    OutputModes,
)
from assistant.conversation.replies import Ask, Card, Reply
from assistant.conversation.state import MODEL_DOWN
from assistant.conversation.voice import ModelVoice, keeps_the_facts
from assistant.extraction import llm as llm_extraction
from assistant.extraction.llm import LLMExtractor, grounded, name_in, normalise
from assistant.extraction.rules import RulesExtractor
from assistant.services import Services, build_services, open_chat_model, open_store, scratch_settings
from assistant.settings import load_settings
from retrieval.embedder import HashingEmbedder
from retrieval.index import MemoryIndex
from store.domain import CONTRACT_FIELDS, Message
from tests.assistant.real_llama_server import MODEL_NAME, LlamaServer, ServerFailed, missing, model_path

pytestmark = pytest.mark.llm

REQUIRE_LLM = os.environ.get("MINGLE_TEST_REQUIRE_LLM") == "1"
API_KEY = "sk-none"  # the server checks no key; litellm wants one
PATIENT = 60.0  # seconds one call may take: generous, the wire is what is tested, not speed
TINY = 0.05  # seconds: every call times out
# A reply of the extraction schema is ~150-370 tokens from this model; unbounded, it once ran on
# inside the JSON grammar for 1,236 tokens (61 s). Cut short, a reply is invalid and re-asked.
MAX_TOKENS = 512

BIO = (
    "I'm a PhD student working on diffusion models for CT scans. I write well and read a lot, "
    "I want to learn to code, I need compute and a mentor, and I can give feedback."
)
ANSWERS = {
    "topics": "I work on diffusion models for CT scans",
    "career_stage": "I'm a PhD student",
    "skills_have": "I write well and read a lot",
    "skills_want": "I want to learn to code and grow my network",
    "seeking": "I need compute and a mentor",
    "offering": "I can give feedback",
    "project_mode": "I have my own idea",
    "practical": "I'm in UTC+1, about 6 hours a week, and I speak English",
}
MAX_TURNS = 6  # a bound, not a goal: the bio, an answer, "done", and room for a re-ask


@dataclass
class Tier:
    server: LlamaServer
    notes: list[str] = field(default_factory=list)

    def note(self, line: str) -> None:
        self.notes.append(line)


@pytest.fixture(scope="session")
def tier(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tier]:
    """The server for the session: ready within a deadline, always stopped; its log tail is
    printed when anything in the tier failed, and what was measured always."""
    reason = missing()
    if reason is not None:
        if REQUIRE_LLM:
            pytest.fail(reason + "; MINGLE_TEST_REQUIRE_LLM=1 makes this a failure")
        pytest.skip(reason)
    gguf = model_path()
    assert gguf is not None
    log_file = tmp_path_factory.mktemp("llama-server") / "server.log"
    failed_before = request.session.testsfailed
    with LlamaServer(gguf, log_file) as server:
        tier = Tier(server)
        tier.note(f"server ready in {server.started_in:.1f} s ({gguf.name}, n_ctx {server.n_ctx})")
        try:
            _warm_up(server)
        except LLMUnavailable as exc:
            raise ServerFailed(f"the server took no first request: {exc}" + server.tail()) from exc
        yield tier
        if request.session.testsfailed > failed_before:
            tier.note("a test of the tier failed; the server's log:" + server.tail())
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # teardown output is captured otherwise
            reporter.write_line("")
            for line in tier.notes:
                reporter.write_line(f"[llm tier] {line}")


def _warm_up(server: LlamaServer) -> None:
    """litellm's import and the model's first evaluation (seconds, once) belong to setup."""
    model = _chat(server, timeout=PATIENT, modes=OutputModes())
    model.complete([{"role": "user", "content": "Hi"}], prompt_name="warm-up", prompt_version="v1")


def _chat(
    server: LlamaServer, *, timeout: float, modes: OutputModes, log: MemoryCallLog | None = None
) -> LiteLLMChatModel:
    return LiteLLMChatModel(
        MODEL_NAME, api_base=server.api_base, api_key=API_KEY, timeout=timeout, modes=modes, log=log
    )


@pytest.fixture
def real_model_env(monkeypatch: pytest.MonkeyPatch, tier: Tier) -> Callable[[float], None]:
    """Point the settings at the server, as a deployment would (MINGLE_LLM_* and a key)."""

    def point(timeout: float) -> None:
        monkeypatch.setenv("MINGLE_LLM_MODEL", MODEL_NAME)
        monkeypatch.setenv("MINGLE_LLM_API_BASE", tier.server.api_base)
        monkeypatch.setenv("MINGLE_LLM_TIMEOUT", str(timeout))
        monkeypatch.setenv("MINGLE_LLM_OUTPUT_MODE", "auto")
        monkeypatch.setenv("OPENAI_API_KEY", API_KEY)

    return point


def _services(tmp_path: Path) -> Services:
    """The stack from the settings (the real chat model, ``open_extractor``'s hybrid, the
    model's voice) on a throwaway store, with the fast embedder and index."""
    settings = load_settings().model_copy(update={"data_dir": tmp_path, "database_url": None})
    store = open_store(settings, upgrade=True)
    chat = open_chat_model(settings, store)
    assert isinstance(chat, LiteLLMChatModel)
    chat.max_tokens = MAX_TOKENS
    embedder = HashingEmbedder(dim=128)
    index = MemoryIndex(embedder.model_id, embedder.dim)
    return build_services(settings, store=store, embedder=embedder, index=index, chat_model=chat)


def _template_services(tmp_path: Path) -> Services:
    """The same stack offline: rules and templates (what the person gets without a model)."""
    embedder = HashingEmbedder(dim=128)
    index = MemoryIndex(embedder.model_id, embedder.dim)
    return build_services(scratch_settings(tmp_path), embedder=embedder, index=index, upgrade=True)


@dataclass
class Run:
    said: list[str]  # what the person sent, turn by turn
    replies: list[Reply]
    latencies: list[float]


def _interview(services: Services, limit: int = MAX_TURNS) -> Run:
    """A pasted bio, the answer to whatever is asked next, then "done"; after that, answers to
    whatever slot is pending until the card comes (bounded)."""
    conversation = services.intake.start("llm-tier", "What do you work on?")
    said, replies, latencies = list[str](), list[Reply](), list[float]()
    while len(replies) < limit and not (replies and isinstance(replies[-1], Card)):
        slot = conversation.pending
        if not replies:
            text = BIO
        elif len(replies) == 2:
            text = "done"
        else:
            assert slot is not None, f"nothing is pending after {replies[-1].text!r}"
            text = ANSWERS[slot]
        said.append(text)
        started = time.perf_counter()
        replies.append(services.intake.handle(conversation, text))
        latencies.append(time.perf_counter() - started)
    return Run(said, replies, latencies)


def _timing(latencies: Sequence[float]) -> str:
    ordered = sorted(latencies)
    median = ordered[len(ordered) // 2]
    most, total = ordered[-1], sum(latencies)
    return f"{len(latencies)} turns, per turn median {median:.1f} s, max {most:.1f} s, total {total:.1f} s"


# --- (a) output modes on the real wire -----------------------------------------------------------


class Greeting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    greeting: str


GREET: list[ChatMessage] = [{"role": "user", "content": 'Reply with JSON like {"greeting": "hello"}.'}]


def test_auto_finds_the_mode_the_real_server_takes_and_keeps_it(tier: Tier) -> None:
    modes, log = OutputModes(), MemoryCallLog()
    model = _chat(tier.server, timeout=PATIENT, modes=modes, log=log)
    first = model.complete(GREET, response_format=Greeting, prompt_name="greet", prompt_version="v1")
    settled = modes.known((MODEL_NAME, tier.server.api_base))
    again = model.complete(GREET, response_format=Greeting, prompt_name="greet", prompt_version="v1")
    errors = [call.error for call in log.calls]
    tier.note(f"output mode: auto settled on {settled}; attempts {[e or 'ok' for e in errors]}")
    # What the real server does: json_schema is refused once with a validation 500 (never
    # retried), json_object with the schema (a grammar) is taken and remembered.
    assert settled == "json_object"
    assert len(errors) == 3 and errors[1:] == [None, None]
    assert errors[0] is not None and errors[0].startswith(
        "output mode json_schema refused: InternalServerError"
    )
    assert "validation error" in errors[0]
    for result in (first, again):  # the grammar holds the tiny model to the schema
        assert isinstance(result.parsed, Greeting), result.text


# --- (b) a whole intake through the real model ----------------------------------------------------


def test_a_whole_intake_reaches_a_card_grounded_in_the_persons_words(
    tier: Tier, real_model_env: Callable[[float], None], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_model_env(PATIENT)
    dropped: list[str] = []
    real_ground = llm_extraction.ground

    def ground_and_count(*args: object, **kwargs: object) -> object:
        extraction, names = real_ground(*args, **kwargs)  # type: ignore[arg-type]  # passed through as given
        dropped.extend(names)
        return extraction, names

    monkeypatch.setattr(llm_extraction, "ground", ground_and_count)
    services = _services(tmp_path)
    try:
        assert isinstance(services.intake.voice, ModelVoice) and services.chat_model is not None
        run = _interview(services)
        calls = services.store.llm_calls.recent(limit=500)
    finally:
        services.close()
    card = run.replies[-1]
    assert isinstance(card, Card), [r.text for r in run.replies]
    said = [normalise(text) for text in run.said]
    filled = {name for name in CONTRACT_FIELDS if getattr(card.profile, name) not in (None, [], set())}
    for name in filled:
        quotes = card.evidence.get(name, [])
        assert quotes, f"{name} is on the card without the words it came from"
        assert all(grounded(quote, said) for quote in quotes), (name, quotes)
    if card.profile.display_name != "New member":
        assert name_in(card.profile.display_name, said)
    errors = Counter((c.error or "").split(":")[0] for c in calls if c.error)
    tier.note(
        f"intake: {_timing(run.latencies)}; {len(calls)} model calls, errors {dict(errors) or 'none'}, "
        f"fields the grounding dropped: {sorted(set(dropped)) or 'none'}; card: {sorted(filled)}"
    )
    assert any(c.prompt_name == "extract_profile" and c.error is None for c in calls)  # not bypassed


# --- (d) the voice on an aside ---------------------------------------------------------------------


@dataclass
class Recording:
    """A chat model that keeps the text of every reply of the model it wraps."""

    model: LiteLLMChatModel
    texts: list[str] = field(default_factory=list)

    @property
    def model_name(self) -> str:
        return self.model.model_name

    def complete(self, messages: Sequence[ChatMessage], **kwargs: object) -> ChatResult:
        result = self.model.complete(messages, **kwargs)  # type: ignore[arg-type]  # passed through as given
        self.texts.append(result.text)
        return result


@dataclass
class RecordingVoice:
    """The model's voice, keeping each draft it was given and what it gave back."""

    voice: ModelVoice
    drafts: list[str] = field(default_factory=list)
    worded: list[str | None] = field(default_factory=list)

    def phrase(self, draft: str, said: str, language: str | None) -> str | None:
        self.drafts.append(draft)
        self.worded.append(self.voice.phrase(draft, said, language))
        return self.worded[-1]


def test_an_aside_gets_the_models_wording_or_the_template_and_the_interview_resumes(
    tier: Tier, real_model_env: Callable[[float], None], tmp_path: Path
) -> None:
    real_model_env(PATIENT)
    offline = _template_services(tmp_path / "offline")
    services = _services(tmp_path / "model")
    try:
        template_c = offline.intake.start("t", "What do you work on?")
        template = offline.intake.handle(template_c, "what is an RFP?").text

        assert isinstance(services.chat_model, LiteLLMChatModel)
        recording = Recording(services.chat_model)
        voice = services.intake.voice = RecordingVoice(ModelVoice(recording))
        c = services.intake.start("m", "What do you work on?")
        slot, told, asked, spoken = c.pending, c.told_offline, len(voice.drafts), len(recording.texts)
        started = time.perf_counter()
        reply = services.intake.handle(c, "what is an RFP?")
        took = time.perf_counter() - started
        assert slot is not None and c.pending == slot  # an aside answers no slot
        resumed = services.intake.handle(c, ANSWERS[slot])
    finally:
        offline.close()
        services.close()
    assert len(voice.drafts) > asked and recording.texts, "the voice did not ask the model"
    draft, worded = voice.drafts[asked], voice.worded[asked]
    assert draft == template  # the policy decided the reply; the model may only reword it
    if worded is not None:  # the model's wording passed the facts check
        assert keeps_the_facts(template, worded) and reply.text == worded
    else:  # the template, with the one note that the model is not answering
        assert reply.text == (template if told else f"{MODEL_DOWN} {template}")
    assert isinstance(resumed, Ask | Card) and (isinstance(resumed, Card) or resumed.slot != slot)
    tier.note(
        f"voice: the aside took {took:.1f} s; the model's wording was "
        f"{'used' if worded is not None else 'not used (the template answered)'}: "
        f"{recording.texts[spoken].strip()[:120]!r}"
    )


# --- the re-ask and the fallback on real (cut-short) replies -----------------------------------------


def test_a_cut_short_reply_is_re_asked_then_the_rules_answer(tier: Tier) -> None:
    """40 tokens cannot hold the extraction schema: each reply is invalid JSON, for real."""
    log = MemoryCallLog()
    chat = _chat(tier.server, timeout=PATIENT, modes=OutputModes(), log=log)
    chat.output_mode, chat.max_tokens = "json_object", 40
    rules = RulesExtractor()
    extractor = LLMExtractor(chat, fallback=rules, max_reasks=1)
    turns = [Message(role="assistant", content="What do you work on?"), Message(role="user", content=BIO)]
    outcome = extractor.attempt(turns)
    assert outcome.extraction is None and outcome.attempts == 2
    assert outcome.reason is not None and "still invalid after 1 re-asks" in outcome.reason
    assert [c.prompt_name for c in log.calls] == ["extract_profile", "extract_profile_reask"]
    for call in log.calls:  # answered (no HTTP error), cut short, logged as invalid
        assert call.output_tokens == 40 and (call.error or "").startswith("invalid reply: "), call.error
    assert extractor.extract(turns) == rules.extract(turns)  # then the fallback answers
    tier.note(
        f"re-ask: a cut reply was re-asked once, then the rules answered ({outcome.reason.splitlines()[1]})"
    )


# --- (c) every call times out: the rules answer, said once (last: the abandoned call in flight
# keeps the server busy a while) ---------------------------------------------------------------


def test_when_every_call_times_out_the_rules_finish_the_intake_and_it_is_said_once(
    tier: Tier, real_model_env: Callable[[float], None], tmp_path: Path
) -> None:
    offline = _template_services(tmp_path / "offline")
    try:
        rules_only = _interview(offline)
    finally:
        offline.close()
    real_model_env(TINY)
    services = _services(tmp_path / "model")
    try:
        run = _interview(services)
        calls = services.store.llm_calls.recent(limit=500)
    finally:
        services.close()
    card, rules_card = run.replies[-1], rules_only.replies[-1]
    assert isinstance(card, Card) and isinstance(rules_card, Card), [r.text for r in run.replies]
    assert run.said == rules_only.said
    assert sum(MODEL_DOWN in reply.text for reply in run.replies) == 1
    ignore = {"id", "created_at", "updated_at"}
    assert card.profile.model_dump(exclude=ignore) == rules_card.profile.model_dump(exclude=ignore)
    assert card.evidence == rules_card.evidence  # exactly what the rules read, nothing from the model
    assert calls and all((c.error or "").startswith("Timeout") for c in calls)
    tier.note(f"timeouts ({TINY} s): {_timing(run.latencies)}; {len(calls)} calls, all timed out")
