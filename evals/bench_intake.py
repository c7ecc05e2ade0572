"""`mingle bench intake`: per-turn latency of the real intake path, offline, after warm-up.

Every user turn of a transcript file is fed to the intake service (store, rules extractor,
embedded Chroma, the packaged model), then "yes" confirms the card, which saves, indexes and
matches. The newcomers are removed again afterwards. A program, not a timed test."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from assistant.services import Services
from evals.intake import load_cases


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def run_intake_bench(services: Services, data: Path) -> dict[str, Any]:
    services.warm_up()
    turns: list[float] = []
    confirms: list[float] = []
    for case in load_cases(data):
        conversation = services.intake.start(f"bench:{case['id']}", "What do you work on?")
        for message in case["messages"]:
            if message.role != "user":
                continue
            started = time.perf_counter()
            services.intake.handle(conversation, message.content)
            turns.append(time.perf_counter() - started)
        started = time.perf_counter()
        services.intake.handle(conversation, "done")
        services.intake.confirm(conversation)
        confirms.append(time.perf_counter() - started)
        services.intake.delete(conversation)
    every = turns + confirms
    return {
        "interview_turns": _summary(turns),
        "confirm_and_match": _summary(confirms),
        "all_turns": _summary(every),
    }
