"""Who phrases Mingle's replies: templates, or a language model rewording them.

    TemplateVoice().phrase(draft, said, language) -> draft
    ModelVoice(chat_model).phrase(draft, said, language) -> the model's wording, or None

The deterministic policy decides everything: what was understood, what is answered, which
question comes next. A voice only rewords that draft (``prompts/reply/v<N>.md``), in the
person's language when it is not English. A model's wording is used only if it keeps the
draft's facts: every number and every word naming a skill, a kind of help, a career stage or a
language that it contains must be in the draft, a question in the draft stays a question, and
it is no longer than ``3 × draft + 200`` characters. Otherwise (or when the model fails or is
slow) the caller keeps the template and tells the person once.

Cost: at most one call a turn, and only on turns that do not already call the model to
extract (asides: questions, small talk, "say again"), or in another language than English,
where wording in the person's language is worth the second call.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Protocol

import prompts
from assistant.chat_port import ChatModel, LLMUnavailable
from assistant.conversation.reflect import HELP, LANGUAGE, OFFER, SKILL, STAGE
from assistant.extraction.llm_reply import escape_tags

PROMPT = "reply"
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


class Voice(Protocol):
    def phrase(self, draft: str, said: str, language: str | None) -> str | None: ...


class TemplateVoice:
    """The templates as written (offline, and whenever a model's wording is not used)."""

    def phrase(self, draft: str, said: str, language: str | None) -> str | None:
        return draft


@cache
def _fact_words() -> frozenset[str]:
    """Words that state a fact about a person: a skill, a kind of help, a stage, a language."""
    phrases = [*SKILL.values(), *HELP.values(), *OFFER.values(), *STAGE.values(), *LANGUAGE.values()]
    phrases += ["phd", "master's", "masters", "postdoc", "undergrad", "mentor", "mentoring", "compute"]
    skip = {"a", "an", "of", "your", "own", "on", "path", "study", "group", "papers"}
    return frozenset(w for p in phrases for w in _WORD.findall(p.lower()) if w not in skip)


def keeps_the_facts(draft: str, worded: str) -> bool:
    """The rewording says nothing the draft did not (see the module docstring)."""
    if not worded.strip() or len(worded) > 3 * len(draft) + 200:
        return False
    if "?" in draft and "?" not in worded and "？" not in worded:
        return False
    if not set(_NUMBER.findall(worded)) <= set(_NUMBER.findall(draft)):
        return False
    draft_words = set(_WORD.findall(draft.lower()))
    return all(w in draft_words for w in _WORD.findall(worded.lower()) if w in _fact_words())


class ModelVoice:
    def __init__(self, model: ChatModel, version: str | None = None) -> None:
        self.model = model
        self.version = version

    def phrase(self, draft: str, said: str, language: str | None) -> str | None:
        """The model's wording of ``draft``, or None (it failed, or changed a fact)."""
        rendered = prompts.render(
            PROMPT,
            self.version,
            language=LANGUAGE.get(language or "en", "the language of the person's message"),
            said=escape_tags(said[:2_000]),  # no text can close the <person_said> tag
            draft=escape_tags(draft),
        )
        try:
            result = self.model.complete(
                rendered.messages, prompt_name=rendered.name, prompt_version=rendered.version
            )
        except LLMUnavailable:
            return None
        worded = result.text.strip()
        return worded if keeps_the_facts(draft, worded) else None
