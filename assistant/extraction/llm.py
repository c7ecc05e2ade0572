"""Extraction with a language model, grounded in the user's words, with a deterministic fallback.

``LLMExtractor``: render the ``extract_profile`` prompt (the conversation goes in as JSON data
between tags, never as instructions), ask for a ``ProfileReply``, and on a reply that does not
validate re-ask with the errors written for the model (``extract_profile_reask``), at most
``max_reasks`` times. Then ground: a field stays only if at least one of its quotes is a
verbatim (case- and whitespace-insensitive) part of one user turn; a display name also has
to appear in the user's text. When the model is unavailable or still invalid, ``extract``
returns ``fallback.extract(turns)`` and logs why (``attempt`` reports it without falling back).

``HybridExtractor``: rules win on enums and numbers and on set fields when they fired; the
LLM fills topics and the gaps. Evidence follows the value that was kept.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass

from pydantic import ValidationError

import prompts
from assistant.chat_model import ChatModel, LLMUnavailable
from assistant.extraction.llm_reply import (
    DraftMemory,
    ProfileReply,
    carry,
    draft_json,
    escape_tags,
    reply_schema,
)
from assistant.extraction.port import Extraction, Extractor
from store.domain import CONTRACT_FIELDS, Message, ProfileFields, interview_only

__all__ = [
    "HybridExtractor",
    "LLMExtractor",
    "LLMOutcome",
    "ProfileReply",
    "conversation_json",
    "ground",
    "grounded",
    "merge",
    "name_in",
    "normalise",
    "reply_schema",
]

logger = logging.getLogger(__name__)

PROMPT = "extract_profile"
REASK_PROMPT = "extract_profile_reask"


def conversation_json(turns: list[Message]) -> str:
    """The turns as a JSON array, one turn a line. ``<`` and ``>`` are escaped (``\\u003c``) so no
    text can close the ``<conversation>`` tag; the JSON still decodes to the exact words."""
    lines = [
        escape_tags(json.dumps({"role": turn.role, "text": turn.content}, ensure_ascii=False))
        for turn in turns
    ]
    return "[\n" + ",\n".join(lines) + "\n]"


_TRIM = " \t\n\"'“”‘’«»`.,;:!?"
_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def normalise(text: str) -> str:
    """Case- and whitespace-insensitive form for grounding (typographic quotes made plain)."""
    return " ".join(text.translate(_TYPOGRAPHY).casefold().split())


def grounded(quote: str, user_texts: list[str]) -> bool:
    """``quote`` is a verbatim part of one user turn (already ``normalise``d)."""
    needle = normalise(quote.strip(_TRIM))
    if len(needle) < 2 or not any(ch.isalnum() for ch in needle):
        return False
    return any(needle in text for text in user_texts)


def name_in(name: str, user_texts: list[str]) -> bool:
    """``name`` appears as whole words in a user turn."""
    needle = normalise(name.strip(_TRIM))
    if not needle:
        return False
    pattern = re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)")
    return any(pattern.search(text) for text in user_texts)


@dataclass(frozen=True)
class LLMOutcome:
    """What the model gave: an extraction, or ``None`` with the reason it gave nothing usable."""

    extraction: Extraction | None
    attempts: int
    reason: str | None = None
    dropped: tuple[str, ...] = ()


def _said_anything(turns: list[Message]) -> bool:
    return any(turn.role == "user" and turn.content.strip() for turn in turns)


def ground(reply: ProfileReply, turns: list[Message]) -> tuple[Extraction, tuple[str, ...]]:
    """Keep the fields whose quotes are in the user's words; return them and the dropped names."""
    user_texts = [normalise(turn.content) for turn in turns if turn.role == "user"]
    values: dict[str, object] = {}
    evidence: dict[str, list[str]] = {}
    dropped: list[str] = []
    for name in CONTRACT_FIELDS:
        answer = getattr(reply, name)
        if answer.value in (None, []):
            continue
        quotes = [q.strip() for q in answer.quotes if grounded(q, user_texts)]
        if not quotes:
            dropped.append(name)
            continue
        values[name] = answer.value
        evidence[name] = list(dict.fromkeys(quotes))
    display_name = None
    name_answer = reply.display_name
    if name_answer.value and name_answer.value.strip():
        quotes = [q.strip() for q in name_answer.quotes if grounded(q, user_texts)]
        if quotes and name_in(name_answer.value, user_texts):
            display_name = " ".join(name_answer.value.split())
            evidence["display_name"] = list(dict.fromkeys(quotes))
        else:
            dropped.append("display_name")
    declined: set[str] = set()
    if reply.declined.value:
        if any(grounded(q, user_texts) for q in reply.declined.quotes):
            declined = {field for field in reply.declined.value if field not in values}
        else:
            dropped.append("declined")
    extraction = Extraction(
        fields=ProfileFields.model_validate(values),
        evidence=evidence,
        display_name=display_name,
        declined=declined,
        source="llm",
    )
    return extraction, tuple(dropped)


