"""Conversation simulation: seeded newcomers with everyday habits talk to the real intake policy.

    with scratch_intake(extractor) as intake:
        records, latencies = simulate_conversations(intake, load_cases(path), seed=0)
    metrics = summarize(records, latencies)          # evals.conversation_metrics
    write_run(out, records, metrics)                 # metrics.json, conversations.jsonl

Each case's gold profile drives one newcomer per style (``evals.newcomer_speech.STYLES``). The
newcomer answers the slot Mingle actually asks (the ``slot`` of its last ``Ask``; a ``Say`` keeps
the slot open) from its gold facts. Its habits are planned once per case by an RNG seeded with
(seed, case id), so every style has the same plan and says the same facts (``plan_for``):
- ``question_back``: before answering a slot, asks Mingle a question (``QUESTIONS``);
- ``off_slot``: answers a slot with the facts of a later one (then the slot, when re-asked);
- ``partial``: says part of a slot's facts; the rest with the next message ("also, ...") or,
  for the practical slot, when Mingle asks for what is still missing;
- ``correction``: states a wrong stage, mode, hours or time zone, then "sorry, I meant X", in
  the same message or as the next one;
- ``bio_paste``: opens with a bio covering several slots;
- ``skip``: declines a slot it could answer.
A slot whose gold is unknown gets "not sure" (scalars) or "nothing yet" (empty sets).

``told`` is the gold restricted to what the newcomer said (a skipped field stays empty, a
partial set holds only the part said); the card is scored against it.

The metrics over the records are ``evals.conversation_metrics.summarize``'s.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.conversation.interview import PRACTICAL, SLOTS, slot_filled
from evals.conversation_metrics import grounded_in_questions
from evals.intake_metrics import SET_FIELDS
from evals.interview_sim import facts_of
from evals.newcomer_speech import QUESTIONS, STYLES, phrase, question, render_slot, short
from store.domain import CONTRACT_FIELDS

if TYPE_CHECKING:
    from assistant.conversation.intake import IntakeService

OPENING = "Welcome to Mingle! To begin: what do you work on, or want to work on?"
ORDER = list(SLOTS)
LISTS = (*SET_FIELDS, "topics")
SET_SLOTS = ("skills_have", "skills_want", "seeking", "offering")
BEHAVIOURS = {"bio_paste": 0.25, "skip": 0.35, "correction": 0.4, "partial": 0.4, "off_slot": 0.4}
P_QUESTION = 0.7  # one question back; half of those newcomers ask a second one
WRONG = {
    "undergrad": "masters", "masters": "phd", "phd": "masters", "postdoc": "phd",
    "engineer": "researcher", "researcher": "engineer", "faculty": "postdoc", "other": "undergrad",
    "pitch_idea": "implement_idea", "implement_idea": "pitch_idea", "either": "pitch_idea",
}  # fmt: skip


@dataclass
class Plan:
    """Where each habit shows (slots are the interview's)."""

    bio: tuple[str, ...] = ()
    questions: dict[str, int] = field(default_factory=dict)  # slot → QUESTIONS index
    off_slot: dict[str, str] = field(default_factory=dict)  # slot → the slot told instead
    partial: tuple[str, ...] = ()
    correction: dict[str, str] = field(default_factory=dict)  # slot → the field corrected
    correct_later: bool = False  # the "sorry, I meant" comes as the next message
    skip: tuple[str, ...] = ()

    def behaviours(self) -> list[str]:
        named = {
            "bio_paste": self.bio, "question_back": self.questions, "off_slot": self.off_slot,
            "partial": self.partial, "correction": self.correction, "skip": self.skip,
        }  # fmt: skip
        return [name for name, where in named.items() if where]


def _values(slot: str, gold: Mapping[str, Any]) -> dict[str, Any]:
    return {f: gold[f] for f in facts_of(slot, gold)}


def plan_for(gold: Mapping[str, Any], rng: random.Random) -> Plan:
    """The habits of one newcomer; at most one habit per slot besides a question back."""
    plan = Plan()
    free = [s for s in ORDER if facts_of(s, gold)]
    if rng.random() < BEHAVIOURS["bio_paste"] and "topics" in free and len(free) >= 4:
        others = rng.sample(free[1:], rng.randint(2, min(4, len(free) - 1)))
        plan.bio = tuple(s for s in ORDER if s == "topics" or s in others)
        free = [s for s in free if s not in plan.bio]
    if rng.random() < BEHAVIOURS["skip"] and free:
        plan.skip = (rng.choice(free),)
        free.remove(plan.skip[0])
    fixable = [s for s in free if s in ("career_stage", "project_mode", "practical")]
    if rng.random() < BEHAVIOURS["correction"] and fixable:
        slot = rng.choice(fixable)
        fields = [f for f in facts_of(slot, gold) if f != "languages"]
        if fields:
            plan.correction = {slot: rng.choice(fields)}
            plan.correct_later = rng.random() < 0.5
            free.remove(slot)
    several = [s for s in free if len(facts_of(s, gold)) >= 2 or (s in SET_SLOTS and len(gold[s]) >= 2)]
    if rng.random() < BEHAVIOURS["partial"] and several:
        plan.partial = (rng.choice(several),)
        free.remove(plan.partial[0])
    pairs = [(s, t) for s in free for t in free if ORDER.index(t) > ORDER.index(s)]
    if rng.random() < BEHAVIOURS["off_slot"] and pairs:
        slot, other = rng.choice(pairs)
        plan.off_slot = {slot: other}
    if rng.random() < P_QUESTION:
        open_slots = [s for s in ORDER if s not in plan.bio]
        count = 1 + (rng.random() < 0.5)
        slots = rng.sample(open_slots, min(count, len(open_slots)))
        plan.questions = dict(zip(slots, rng.sample(range(len(QUESTIONS)), len(slots)), strict=True))
    return plan


class Newcomer:
    """One simulated newcomer: says the next message for the slot Mingle asks."""

    def __init__(self, gold: Mapping[str, Any], plan: Plan, style: str, rng: random.Random) -> None:
        self.gold, self.plan, self.style, self.rng = gold, plan, style, rng
        self.told: dict[str, Any] = {}
        self.visited: set[str] = set()
        self.asked: set[str] = set()
        self.queue: list[tuple[str, str]] = []
        self.carry: tuple[str, dict[str, Any]] | None = None  # the rest of a partial answer
        self.sent = 0

    def _say_told(self, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            old = self.told.get(name)
            self.told[name] = list(dict.fromkeys([*old, *value])) if isinstance(old, list) else value

    def _say(self, slot: str, values: Mapping[str, Any]) -> str:
        self._say_told(values)
        return render_slot(slot, values, self.style, self.rng)

    def _answer(self, slot: str, first: bool, asked: str) -> tuple[str, str]:
        if self.sent == 0 and self.plan.bio:
            return " ".join(self._say(s, _values(s, self.gold)) for s in self.plan.bio), "bio"
        values = _values(slot, self.gold)
        if slot == "practical":  # the fields the question names (all of them, if it names none)
            named = [f for f, words in PRACTICAL.items() if words in asked] or list(PRACTICAL)
            values = {f: v for f, v in values.items() if f in named}
        if not values:
            empty_set = slot in SET_SLOTS and self.gold.get(slot) == []
            return phrase("nothing" if empty_set else "unknown", self.style, self.rng), "none"
        if slot in self.plan.skip:  # asked again: still a no
            return phrase("skip", self.style, self.rng), "skip"
        if not first:
            return self._say(slot, values), "answer"
        if slot in self.plan.off_slot:
            other = self.plan.off_slot[slot]
            return self._say(other, _values(other, self.gold)), "off_slot"
        if slot in self.plan.partial:
            if slot == "practical":
                first_field = next(iter(values))
                return self._say(slot, {first_field: values[first_field]}), "partial"
            items = list(values[slot])
            said, rest = items[: len(items) // 2], items[len(items) // 2 :]
            rest_text = render_slot(slot, {slot: rest}, self.style, self.rng)
            if not rest_text.startswith(("I ", "I'")):  # mid-sentence now
                rest_text = rest_text[0].lower() + rest_text[1:]
            later = phrase("also", self.style, self.rng, rest_text)
            self.carry = (later, {slot: rest})  # said with the next message
            return self._say(slot, {slot: said}), "partial"
        if slot in self.plan.correction and self.plan.correction[slot] in values:
            name = self.plan.correction[slot]
            right = values[name]
            wrong = WRONG[right] if isinstance(right, str) else right + (3 if name == "hours_per_week" else 1)
            text = render_slot(slot, {**values, name: wrong}, self.style, self.rng)
            self._say(slot, values)
            fix = phrase("correct", self.style, self.rng, short(name, right))
            if self.plan.correct_later:
                self.queue.append((fix, "correction"))
                return text, "answer"
            return f"{text} {fix}", "correction"
        return self._say(slot, values), "answer"

    def message(self, slot: str, asked: str = "") -> tuple[str, str]:
        """(text, kind) to the question ``asked`` about ``slot``; kind is bio, question, answer,
        off_slot, partial, correction, skip or none."""
        if self.queue:
            return self.queue.pop(0)
        if slot in self.plan.questions and slot not in self.asked and not (self.sent == 0 and self.plan.bio):
            self.asked.add(slot)
            return question(self.plan.questions[slot], self.style, self.rng)[1], "question"
        first = slot not in self.visited
        self.visited.add(slot)
        text, kind = self._answer(slot, first, asked)
        if self.carry is not None and kind != "partial":
            later, values = self.carry
            self._say_told(values)
            text, self.carry = f"{text} {later}", None
        return text, kind


def converse(
    intake: IntakeService,
    case: Mapping[str, Any],
    style: str,
    seed: int,
    *,
    max_turns: int = 30,
    plan: Plan | None = None,
) -> tuple[dict[str, Any], list[float]]:
    """One simulated conversation through ``IntakeService.handle``: its record and per-turn ms
    (``plan``: these habits instead of the seeded ones)."""
    from assistant.conversation.answers import entries
    from assistant.conversation.replies import Ask, Card

    answers = {e.id: e.answer for e in entries()}
    gold: Mapping[str, Any] = case.get("gold", {})
    plan = plan or plan_for(gold, random.Random(f"{seed}:{case['id']}:plan"))
    newcomer = Newcomer(gold, plan, style, random.Random(f"{seed}:{case['id']}:words"))
    conversation = intake.start(f"conv:{seed}:{case['id']}:{style}", OPENING)
    slot = conversation.pending or "topics"
    turns: list[dict[str, Any]] = [{"role": "assistant", "content": OPENING, "slot": slot}]
    questions: list[dict[str, Any]] = []
    recoveries: list[dict[str, Any]] = []
    waiting: dict[str, Any] | None = None  # a non-answer whose slot is still to be answered
    latencies: list[float] = []
    completed = False
    asked = OPENING
    while newcomer.sent < max_turns:
        text, kind = newcomer.message(slot, asked)
        if kind == "question":  # which question: the plan's, for this slot
            entry = QUESTIONS[plan.questions[slot]][0]
        started = time.perf_counter()
        reply = intake.handle(conversation, text)
        latencies.append(ms := 1000 * (time.perf_counter() - started))
        newcomer.sent, asked = newcomer.sent + 1, reply.text
        turns.append({"role": "user", "content": text, "kind": kind, "slot": slot, "ms": round(ms, 2)})
        shown = {"role": "assistant", "content": reply.text, "reply": type(reply).__name__}
        turns.append({**shown, "slot": reply.slot} if isinstance(reply, Ask) else shown)
        if waiting is not None and kind != "correction":
            waiting["filled_after"] = slot == waiting["slot"] and slot_filled(slot, conversation.extraction)
            recoveries.append(waiting)
            waiting = None
        if kind == "question":
            resumed = not isinstance(reply, Card) and conversation.pending == slot
            questions.append(
                {"id": entry, "text": text, "answered": answers[entry] in reply.text, "resumed": resumed}
            )
        if kind in ("question", "off_slot") and facts_of(slot, gold):
            again = isinstance(reply, Ask) and reply.slot == slot
            back = kind == "question" and conversation.pending == slot and not isinstance(reply, Card)
            waiting = {"kind": "question_back" if kind == "question" else "off_slot", "slot": slot}
            waiting["asked_again"] = again or back
        if isinstance(reply, Card):
            completed = True
            break
        if isinstance(reply, Ask):
            slot = reply.slot
    if waiting is not None:
        recoveries.append({**waiting, "filled_after": False})
    extraction = conversation.extraction
    on_card = {name: quotes for name, quotes in extraction.evidence.items() if name in extraction.filled()}
    told = {name: newcomer.told.get(name, [] if name in LISTS else None) for name in CONTRACT_FIELDS}
    record = {
        "id": case["id"],
        "style": style,
        "seed": seed,
        "behaviours": plan.behaviours(),
        "completed": completed,
        "turns_to_card": newcomer.sent,
        "turns": turns,
        "profile": extraction.fields.contract(),
        "told": told,
        "gold": dict(gold),
        "evidence": extraction.evidence,
        "questions": questions,
        "recoveries": recoveries,
        "grounded_in_questions": grounded_in_questions(on_card, turns),
    }
    return record, latencies


def warm_up(intake: IntakeService) -> None:
    """Load what the first turn would otherwise load (answer set, lexicons), off the clock."""
    intake.answers.prepare()
    conversation = intake.start("conv:warm-up", OPENING)
    for text in ("graph neural networks", "is this free?", "skip", "phd student"):
        intake.handle(conversation, text)


def simulate_conversations(
    intake: IntakeService,
    cases: Sequence[Mapping[str, Any]],
    seed: int = 0,
    styles: Sequence[str] = STYLES,
    *,
    max_turns: int = 30,
) -> tuple[list[dict[str, Any]], list[float]]:
    """Every case in every style; the records and every ``handle`` latency (ms), after a warm-up."""
    warm_up(intake)
    records: list[dict[str, Any]] = []
    latencies: list[float] = []
    for case in cases:
        for style in styles:
            record, ms = converse(intake, case, style, seed, max_turns=max_turns)
            records.append(record)
            latencies.extend(ms)
    return records, latencies


def write_run(out: Path, records: Sequence[Mapping[str, Any]], metrics: Mapping[str, Any]) -> None:
    """``out/metrics.json`` and ``out/conversations.jsonl`` (every simulated transcript)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(
        json.dumps(metrics, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    (out / "conversations.jsonl").write_text(lines, encoding="utf-8")
