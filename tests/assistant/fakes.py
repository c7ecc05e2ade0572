"""Fast stand-ins for the slow parts, used by the service and UI tests."""

from __future__ import annotations

import re
from typing import Any

from assistant.extraction.port import Extraction, Extractor
from assistant.services import Services, build_services
from assistant.settings import Settings
from retrieval.embedder import HashingEmbedder
from retrieval.index import MemoryIndex
from store.domain import Message, ProfileFields
from store.repositories import Store

WORDS = {
    "topics": {"diffusion": "diffusion models", "speech": "speech recognition"},
    "skills_have": {"good at coding": "code", "write well": "write", "read a lot": "read"},
    "skills_want": {"learn to code": "code", "grow my network": "network", "weak at writing": "write"},
    "seeking": {"need compute": "compute", "a mentor": "mentorship"},
    "offering": {"give feedback": "feedback", "collaborate": "collaboration"},
}


class KeywordExtractor:
    """Maps a few fixed phrases to fields, quoting the user turn they came from."""

    def __init__(self) -> None:
        self.calls = 0

    def extract(self, turns: list[Message]) -> Extraction:
        self.calls += 1
        values: dict[str, Any] = {}
        evidence: dict[str, list[str]] = {}
        for turn in turns:
            if turn.role != "user":
                continue
            text = turn.content.lower()
            for field, phrases in WORDS.items():
                for phrase, value in phrases.items():
                    if phrase in text:
                        bucket = values.setdefault(field, [] if field == "topics" else set())
                        bucket.append(value) if isinstance(bucket, list) else bucket.add(value)
                        if turn.content not in evidence.setdefault(field, []):
                            evidence[field].append(turn.content)
            if m := re.search(r"utc([+-]\d+)", text):
                values["utc_offset"] = float(m.group(1))
                evidence["utc_offset"] = [turn.content]
            if m := re.search(r"(\d+) hours", text):
                values["hours_per_week"] = int(m.group(1))
                evidence["hours_per_week"] = [turn.content]
            if "english" in text:
                values["languages"] = {"en"}
                evidence["languages"] = [turn.content]
            if "phd" in text:
                values["career_stage"] = "phd"
                evidence["career_stage"] = [turn.content]
            if "my own idea" in text:
                values["project_mode"] = "pitch_idea"
                evidence["project_mode"] = [turn.content]
            if m := re.search(r"my name is (\w+)", turn.content, re.IGNORECASE):
                values["display_name"] = m.group(1)
        name = values.pop("display_name", None)
        return Extraction(fields=ProfileFields(**values), evidence=evidence, display_name=name)


def fake_services(settings: Settings, store: Store, extractor: Extractor | None = None) -> Services:
    """The real stack with the fast parts: a hashing embedder, an in-memory index, and keyword
    extraction (or the ``extractor`` given, e.g. the real rules)."""
    embedder = HashingEmbedder(dim=128)
    index = MemoryIndex(embedder.model_id, embedder.dim)
    services = build_services(
        settings, store=store, embedder=embedder, index=index, extractor=extractor or KeywordExtractor()
    )
    services.matching.reindex()
    return services