class LLMExtractor:
    """``Extractor`` backed by a ``ChatModel``; ``fallback`` answers when the model cannot.

    A prompt version with a ``draft`` variable (v2 on) extracts incrementally: the model is
    shown the profile so far and the turns after it (with the assistant's question before the
    first new user turn, for context); ``drafts`` remembers each grounded result for the next
    turn. A version without one (v1) is shown the whole interview every time.
    """

    def __init__(
        self,
        chat: ChatModel,
        fallback: Extractor,
        *,
        max_reasks: int = 2,
        prompt_version: str | None = None,
        reask_version: str | None = None,
        drafts: DraftMemory | None = None,
    ) -> None:
        if max_reasks < 0:
            raise ValueError("max_reasks must be 0 or more")
        self.chat = chat
        self.fallback = fallback
        self.max_reasks = max_reasks
        template = prompts.load(PROMPT, prompt_version)
        self.prompt_version = template.version
        self.incremental = "draft" in template.variables
        paired = self.prompt_version if self.prompt_version in prompts.versions(REASK_PROMPT) else None
        self.reask_version = prompts.load(REASK_PROMPT, reask_version or paired).version
        self.drafts = drafts if drafts is not None else DraftMemory()

    def messages(self, turns: list[Message], draft: Extraction | None = None) -> prompts.RenderedPrompt:
        """The first request: the interview only, never commands or events. Incremental versions
        get ``turns`` as the new turns and ``draft`` as the profile so far."""
        conversation = conversation_json(interview_only(turns))
        if self.incremental:
            return prompts.render(
                PROMPT, self.prompt_version, draft=draft_json(draft), conversation=conversation
            )
        return prompts.render(PROMPT, self.prompt_version, schema=reply_schema(), conversation=conversation)

    def _new_turns(self, turns: list[Message]) -> tuple[list[Message], Extraction | None]:
        """What the model still has to read, and the draft it reads it against."""
        if not self.incremental:
            return turns, None
        start, draft = self.drafts.longest(turns)
        if 0 < start < len(turns) and turns[start].role == "user" and turns[start - 1].role == "assistant":
            start -= 1  # the question the new answer answers
        return turns[start:], draft

    def attempt(self, turns: list[Message]) -> LLMOutcome:
        """Ask, validate, re-ask (bounded) and ground; never falls back. Only the interview is
        read: commands and events (which name other people) never reach the model."""
        turns = interview_only(turns)
        if not _said_anything(turns):
            return LLMOutcome(Extraction(source="llm"), attempts=0)
        new, draft = self._new_turns(turns)
        if not _said_anything(new):
            return LLMOutcome(draft, attempts=0)
        prompt = self.messages(new, draft)
        messages = list(prompt.messages)
        name, version = prompt.name, prompt.version
        problems = ""
        for attempt in range(1, self.max_reasks + 2):
            try:
                result = self.chat.complete(
                    messages, response_format=ProfileReply, prompt_name=name, prompt_version=version
                )
            except LLMUnavailable as exc:
                return LLMOutcome(None, attempts=attempt, reason=str(exc))
            if isinstance(result.parsed, ProfileReply):
                try:
                    extraction, dropped = ground(result.parsed, turns)
                except ValidationError as exc:
                    problems = "\n".join(f"- {e['msg']}" for e in exc.errors(include_url=False))
                else:
                    extraction = carry(draft, extraction) if draft is not None else extraction
                    if self.incremental:
                        self.drafts.remember(turns, extraction)
                    return LLMOutcome(extraction, attempts=attempt, dropped=dropped)
            else:
                problems = result.invalid or "- the reply was not a JSON object of the schema"
            reask = prompts.render(REASK_PROMPT, self.reask_version, errors=problems)
            messages = [*messages, {"role": "assistant", "content": result.text}, *reask.messages]
            name, version = reask.name, reask.version
        return LLMOutcome(
            None,
            attempts=self.max_reasks + 1,
            reason=f"the model's reply was still invalid after {self.max_reasks} re-asks:\n{problems}",
        )

    def extract(self, turns: list[Message]) -> Extraction:
        outcome = self.attempt(turns)
        if outcome.dropped:
            logger.info("LLM extraction dropped ungrounded fields: %s", ", ".join(outcome.dropped))
        if outcome.extraction is not None:
            return outcome.extraction
        logger.warning("LLM extraction fell back to %s: %s", type(self.fallback).__name__, outcome.reason)
        return self.fallback.extract(turns)


