"""Mingle's domain: the profile contract of PRODUCT.md and the records around it.

These pydantic models are the boundary types of every layer (extraction, retrieval, store,
evals). Field descriptions are written for a language model, because the extraction schema
is generated from them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator


class Skill(StrEnum):
    """The six axes of the talk: what a researcher has, and what they want to develop."""

    read = "read"
    code = "code"
    idea = "idea"
    write = "write"
    speak = "speak"
    network = "network"


class CareerStage(StrEnum):
    undergrad = "undergrad"
    masters = "masters"
    phd = "phd"
    postdoc = "postdoc"
    engineer = "engineer"
    researcher = "researcher"
    faculty = "faculty"
    other = "other"


class Help(StrEnum):
    """What people seek and offer. Offering ``mentorship`` means "will mentor"."""

    collaboration = "collaboration"
    mentorship = "mentorship"
    compute = "compute"
    feedback = "feedback"
    study_group = "study_group"


class ProjectMode(StrEnum):
    pitch_idea = "pitch_idea"
    implement_idea = "implement_idea"
    either = "either"


ContractField = Literal[
    "career_stage",
    "skills_have",
    "skills_want",
    "seeking",
    "offering",
    "project_mode",
    "topics",
    "languages",
    "utc_offset",
    "hours_per_week",
]
CONTRACT_FIELDS: tuple[str, ...] = get_args(ContractField)

LanguageCode = Annotated[str, Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 code, e.g. 'en'.")]


def _now() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ProfileFields(Strict):
    """The ten contract fields: what a person works on, has, wants, seeks, offers, and when."""

    career_stage: CareerStage | None = Field(None, description="Career stage, only if the person said it.")
    skills_have: set[Skill] = Field(default_factory=set, description="Axes the person says they are good at.")
    skills_want: set[Skill] = Field(default_factory=set, description="Axes the person wants to develop.")
    seeking: set[Help] = Field(default_factory=set, description="Help the person is looking for.")
    offering: set[Help] = Field(default_factory=set, description="Help the person can give others.")
    project_mode: ProjectMode | None = Field(
        None, description="pitch_idea: has their own idea; implement_idea: wants to build someone else's."
    )
    topics: list[str] = Field(default_factory=list, description="Research interests as short noun phrases.")
    languages: set[LanguageCode] = Field(default_factory=set, description="Spoken languages, ISO 639-1.")
    utc_offset: float | None = Field(
        None, ge=-12, le=14, description="Time zone as hours from UTC, e.g. 5.5."
    )
    hours_per_week: int | None = Field(None, ge=0, le=80, description="Hours a week the person can give.")

    @field_validator("topics")
    @classmethod
    def _clean_topics(cls, topics: list[str]) -> list[str]:
        seen: dict[str, str] = {}
        for topic in topics:
            text = " ".join(topic.split())[:80]
            if text and text.lower() not in seen:
                seen[text.lower()] = text
        return list(seen.values())[:20]

    def contract(self) -> dict[str, object]:
        """The ten contract fields as plain JSON (sets as sorted lists)."""
        data = self.model_dump(mode="json", include=set(CONTRACT_FIELDS))
        for name in ("skills_have", "skills_want", "seeking", "offering", "languages"):
            data[name] = sorted(data[name])
        return {name: data[name] for name in CONTRACT_FIELDS}


class Profile(ProfileFields):
    """A member of the community. ``contact`` is private until both sides accept an intro."""

    id: str = Field(default_factory=lambda: new_id("p"))
    display_name: str = Field(min_length=1, max_length=80)
    contact: str | None = Field(
        None, max_length=200, description="Private: shared only after a double opt-in."
    )
    bio: str = Field("", max_length=4000)
    visibility: Literal["public", "hidden"] = "public"
    intro_capacity: int = Field(
        3, ge=0, le=20, description="Open introductions this person can hold at once."
    )
    paused: bool = False
    evidence: dict[str, list[str]] = Field(
        default_factory=dict, description="Per contract field, the person's own words that support it."
    )
    source: Literal["intake", "seed"] = "intake"
    created_at: datetime = Field(default_factory=_now)
    updated_at: datetime = Field(default_factory=_now)

    @field_validator("evidence")
    @classmethod
    def _evidence_for_contract_fields(cls, evidence: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = set(evidence) - set(CONTRACT_FIELDS) - {"display_name", "bio"}
        if unknown:
            raise ValueError(f"evidence for unknown fields: {sorted(unknown)}")
        return evidence


class RFP(Strict):
    """A request for proposals: a project idea a mentor posts for others to pick up."""

    id: str = Field(default_factory=lambda: new_id("r"))
    owner_id: str
    title: str = Field(min_length=3, max_length=160)
    description: str = Field(min_length=1, max_length=6000)
    topics: list[str] = Field(default_factory=list)
    skills_needed: set[Skill] = Field(default_factory=set, description="Axes the taker should bring.")
    skills_developed: set[Skill] = Field(default_factory=set, description="Axes the taker will grow.")
    mode: ProjectMode = Field(
        ProjectMode.implement_idea,
        description="implement_idea: build the owner's idea; pitch_idea: bring your own take, owner advises.",
    )
    compute_offered: str | None = Field(None, max_length=200, description="Compute the owner gives, if any.")
    hours_per_week: int | None = Field(None, ge=0, le=80)
    capacity: int = Field(1, ge=1, le=20, description="How many people or teams can take it on.")
    status: Literal["open", "closed"] = "open"
    source: Literal["intake", "seed"] = "intake"
    created_at: datetime = Field(default_factory=_now)


class Phase(StrEnum):
    """Where a conversation stands: interview → confirm (the card is shown) → saved."""

    interview = "interview"
    confirm = "confirm"
    saved = "saved"


class DialogueState(Strict):
    """What the assistant knew when it spoke, stored with each of its messages: resuming a
    conversation reads these fields, never the assistant's own sentences."""

    phase: Phase = Phase.interview
    pending: str | None = Field(None, description="The interview slot whose answer is awaited.")
    asked: set[str] = Field(default_factory=set, description="Interview slots asked so far.")
    declined: set[str] = Field(default_factory=set, description="Slots the person chose not to answer.")
    told_offline: bool = Field(False, description="The person was told the language model is not answering.")
    reasked: set[str] = Field(
        default_factory=set, description="Slots already asked a second time after a non-answer."
    )
    restart_asked: bool = Field(False, description="Mingle asked whether to start over (yes clears).")
    draft_from: int = Field(0, ge=0, description="Index of the first message of the current draft.")
    told_language: bool = Field(False, description="Told that the offline reader knows English best.")

    @field_serializer("asked", "declined", "reasked")
    def _sorted(self, slots: set[str]) -> list[str]:
        return sorted(slots)


