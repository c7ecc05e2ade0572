"""report.md for an intake eval run: the metrics table, then the worst cases with their diffs.

    write_intake_report(cases, predictions, metrics, out_dir, worst=10) -> out_dir/report.md

Inputs are what ``evals.intake`` already produces: ``cases`` from ``load_cases`` (dicts with
``id`` and ``gold``; ``turns`` are not needed), ``predictions`` as the rows of
``predictions.jsonl`` (``{"id", "profile"}``; ``load_predictions`` reads the file) or a mapping
id → profile, and the metrics dict ``run_intake_eval`` returned.

Per-case F1 is the F1 of the case's counts pooled over the ten fields, with the counting of
``evals.intake_metrics`` (so a case with nothing to find and nothing found scores 1.0). The
worst cases are the cases with an error, lowest per-case F1 first, ties broken by id. Their
diff lists, for every field with an error, gold and predicted values and what is missing
(gold, not predicted) and extra (predicted, not gold). Topics are diffed with the same soft
one-to-one matching as the score: a predicted topic that matches a gold topic is neither
missing nor extra.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evals.intake_metrics import SCALAR_FIELDS, Counts, f1, field_counts, jaccard, topic_tokens, topics_match
from store.domain import CONTRACT_FIELDS

Profile = Mapping[str, Any]


def load_predictions(path: Path) -> dict[str, dict[str, Any]]:
    """``predictions.jsonl`` → {id: profile}."""
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {row["id"]: row["profile"] for row in rows}


def case_counts(pred: Profile, gold: Profile) -> dict[str, Counts]:
    """Counts of every contract field for one case."""
    return {field: field_counts(field, pred, gold) for field in CONTRACT_FIELDS}


def case_f1(pred: Profile, gold: Profile) -> float:
    """F1 of the case's counts pooled over the ten fields."""
    total = Counts()
    for counts in case_counts(pred, gold).values():
        total = total + counts
    return f1(total)


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple | set) else [value]


def _topic_diff(pred: Sequence[str], gold: Sequence[str]) -> tuple[list[str], list[str]]:
    """(missing, extra) under the scorer's greedy one-to-one soft matching."""
    pairs = sorted(
        (-jaccard(topic_tokens(p), topic_tokens(g)), gi, pi)
        for gi, g in enumerate(gold)
        for pi, p in enumerate(pred)
        if topics_match(p, g)
    )
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for _, gi, pi in pairs:
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
    missing = [g for gi, g in enumerate(gold) if gi not in used_gold]
    extra = [p for pi, p in enumerate(pred) if pi not in used_pred]
    return missing, extra


def field_diff(field: str, pred: Profile, gold: Profile) -> dict[str, list[Any]] | None:
    """{"gold", "predicted", "missing", "extra"} for a field with an error, else None."""
    counts = field_counts(field, pred, gold)
    if counts.fp == 0 and counts.fn == 0:
        return None
    g, p = _as_list(gold.get(field)), _as_list(pred.get(field))
    if field == "topics":
        missing, extra = _topic_diff([str(x) for x in p], [str(x) for x in g])
    elif field in SCALAR_FIELDS:
        missing, extra = g, p
    else:
        missing, extra = sorted(set(g) - set(p), key=str), sorted(set(p) - set(g), key=str)
    return {"gold": g, "predicted": p, "missing": missing, "extra": extra}


def case_diffs(pred: Profile, gold: Profile) -> dict[str, dict[str, list[Any]]]:
    """The diff of every contract field with an error, in contract order."""
    return {field: d for field in CONTRACT_FIELDS if (d := field_diff(field, pred, gold))}


def _cell(values: Sequence[Any]) -> str:
    if not values:
        return "–"
    text = ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)
    return text.replace("|", "\\|").replace("\n", " ")


def metrics_table(metrics: Mapping[str, Any]) -> list[str]:
    lines = ["| field | P | R | F1 | TP | FP | FN |", "|---|---:|---:|---:|---:|---:|---:|"]
    rows = [*metrics.get("fields", {}).items(), ("**micro**", metrics["micro"])]
    for name, m in rows:
        lines.append(
            f"| {name} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} "
            f"| {m['tp']} | {m['fp']} | {m['fn']} |"
        )
    lines.append("")
    lines.append(f"- macro F1 (mean of the ten field F1): **{metrics['macro_f1']:.3f}**")
    lines.append(
        f"- exact-profile rate: **{metrics['exact_profile_rate']:.3f}** over {metrics['cases']} cases"
    )
    return lines


def write_intake_report(
    cases: Sequence[Mapping[str, Any]],
    predictions: Sequence[Mapping[str, Any]] | Mapping[str, Profile],
    metrics: Mapping[str, Any],
    out_dir: Path,
    worst: int = 10,
) -> Path:
    """Write ``out_dir/report.md``: metrics table, then the ``worst`` cases with field diffs."""
    if isinstance(predictions, Mapping):
        by_id = dict(predictions)
    else:
        by_id = {row["id"]: row["profile"] for row in predictions}
    scored = []
    for case in cases:
        pred = by_id.get(case["id"], {})
        gold = case.get("gold", {})
        scored.append((case_f1(pred, gold), case["id"], pred, gold))
    scored.sort(key=lambda item: (item[0], item[1]))

    lines = ["# Intake extraction report", ""]
    for key in ("data_file", "extractor"):
        if key in metrics:
            lines.append(f"- {key.replace('_', ' ')}: `{metrics[key]}`")
    lines += [
        "",
        "Topics are scored softly: token Jaccard ≥ 0.5 or containment (`evals/intake_metrics.py`).",
        "",
    ]
    lines += ["## Metrics", "", *metrics_table(metrics), ""]
    wrong = [(s, i, diffs) for s, i, p, g in scored if (diffs := case_diffs(p, g))]
    shown = wrong[:worst]
    lines += [f"## Worst {len(shown)} of {len(wrong)} cases with errors, by per-case F1", ""]
    if not wrong:
        lines += ["Every case matches its gold.", ""]
    for score_, case_id, diffs in shown:
        lines += [f"### {case_id}: F1 {score_:.3f}", ""]
        lines += ["| field | gold | predicted | missing | extra |", "|---|---|---|---|---|"]
        for field, d in diffs.items():
            cells = " | ".join(_cell(d[k]) for k in ("gold", "predicted", "missing", "extra"))
            lines.append(f"| {field} | {cells} |")
        lines.append("")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.md"
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path