def merge(rules: Extraction, llm: Extraction) -> Extraction:
    """Rules win on every field they filled except topics: enums and numbers (career_stage,
    project_mode, utc_offset, hours_per_week) and sets (skills, seeking, offering, languages).
    The LLM gives topics (rules' topics only if it found none) and fills the gaps."""
    ruled, modelled = rules.fields.contract(), llm.fields.contract()
    values: dict[str, object] = {}
    evidence: dict[str, list[str]] = {}
    for name in CONTRACT_FIELDS:
        rule_value, llm_value = ruled[name], modelled[name]
        if name == "topics":
            winner = "llm" if llm_value else "rules"
        else:
            winner = "rules" if rule_value not in (None, []) else "llm"
        value = rule_value if winner == "rules" else llm_value
        if value in (None, []):
            continue
        values[name] = value
        quotes = (rules if winner == "rules" else llm).evidence.get(name, [])
        if rule_value == llm_value:  # both agree: keep both sets of words
            quotes = [*quotes, *(llm if winner == "rules" else rules).evidence.get(name, [])]
        evidence[name] = list(dict.fromkeys(quotes))
    display_name = rules.display_name or llm.display_name
    if display_name:
        source = rules if rules.display_name else llm
        evidence["display_name"] = list(source.evidence.get("display_name", []))
        if not evidence["display_name"]:
            del evidence["display_name"]
    return Extraction(
        fields=ProfileFields.model_validate(values),
        evidence=evidence,
        display_name=display_name,
        declined=(rules.declined | llm.declined) - set(values),
        source="hybrid",
    )


class HybridExtractor:
    """Rules for what rules do well, the LLM for free text; rules alone if the LLM gives nothing."""

    def __init__(self, rules: Extractor, llm: LLMExtractor) -> None:
        self.rules = rules
        self.llm = llm

    def extract(self, turns: list[Message]) -> Extraction:
        ruled = self.rules.extract(turns)
        outcome = self.llm.attempt(turns)
        if outcome.extraction is None:
            logger.warning("hybrid extraction used rules only: %s", outcome.reason)
            return ruled
        return merge(ruled, outcome.extraction)