MessageKind = Literal["interview", "command", "event", "aside"]


class Message(Strict):
    """One message of a conversation. ``kind`` keeps the interview apart from the rest:
    ``interview`` is the person's answers and Mingle's questions (all an extractor ever reads),
    ``command`` a command or search and its answer, ``event`` what Mingle says when something
    happens (an introduction asked, accepted or declined, a suggestion acted on), which may
    name other people and carry their contact, and ``aside`` a turn that answers nothing (a
    question to Mingle, small talk, "say again", "start over") and Mingle's reply to it."""

    role: Literal["assistant", "user"]
    content: str
    created_at: datetime = Field(default_factory=_now)
    state: DialogueState | None = Field(None, description="Assistant messages: the state after speaking.")
    kind: MessageKind = "interview"


def interview_only(messages: list[Message]) -> list[Message]:
    """The messages an extractor may read: the interview, never commands or events."""
    return [m for m in messages if m.kind == "interview"]


class Transcript(Strict):
    """One intake conversation. Messages are stored before they are processed."""

    id: str = Field(default_factory=lambda: new_id("t"))
    owner: str = Field(description="Who the conversation belongs to (a user identifier or session key).")
    profile_id: str | None = None
    messages: list[Message] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=_now)


INTRO_WAIT = timedelta(days=14)
"""How long a request waits for an answer. After it, a pending request is closed: it holds
nobody's intro slot and can no longer be answered."""


class IntroStatus(StrEnum):
    """An introduction as stored. What each side is shown of it is decided in one place:
    ``assistant.conversation.intros.seen_status``."""

    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    withdrawn = "withdrawn"


class IntroRequest(Strict):
    """A double opt-in introduction: contact details flow only once both have said yes."""

    id: str = Field(default_factory=lambda: new_id("i"))
    requester_id: str
    target_id: str
    note: str = Field("", max_length=1000)
    status: IntroStatus = IntroStatus.pending
    created_at: datetime = Field(default_factory=_now)
    decided_at: datetime | None = None


class Feedback(Strict):
    """A "not a fit" from one person about a suggested person or RFP; remembered both ways."""

    id: str = Field(default_factory=lambda: new_id("f"))
    from_id: str
    about_id: str
    kind: Literal["not_a_fit"] = "not_a_fit"
    reason: str = Field("", max_length=1000)
    created_at: datetime = Field(default_factory=_now)


class LLMCall(Strict):
    """The log line of one model call: what was asked with which prompt, and what it cost."""

    id: str = Field(default_factory=lambda: new_id("l"))
    prompt_name: str
    prompt_version: str
    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    latency_ms: float
    error: str | None = None
    created_at: datetime = Field(default_factory=_now)
