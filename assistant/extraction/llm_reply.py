"""What the extraction model answers (``ProfileReply``: every field with the user's quotes) and
the draft it is shown when extracting incrementally.

Incremental extraction: the model sees the profile so far (``draft_json``) and only the turns
that came after it, never the whole transcript again. ``DraftMemory`` finds the draft: the
last grounded extraction made from a prefix of the same interview turns (matched by a running
sha256 over the turns, so one pass over the text). ``carry`` applies the model's answer to the
draft: a field the answer fills replaces the draft's value and quotes; a field it leaves empty
keeps them (empty means "the new turns said nothing about it").
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from assistant.extraction.port import Extraction
from store.domain import (
    CONTRACT_FIELDS,
    CareerStage,
    ContractField,
    Help,
    LanguageCode,
    Message,
    ProfileFields,
    ProjectMode,
    Skill,
)

_QUOTES = "Exact words copied from one of the user's turns that support the value; [] when value is empty."


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quotes: list[str] = Field(description=_QUOTES)


class CareerStageAnswer(_Answer):
    value: CareerStage | None = Field(description="The user's career stage, only if they said it; else null.")


class SkillsHaveAnswer(_Answer):
    value: list[Skill] = Field(description="Axes the user says they are already good at.")


class SkillsWantAnswer(_Answer):
    value: list[Skill] = Field(description="Axes the user wants to develop or get better at.")


class SeekingAnswer(_Answer):
    value: list[Help] = Field(description="Help the user is looking for ('mentorship' = wants a mentor).")


class OfferingAnswer(_Answer):
    value: list[Help] = Field(description="Help the user can give ('mentorship' = will mentor others).")


class ProjectModeAnswer(_Answer):
    value: ProjectMode | None = Field(
        description="pitch_idea: has an own idea; implement_idea: wants to build someone else's; either."
    )


class TopicsAnswer(_Answer):
    value: list[str] = Field(description="Research interests as short noun phrases, in the user's words.")


class LanguagesAnswer(_Answer):
    value: list[LanguageCode] = Field(description="Languages the user speaks, as ISO 639-1 codes.")


class UtcOffsetAnswer(_Answer):
    value: float | None = Field(
        ge=-12, le=14, description="Time zone as hours from UTC (7, -3, 5.5); else null."
    )


class HoursPerWeekAnswer(_Answer):
    value: int | None = Field(ge=0, le=80, description="Whole hours a week the user can give; else null.")


class DisplayNameAnswer(_Answer):
    value: str | None = Field(
        max_length=80, description="The name the user gives for themself, exactly as written; else null."
    )


class DeclinedAnswer(_Answer):
    value: list[ContractField] = Field(description="Fields the user explicitly chose not to answer.")


class ProfileReply(BaseModel):
    """The profile found in the conversation: every field with its supporting quotes."""

    model_config = ConfigDict(extra="forbid")

    career_stage: CareerStageAnswer
    skills_have: SkillsHaveAnswer
    skills_want: SkillsWantAnswer
    seeking: SeekingAnswer
    offering: OfferingAnswer
    project_mode: ProjectModeAnswer
    topics: TopicsAnswer
    languages: LanguagesAnswer
    utc_offset: UtcOffsetAnswer
    hours_per_week: HoursPerWeekAnswer
    display_name: DisplayNameAnswer
    declined: DeclinedAnswer


def reply_schema() -> str:
    """The JSON schema of ``ProfileReply`` as it goes into the prompt."""
    return json.dumps(ProfileReply.model_json_schema(), separators=(",", ":"))


def escape_tags(text: str) -> str:
    """JSON text with ``<`` and ``>`` escaped (``\\u003c``): no user text can close a data tag,
    and the JSON still decodes to the exact words."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e")


def draft_json(draft: Extraction | None) -> str:
    """The profile so far in the reply's shape, filled fields only (``{}`` when there is none)."""
    if draft is None:
        return "{}"
    data: dict[str, object] = {}
    values = draft.fields.contract()
    for name in CONTRACT_FIELDS:
        if values[name] not in (None, [], ""):
            data[name] = {"value": values[name], "quotes": draft.evidence.get(name, [])}
    if draft.display_name:
        data["display_name"] = {"value": draft.display_name, "quotes": draft.evidence.get("display_name", [])}
    if draft.declined:
        data["declined"] = {"value": sorted(draft.declined), "quotes": []}
    return escape_tags(json.dumps(data, ensure_ascii=False))


def carry(draft: Extraction, new: Extraction) -> Extraction:
    """``draft`` updated by ``new`` (both grounded): what ``new`` filled replaces, the rest stays."""
    values = {name: value for name, value in draft.fields.contract().items() if value not in (None, [], "")}
    evidence = {name: list(quotes) for name, quotes in draft.evidence.items()}
    fresh = new.fields.contract()
    for name in new.filled():
        values[name] = fresh[name]
        evidence[name] = list(new.evidence.get(name, []))
    display_name = draft.display_name
    if new.display_name:
        display_name = new.display_name
        evidence["display_name"] = list(new.evidence.get("display_name", []))
    return Extraction(
        fields=ProfileFields.model_validate(values),
        evidence=evidence,
        display_name=display_name,
        declined=(draft.declined | new.declined) - set(values),
        source="llm",
    )


def _prefix_digests(turns: Sequence[Message]) -> list[str]:
    """``digests[i]`` identifies ``turns[: i + 1]`` (role and exact text of each turn)."""
    running = hashlib.sha256()
    digests = []
    for turn in turns:
        text = turn.content.encode("utf-8")
        running.update(f"{turn.role}:{len(text)}:".encode())
        running.update(text)
        digests.append(running.copy().hexdigest())
    return digests


class DraftMemory:
    """The last ``size`` grounded extractions, each under the exact turns it was made from (an
    LRU; thread-safe). Only digests and extractions are kept, never the turns themselves."""

    def __init__(self, size: int = 256) -> None:
        if size < 1:
            raise ValueError("size must be 1 or more")
        self.size = size
        self._lock = threading.Lock()
        self._drafts: OrderedDict[str, Extraction] = OrderedDict()

    def longest(self, turns: Sequence[Message]) -> tuple[int, Extraction | None]:
        """The longest remembered prefix of ``turns``: its length and its extraction (a copy)."""
        digests = _prefix_digests(turns)
        with self._lock:
            for length in range(len(digests), 0, -1):
                found = self._drafts.get(digests[length - 1])
                if found is not None:
                    self._drafts.move_to_end(digests[length - 1])
                    return length, found.model_copy(deep=True)
        return 0, None

    def remember(self, turns: Sequence[Message], extraction: Extraction) -> None:
        if not turns:
            return
        digest = _prefix_digests(turns)[-1]
        with self._lock:
            self._drafts[digest] = extraction.model_copy(deep=True)
            self._drafts.move_to_end(digest)
            while len(self._drafts) > self.size:
                self._drafts.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._drafts)
