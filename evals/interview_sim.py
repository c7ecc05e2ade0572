"""Interview simulation: a simulated newcomer answers the real interviewer from a gold profile.

    with scratch_intake(extractor) as intake:
        result = simulate(intake, load_cases(path), seed=0)

For every case, ``IntakeService.start`` opens a conversation and the newcomer answers each
question with ``IntakeService.handle`` until the reply is the card (a ``Card``) or
``max_turns`` answers have been sent. The slot being asked is ``conversation.pending``.

The newcomer, deterministic given (seed, case id):
- answers only from the gold facts of the asked slot, in free text, with varied phrasings;
- with probability ``p_refuse`` declines a slot it could answer ("I'd rather not say"), with
  ``p_terse`` answers with bare words ("coding, writing"), and with ``p_volunteer`` adds one fact
  of a later slot not yet told ("..., and I'm in UTC+7");
- on a slot whose gold is unknown or empty, says so ("skip", "not sure", "nothing yet").

Report (``simulate`` returns it as a dict):
- ``slot_coverage[slot]`` = correct / known over (case, field of the slot) with a known gold
  value (non-null, non-empty); a field is correct when the card has no FP and no FN on it
  (``evals.intake_metrics.field_counts``; topics softly). ``slot_coverage_answered`` leaves out
  the slots the newcomer refused, so extraction and refusals can be told apart.
- ``field_scores``: the intake metrics (``evals.intake_metrics.score``) of card vs gold.
- turns to completion (answers sent until the card) over completed cases: mean, median, max;
  completion rate; refusals (known slots declined) and volunteered facts.
"""

from __future__ import annotations

import random
import statistics
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.conversation.interview import SLOTS
from evals.intake_metrics import field_counts, score

if TYPE_CHECKING:
    from assistant.conversation.intake import IntakeService
    from assistant.extraction.port import Extractor
    from retrieval.embedder import Embedder

OPENING = "Welcome to Mingle! To begin: what do you work on, or want to work on?"
REFUSE = ("I'd rather not say.", "I'd rather not say", "Rather not say, sorry.")
UNKNOWN = ("skip", "not sure", "I'd rather not say.", "pass")
NOTHING = ("Nothing yet, sorry.", "Not really, no.", "None for now.")

STAGES = {
    "undergrad": (("I'm an undergrad.", "I'm a third-year undergraduate student."), "undergrad"),
    "masters": (("I'm a master's student.", "I'm doing a master's degree."), "master's"),
    "phd": (("I'm a PhD student.", "I'm doing a PhD.", "PhD candidate, second year."), "PhD"),
    "postdoc": (("I'm a postdoc.", "I'm a postdoctoral researcher."), "postdoc"),
    "engineer": (("I'm an ML engineer.", "I work as a software engineer."), "engineer"),
    "researcher": (("I'm a research scientist.", "I'm an independent researcher."), "researcher"),
    "faculty": (("I'm a professor.", "I'm a lecturer at a university."), "faculty"),
    "other": (("I'm a research assistant.", "Something else: a research assistant."), "research assistant"),
}
SKILLS = {
    "read": ("reading papers", "reading"),
    "code": ("coding", "programming"),
    "idea": ("forming ideas", "coming up with research ideas"),
    "write": ("writing", "writing papers"),
    "speak": ("speaking", "giving talks"),
    "network": ("networking",),
}
HAVE = ("I'm good at {x}.", "I'm decent at {x}.", "I'm strong at {x}, I think.")
WANT = ("I'd like to get better at {x}.", "I struggle with {x}.", "I want to improve {x}.")
SEEK = {
    "collaboration": ("collaborators", "collaboration"),
    "mentorship": ("a mentor", "mentorship"),
    "compute": ("compute", "some GPU time"),
    "feedback": ("feedback on my drafts", "feedback"),
    "study_group": ("a study group", "a reading group"),
}
SEEK_FULL = ("I'd love {x}.", "Mostly {x}.", "I'm hoping for {x}.")
OFFER = {
    "collaboration": ("I'm happy to collaborate", "I can collaborate on projects"),
    "mentorship": ("I can mentor students", "I could mentor someone newer"),
    "compute": ("I can share some GPU time", "I have spare compute to give"),
    "feedback": ("I can give feedback on drafts", "I can review papers"),
    "study_group": ("I could run a study group", "I'd happily join a study group"),
}
OFFER_TERSE = {
    "collaboration": "collaboration",
    "mentorship": "mentoring",
    "compute": "compute",
    "feedback": "feedback",
    "study_group": "a study group",
}
MODES = {
    "pitch_idea": (
        ("I have my own idea I'd like advice on.", "My own idea, I have early results."),
        "my own idea",
    ),
    "implement_idea": (
        ("I'd rather build someone else's idea.", "Someone else's idea, I like implementing."),
        "someone else's idea",
    ),
    "either": (("Either is fine.", "Both work for me."), "either"),
}
TOPICS = ("I work on {x}.", "My research is on {x}.", "Mostly {x}.")
LANGUAGE_NAMES = {
    "am": "Amharic",
    "ar": "Arabic",
    "bn": "Bengali",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "fa": "Persian",
    "fr": "French",
    "ha": "Hausa",
    "hi": "Hindi",
    "id": "Indonesian",
    "ig": "Igbo",
    "it": "Italian",
    "ja": "Japanese",
    "jv": "Javanese",
    "ka": "Georgian",
    "ko": "Korean",
    "lg": "Luganda",
    "mr": "Marathi",
    "ms": "Malay",
    "ne": "Nepali",
    "pl": "Polish",
    "pt": "Portuguese",
    "qu": "Quechua",
    "ru": "Russian",
    "rw": "Kinyarwanda",
    "sw": "Swahili",
    "ta": "Tamil",
    "ti": "Tigrinya",
    "tl": "Tagalog",
    "tr": "Turkish",
    "tw": "Twi",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "yo": "Yoruba",
    "zh": "Chinese",
}


