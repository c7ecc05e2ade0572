"""Intake extraction metrics: pure functions over gold and predicted contract profiles.

Counting, per field and per case (profiles are the ten contract fields as plain JSON):
- set fields (skills_have, skills_want, seeking, offering, languages), per element:
      TP = |pred ∩ gold|,  FP = |pred − gold|,  FN = |gold − pred|
- scalar fields (career_stage, project_mode, utc_offset, hours_per_week):
      pred set and pred == gold        → TP = 1
      pred set and (gold null or ≠)    → FP = 1
      gold set and (pred null or ≠)    → FN = 1      (a wrong value is both an FP and an FN)
  utc_offset values are equal when |pred − gold| < 1e-6.
- topics, softly: tokens(t) = the lower-cased word tokens of t minus function words
  (``FUNCTION_WORDS``), a trailing plural "s" removed from tokens longer than three letters.
  A predicted topic p matches a gold topic g when
      jaccard(p, g) = |P ∩ G| / |P ∪ G| ≥ 0.5   or   P ⊆ G   or   G ⊆ P   (P, G non-empty)
  Pairs are matched one-to-one, greedily by descending jaccard (ties: gold order, then pred
  order); TP = matched pairs, FP = |pred| − TP, FN = |gold| − TP.
Scores from pooled counts:
      P = TP / (TP + FP)   (1.0 when TP + FP = 0 and FN = 0, else 0.0 when TP + FP = 0)
      R = TP / (TP + FN)   (1.0 when TP + FN = 0 and FP = 0, else 0.0 when TP + FN = 0)
      F1 = 2PR / (P + R)   (0.0 when P + R = 0)
- per field: counts pooled over cases; micro: counts pooled over all fields and cases;
  macro: the unweighted mean of the ten per-field F1.
- exact-profile rate: the share of cases whose ten fields all have FP = FN = 0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from store.domain import CONTRACT_FIELDS

SET_FIELDS = ("skills_have", "skills_want", "seeking", "offering", "languages")
SCALAR_FIELDS = ("career_stage", "project_mode", "utc_offset", "hours_per_week")
FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "in",
        "on",
        "and",
        "or",
        "with",
        "from",
        "to",
        "at",
        "by",
        "about",
        "into",
        "via",
        "using",
        "based",
        "de",
        "para",
        "por",
        "en",
        "y",
        "e",
    ]
)
TOKEN = re.compile(r"[\w+#]+")


@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


def precision(c: Counts) -> float:
    """P = TP / (TP + FP); with no predictions, 1.0 if nothing was missed else 0.0."""
    if c.tp + c.fp == 0:
        return 1.0 if c.fn == 0 else 0.0
    return c.tp / (c.tp + c.fp)


def recall(c: Counts) -> float:
    """R = TP / (TP + FN); with no gold, 1.0 if nothing spurious was predicted else 0.0."""
    if c.tp + c.fn == 0:
        return 1.0 if c.fp == 0 else 0.0
    return c.tp / (c.tp + c.fn)


def f1(c: Counts) -> float:
    """F1 = 2PR / (P + R), 0.0 when P + R = 0."""
    p, r = precision(c), recall(c)
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def set_counts(pred: Sequence[object], gold: Sequence[object]) -> Counts:
    """TP = |pred ∩ gold|, FP = |pred − gold|, FN = |gold − pred| (as sets)."""
    p, g = set(pred), set(gold)
    return Counts(len(p & g), len(p - g), len(g - p))


def _same(pred: object, gold: object) -> bool:
    if isinstance(pred, int | float) and isinstance(gold, int | float):
        return abs(float(pred) - float(gold)) < 1e-6
    return pred == gold


def scalar_counts(pred: object, gold: object) -> Counts:
    """Equal and set → TP; set but null/other gold → FP; gold set and pred null/other → FN."""
    if pred is not None and gold is not None and _same(pred, gold):
        return Counts(tp=1)
    return Counts(fp=int(pred is not None), fn=int(gold is not None))


def topic_tokens(topic: str) -> frozenset[str]:
    """Content tokens: lower-cased words minus ``FUNCTION_WORDS``, trailing plural 's' dropped."""
    out = set()
    for token in TOKEN.findall(topic.lower()):
        if token in FUNCTION_WORDS:
            continue
        out.add(token[:-1] if len(token) > 3 and token.endswith("s") and not token.endswith("ss") else token)
    return frozenset(out)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """|A ∩ B| / |A ∪ B| (0.0 when both are empty)."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def topics_match(pred: str, gold: str) -> bool:
    """Jaccard ≥ 0.5, or one token set contains the other (both non-empty)."""
    p, g = topic_tokens(pred), topic_tokens(gold)
    if not p or not g:
        return False
    return jaccard(p, g) >= 0.5 or p <= g or g <= p


def topic_counts(pred: Sequence[str], gold: Sequence[str]) -> Counts:
    """One-to-one greedy matching by descending jaccard; TP = pairs, FP/FN = the unmatched."""
    pairs = [
        (-jaccard(topic_tokens(p), topic_tokens(g)), gi, pi)
        for gi, g in enumerate(gold)
        for pi, p in enumerate(pred)
        if topics_match(p, g)
    ]
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for _, gi, pi in sorted(pairs):
        if gi not in used_gold and pi not in used_pred:
            used_gold.add(gi)
            used_pred.add(pi)
    tp = len(used_gold)
    return Counts(tp, len(pred) - tp, len(gold) - tp)


def field_counts(field: str, pred: Mapping[str, object], gold: Mapping[str, object]) -> Counts:
    """Counts of one contract field for one case (missing keys are null / empty)."""
    p, g = pred.get(field), gold.get(field)
    if field in SCALAR_FIELDS:
        return scalar_counts(p, g)
    p_list = list(p) if isinstance(p, list | tuple | set) else []
    g_list = list(g) if isinstance(g, list | tuple | set) else []
    if field == "topics":
        return topic_counts([str(x) for x in p_list], [str(x) for x in g_list])
    return set_counts(p_list, g_list)


def _report(c: Counts) -> dict[str, float]:
    return {"precision": precision(c), "recall": recall(c), "f1": f1(c), "tp": c.tp, "fp": c.fp, "fn": c.fn}


def score(pairs: Sequence[tuple[Mapping[str, object], Mapping[str, object]]]) -> dict[str, Any]:
    """Per-field P/R/F1 and counts, micro and macro F1, exact-profile rate over (pred, gold) pairs."""
    per_field = {field: Counts() for field in CONTRACT_FIELDS}
    exact = 0
    for pred, gold in pairs:
        case = {field: field_counts(field, pred, gold) for field in CONTRACT_FIELDS}
        exact += all(c.fp == 0 and c.fn == 0 for c in case.values())
        for field, counts in case.items():
            per_field[field] = per_field[field] + counts
    total = Counts()
    for counts in per_field.values():
        total = total + counts
    fields = {field: _report(c) for field, c in per_field.items()}
    return {
        "cases": len(pairs),
        "micro": _report(total),
        "macro_f1": sum(f1(c) for c in per_field.values()) / len(per_field),
        "exact_profile_rate": exact / len(pairs) if pairs else 0.0,
        "fields": fields,
    }
