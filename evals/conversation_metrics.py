"""Conversation-simulation metrics: pure functions over the records of ``evals.conversation_sim``.

A record is one simulated conversation as plain data: ``style``, ``completed``,
``turns_to_card``, ``profile`` (the card's ten contract fields), ``told`` and ``gold``,
``questions`` ([{"id", "answered", "resumed"}]), ``recoveries`` ([{"kind", "slot",
"asked_again", "filled_after"}]), ``grounded_in_questions`` (field names) and ``behaviours``.

Metrics (``summarize``):
- ``card[style]``: ``evals.intake_metrics.score`` of the card vs ``told`` (micro/macro F1, exact
  profiles), and ``micro_f1_vs_gold`` against the full gold;
- ``style_gap`` = micro F1(fluent) − min over the other styles of micro F1(style);
- ``questions.answered_rate`` = questions whose reply contains the expected answer-set entry's
  answer / questions asked; ``resumed_rate`` = questions after which the slot stayed pending;
- ``recovery``: non-answers (a question back, an off-slot answer) to a slot with known facts;
  ``recovered_rate`` = those after which Mingle asked the same slot again (re-ask or "back to my
  question") and the newcomer's next message filled it / non-answers;
- ``grounded_in_questions``: card fields whose every evidence quote occurs in a question the
  newcomer asked and in none of its other messages (must be 0);
- ``turns``: newcomer messages until the card, over completed conversations: median and p90;
- ``latency_ms``: p50, p95 of ``IntakeService.handle`` over every message, after a warm-up.
Percentiles are nearest-rank: p_q = the ⌈q·n⌉-th smallest value.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from evals.intake_metrics import score


def grounded_in_questions(evidence: Mapping[str, list[str]], turns: Sequence[Mapping[str, Any]]) -> list[str]:
    """Fields whose every quote is found in a question the newcomer asked and in nothing else it said."""
    user = [t for t in turns if t["role"] == "user"]
    asked = [t["content"].casefold() for t in user if t["kind"] == "question"]
    said = [t["content"].casefold() for t in user if t["kind"] != "question"]
    out = []
    for name, quotes in evidence.items():
        found = [q.casefold() for q in quotes if q.strip()]
        if found and all(any(q in a for a in asked) and not any(q in s for s in said) for q in found):
            out.append(name)
    return sorted(out)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest rank: the ⌈q·n⌉-th smallest value (0.0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(q * len(ordered)) - 1)])


def _rate(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def summarize(records: Sequence[Mapping[str, Any]], latencies_ms: Sequence[float]) -> dict[str, Any]:
    """The metrics of the module docstring, from the records of ``converse``. Pure."""
    styles = list(dict.fromkeys(r["style"] for r in records))
    card: dict[str, Any] = {}
    for style in styles:
        mine = [r for r in records if r["style"] == style]
        vs_told = score([(r["profile"], r["told"]) for r in mine])
        vs_gold = score([(r["profile"], r["gold"]) for r in mine])
        card[style] = {
            "conversations": len(mine),
            "micro_f1": vs_told["micro"]["f1"],
            "macro_f1": vs_told["macro_f1"],
            "exact_profile_rate": vs_told["exact_profile_rate"],
            "micro_f1_vs_gold": vs_gold["micro"]["f1"],
            "fields_f1": {name: m["f1"] for name, m in vs_told["fields"].items()},
        }
    everyday = {s: card[s]["micro_f1"] for s in styles if s != "fluent"}
    worst = min(everyday, key=lambda s: everyday[s]) if everyday else None
    gap = card["fluent"]["micro_f1"] - everyday[worst] if worst and "fluent" in card else 0.0
    asked = [q for r in records for q in r["questions"]]
    events = [e for r in records for e in r["recoveries"]]
    recovered = [e for e in events if e["asked_again"] and e["filled_after"]]
    by_kind = {
        kind: {
            "non_answers": len(mine := [e for e in events if e["kind"] == kind]),
            "asked_again": sum(e["asked_again"] for e in mine),
            "recovered": sum(e["asked_again"] and e["filled_after"] for e in mine),
        }
        for kind in ("question_back", "off_slot")
    }
    done = [r["turns_to_card"] for r in records if r["completed"]]
    behaviours: dict[str, int] = {}
    for r in records:
        for name in r["behaviours"]:
            behaviours[name] = behaviours.get(name, 0) + 1
    return {
        "conversations": len(records),
        "cases": len({r["id"] for r in records}),
        "styles": styles,
        "card": card,
        "card_micro_f1": {s: card[s]["micro_f1"] for s in styles},
        "style_gap": gap,
        "worst_everyday_style": worst,
        "questions": {
            "asked": len(asked),
            "answered": sum(q["answered"] for q in asked),
            "answered_rate": _rate(sum(q["answered"] for q in asked), len(asked)),
            "resumed_rate": _rate(sum(q["resumed"] for q in asked), len(asked)),
        },
        "recovery": {
            "non_answers": len(events),
            "asked_again": sum(e["asked_again"] for e in events),
            "recovered": len(recovered),
            "recovered_rate": _rate(len(recovered), len(events)),
            "by_kind": by_kind,
        },
        "grounded_in_questions": sum(len(r["grounded_in_questions"]) for r in records),
        "turns": {
            "completed": len(done),
            "completion_rate": _rate(len(done), len(records)),
            "median": statistics.median(done) if done else 0.0,
            "p90": percentile(done, 0.9),
        },
        "latency_ms": {
            "turns": len(latencies_ms),
            "p50": round(percentile(latencies_ms, 0.5), 2),
            "p95": round(percentile(latencies_ms, 0.95), 2),
        },
        "behaviours": dict(sorted(behaviours.items())),
    }