def _known(value: object) -> bool:
    return value not in (None, [], "", ())


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _utc(offset: float) -> str:
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(round(abs(offset) * 60), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def _practical(gold: Mapping[str, Any], fields: Sequence[str], rng: random.Random, terse: bool) -> str:
    parts = []
    for field in fields:
        value: Any = gold.get(field)
        if field == "utc_offset":
            where = rng.choice(("I'm in {x}", "my time zone is {x}"))
            parts.append(_utc(value) if terse else where.format(x=_utc(value)))
        elif field == "hours_per_week":
            parts.append(f"{value} hours a week" if terse else f"about {value} hours a week")
        else:
            names = [LANGUAGE_NAMES.get(code, code) for code in value]
            parts.append(", ".join(names) if terse else "I speak " + _join(names))
    text = ", ".join(parts)
    return text[0].upper() + text[1:] + ("" if terse else ".")


def facts_of(slot: str, gold: Mapping[str, Any]) -> list[str]:
    """The fields of ``slot`` the gold knows."""
    return [field for field in SLOTS[slot] if _known(gold.get(field))]


def compose(
    slot: str, gold: Mapping[str, Any], rng: random.Random, terse: bool, fields: Sequence[str] = ()
) -> str:
    """A free-text answer to ``slot`` from the gold facts (``fields`` narrows the practical slot)."""
    if slot == "practical":
        return _practical(gold, fields or facts_of(slot, gold), rng, terse)
    value = gold[SLOTS[slot][0]]
    if slot == "topics":
        return ", ".join(value) if terse else rng.choice(TOPICS).format(x=_join(list(value)))
    if slot == "career_stage":
        full, short = STAGES[value]
        return short if terse else rng.choice(full)
    if slot == "project_mode":
        full, short = MODES[value]
        return short if terse else rng.choice(full)
    if slot in ("skills_have", "skills_want"):
        words = [rng.choice(SKILLS[s]) for s in sorted(value)]
        templates = HAVE if slot == "skills_have" else WANT
        return ", ".join(words) if terse else rng.choice(templates).format(x=_join(words))
    if slot == "seeking":
        words = [rng.choice(SEEK[s]) for s in sorted(value)]
        return ", ".join(words) if terse else rng.choice(SEEK_FULL).format(x=_join(words))
    if terse:
        return ", ".join(OFFER_TERSE[s] for s in sorted(value))
    return _join([rng.choice(OFFER[s]) for s in sorted(value)]) + "."


def _intake_of(services_or_intake: Any) -> IntakeService:
    return getattr(services_or_intake, "intake", services_or_intake)


def simulate_case(
    intake: IntakeService,
    case: Mapping[str, Any],
    seed: int,
    *,
    max_turns: int = 12,
    p_refuse: float = 0.1,
    p_terse: float = 0.25,
    p_volunteer: float = 0.15,
) -> dict[str, Any]:
    """One simulated interview; the newcomer's randomness is seeded by (seed, case id)."""
    from assistant.conversation.replies import Card

    gold: Mapping[str, Any] = case.get("gold", {})
    rng = random.Random(f"{seed}:{case['id']}")
    conversation = intake.start(f"sim:{seed}:{case['id']}", OPENING)
    told: set[str] = set()
    refused: list[str] = []
    asked: list[str] = []
    volunteered = 0
    completed = False
    turns = 0
    while turns < max_turns:
        slot = conversation.pending or ""
        asked.append(slot)
        known = facts_of(slot, gold) if slot in SLOTS else []
        if slot == "practical":  # the question names only the fields still missing
            filled = conversation.extraction.filled()
            known = [f for f in known if f not in filled] or known
        if not known:
            empty_set = slot in ("offering", "seeking", "skills_have", "skills_want") and slot in gold
            answer = rng.choice(NOTHING if empty_set else UNKNOWN)
        elif rng.random() < p_refuse:
            answer = rng.choice(REFUSE)
            refused.append(slot)
        else:
            answer = compose(slot, gold, rng, rng.random() < p_terse, known)
            told.add(slot)
            later = [s for s in SLOTS if s not in {*told, *asked, "practical"} and facts_of(s, gold)]
            if later and rng.random() < p_volunteer:
                extra = rng.choice(later)
                answer = f"{answer.rstrip('.')}. Also: {compose(extra, gold, rng, False)}"
                told.add(extra)
                volunteered += 1
        reply = intake.handle(conversation, answer)
        turns += 1
        if isinstance(reply, Card):
            completed = True
            break
    profile = conversation.extraction.fields.contract()
    return {
        "id": case["id"],
        "completed": completed,
        "turns": turns,
        "asked": asked,
        "refused": refused,
        "volunteered": volunteered,
        "profile": profile,
    }


def simulate(
    services_or_intake: Any,
    gold_cases: Sequence[Mapping[str, Any]],
    seed: int = 0,
    *,
    max_turns: int = 12,
    p_refuse: float = 0.1,
    p_terse: float = 0.25,
    p_volunteer: float = 0.15,
) -> dict[str, Any]:
    """Simulate every case against the real interviewer; the report described in the module doc."""
    intake = _intake_of(services_or_intake)
    results = [
        simulate_case(
            intake,
            case,
            seed,
            max_turns=max_turns,
            p_refuse=p_refuse,
            p_terse=p_terse,
            p_volunteer=p_volunteer,
        )
        for case in gold_cases
    ]
    known = dict.fromkeys(SLOTS, 0)
    correct = dict.fromkeys(SLOTS, 0)
    known_answered = dict.fromkeys(SLOTS, 0)
    correct_answered = dict.fromkeys(SLOTS, 0)
    for case, result in zip(gold_cases, results, strict=True):
        gold = case.get("gold", {})
        for slot, fields in SLOTS.items():
            for field in fields:
                if not _known(gold.get(field)):
                    continue
                counts = field_counts(field, result["profile"], gold)
                right = counts.fp == 0 and counts.fn == 0
                known[slot] += 1
                correct[slot] += right
                if slot not in result["refused"]:
                    known_answered[slot] += 1
                    correct_answered[slot] += right
    done = [r["turns"] for r in results if r["completed"]]
    return {
        "cases": len(results),
        "seed": seed,
        "max_turns": max_turns,
        "newcomer": {"p_refuse": p_refuse, "p_terse": p_terse, "p_volunteer": p_volunteer},
        "completed": len(done),
        "completion_rate": len(done) / len(results) if results else 0.0,
        "turns": {
            "mean": statistics.fmean(done) if done else 0.0,
            "median": statistics.median(done) if done else 0.0,
            "max": max(done, default=0),
        },
        "turns_per_case": [r["turns"] for r in results],
        "refusals": sum(len(r["refused"]) for r in results),
        "volunteered": sum(r["volunteered"] for r in results),
        "slot_coverage": {s: correct[s] / known[s] if known[s] else 1.0 for s in SLOTS},
        "slot_coverage_answered": {
            s: correct_answered[s] / known_answered[s] if known_answered[s] else 1.0 for s in SLOTS
        },
        "field_scores": score(
            [(r["profile"], c.get("gold", {})) for c, r in zip(gold_cases, results, strict=True)]
        ),
        "per_case": [{k: v for k, v in r.items() if k != "profile"} for r in results],
    }


@contextmanager
def scratch_intake(extractor: Extractor, embedder: Embedder | None = None) -> Iterator[IntakeService]:
    """A real IntakeService on a throwaway SQLite store (simulated chats never reach the real
    database), with an in-memory index (the simulation never matches) and ``embedder``, by
    default a hashing one (then newcomers' questions are matched to the answer set by words only)."""
    from assistant.services import build_services, scratch_settings
    from retrieval.embedder import HashingEmbedder
    from retrieval.index import MemoryIndex

    with tempfile.TemporaryDirectory(prefix="mingle-sim-") as folder:
        embedder = embedder or HashingEmbedder(dim=64)
        services = build_services(
            scratch_settings(Path(folder)),
            embedder=embedder,
            index=MemoryIndex(embedder.model_id, embedder.dim),
            extractor=extractor,
            upgrade=True,
        )
        try:
            yield services.intake
        finally:
            services.close()
