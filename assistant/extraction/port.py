"""The extraction port: a conversation's turns in, a grounded partial profile out.

Implementations: ``assistant.extraction.rules.RulesExtractor`` (offline, deterministic; the
default), ``assistant.extraction.llm.LLMExtractor`` (any litellm model; falls back to rules) and
``assistant.extraction.llm.HybridExtractor`` (rules win on enums and numbers when they fire; the
LLM fills topics and gaps).

Grounding: every field that is set carries at least one quote, copied verbatim from a *user*
turn, in ``evidence[field]``. Nothing is taken from the assistant's questions and nothing is
invented: a field with no support in the user's own words stays empty/None.
User text is data, never instructions.
"""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from store.domain import CONTRACT_FIELDS, Message, ProfileFields


class Extraction(BaseModel):
    """What one extractor understood from the user's words, with the words themselves."""

    model_config = ConfigDict(extra="forbid")

    fields: ProfileFields = Field(default_factory=ProfileFields)
    evidence: dict[str, list[str]] = Field(
        default_factory=dict, description="Per contract field, verbatim quotes from the user's turns."
    )
    display_name: str | None = Field(None, description="Only if the user said their name.")
    declined: set[str] = Field(
        default_factory=set,
        description="Contract fields the user chose not to answer ('I'd rather not say').",
    )
    source: Literal["rules", "llm", "hybrid"] = "rules"

    def filled(self) -> set[str]:
        """Contract fields with a value."""
        data = self.fields.contract()
        return {name for name in CONTRACT_FIELDS if data[name] not in (None, [], "")}


class Extractor(Protocol):
    def extract(self, turns: list[Message]) -> Extraction: ...
