"""Intake eval: metric arithmetic on tiny hand-made profiles, and the harness end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.extraction.port import Extraction
from assistant.extraction.rules import RulesExtractor
from evals.intake import load_cases, run_intake_eval
from evals.intake_metrics import (
    Counts,
    f1,
    field_counts,
    precision,
    recall,
    scalar_counts,
    score,
    set_counts,
    topic_counts,
    topic_tokens,
    topics_match,
)
from store.domain import CONTRACT_FIELDS, Message, ProfileFields
from store.errors import InputError


def empty() -> dict[str, object]:
    return ProfileFields().contract()


def test_set_counts_per_element() -> None:
    assert set_counts(["code", "read", "write"], ["code", "speak"]) == Counts(tp=1, fp=2, fn=1)


def test_scalar_counts() -> None:
    assert scalar_counts("phd", "phd") == Counts(tp=1)
    assert scalar_counts("postdoc", "phd") == Counts(fp=1, fn=1)
    assert scalar_counts("phd", None) == Counts(fp=1)
    assert scalar_counts(None, "phd") == Counts(fn=1)
    assert scalar_counts(None, None) == Counts()
    assert scalar_counts(5.5, 5.5) == Counts(tp=1)
    assert scalar_counts(5, 5.0) == Counts(tp=1)


def test_precision_recall_f1_formulas() -> None:
    c = Counts(tp=3, fp=1, fn=2)
    p, r = 3 / (3 + 1), 3 / (3 + 2)
    assert precision(c) == pytest.approx(p)
    assert recall(c) == pytest.approx(r)
    assert f1(c) == pytest.approx(2 * p * r / (p + r))
    assert (precision(Counts()), recall(Counts()), f1(Counts())) == (1.0, 1.0, 1.0)
    assert (precision(Counts(fn=2)), recall(Counts(fn=2)), f1(Counts(fn=2))) == (0.0, 0.0, 0.0)
    assert (precision(Counts(fp=1)), recall(Counts(fp=1))) == (0.0, 0.0)


def test_topic_tokens_and_soft_match() -> None:
    assert topic_tokens("Fairness in credit scoring models") == {"fairness", "credit", "scoring", "model"}
    # jaccard({fairness, credit, scoring, model}, {fairness, credit, scoring}) = 3/4 >= 0.5
    assert topics_match("fairness in credit scoring models", "fairness in credit scoring")
    # containment: {interpretability} is inside the gold phrase
    assert topics_match("interpretability", "mechanistic interpretability of small transformers")
    # jaccard({ml, healthcare}, {ml, education}) = 1/3 and neither contains the other
    assert not topics_match("ML for healthcare", "ML education")
    assert not topics_match("of the", "the of")


def test_topic_counts_one_to_one() -> None:
    pred = ["computer vision", "vision", "object detection", "robotics"]
    gold = ["computer vision", "object detection"]
    # "computer vision" takes the gold exactly (jaccard 1); "vision" finds no free gold left
    assert topic_counts(pred, gold) == Counts(tp=2, fp=2, fn=0)
    assert topic_counts([], gold) == Counts(fn=2)


def test_field_counts_handles_missing_and_null() -> None:
    assert field_counts("languages", {"languages": ["en"]}, {}) == Counts(fp=1)
    assert field_counts("utc_offset", {}, {"utc_offset": 1}) == Counts(fn=1)


def test_score_micro_macro_exact() -> None:
    gold_a = empty() | {"career_stage": "phd", "skills_have": ["code"], "utc_offset": 1}
    pred_a = empty() | {"career_stage": "phd", "skills_have": ["code", "read"], "utc_offset": 1}
    gold_b = empty() | {"hours_per_week": 5, "topics": ["speech synthesis"]}
    pred_b = empty() | {"hours_per_week": 5, "topics": ["Speech synthesis"]}
    metrics = score([(pred_a, gold_a), (pred_b, gold_b)])
    # pooled: career 1 TP; skills_have 1 TP + 1 FP; utc 1 TP; hours 1 TP; topics 1 TP
    tp, fp, fn = 5, 1, 0
    p, r = tp / (tp + fp), tp / (tp + fn)
    assert metrics["micro"]["f1"] == pytest.approx(2 * p * r / (p + r))
    have_p = 1 / 2
    have_f1 = 2 * have_p * 1.0 / (have_p + 1.0)
    # every other field scores 1.0 (right, or empty on both sides)
    assert metrics["macro_f1"] == pytest.approx((9 * 1.0 + have_f1) / 10)
    assert metrics["fields"]["skills_have"]["f1"] == pytest.approx(have_f1)
    assert metrics["exact_profile_rate"] == pytest.approx(1 / 2)
    assert set(metrics["fields"]) == set(CONTRACT_FIELDS)


def _write_cases(path: Path) -> None:
    cases = [
        {
            "id": "x1",
            "turns": [
                {"role": "assistant", "content": "What time zone are you in?"},
                {"role": "user", "content": "Lagos"},
                {"role": "assistant", "content": "How many hours a week could you give?"},
                {"role": "user", "content": "about 5"},
            ],
            "gold": empty() | {"utc_offset": 1, "hours_per_week": 5},
        },
        {
            "id": "x2",
            "turns": [{"role": "user", "content": "I'm a postdoc. I speak French and English. I need GPUs."}],
            "gold": empty()
            | {
                "career_stage": "postdoc",
                "languages": ["en", "fr"],
                "seeking": ["compute"],
                "skills_want": ["write"],
            },
        },
    ]
    path.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")


def test_harness_end_to_end(tmp_path: Path) -> None:
    data = tmp_path / "cases.jsonl"
    _write_cases(data)
    metrics = run_intake_eval(data, tmp_path / "out", RulesExtractor())
    rows = [json.loads(line) for line in (tmp_path / "out" / "predictions.jsonl").read_text().splitlines()]
    assert [r["id"] for r in rows] == ["x1", "x2"]
    assert list(rows[0]["profile"]) == list(CONTRACT_FIELDS)
    assert rows[0]["profile"]["utc_offset"] == 1 and rows[0]["profile"]["hours_per_week"] == 5
    assert rows[1]["profile"]["languages"] == ["en", "fr"]
    # 6 gold values, all found, nothing spurious; "write" (gold only) is the one miss
    tp, fp, fn = 6, 0, 1
    assert metrics["micro"]["tp"] == tp and metrics["micro"]["fp"] == fp and metrics["micro"]["fn"] == fn
    assert metrics["micro"]["recall"] == pytest.approx(tp / (tp + fn))
    assert metrics["exact_profile_rate"] == pytest.approx(1 / 2)
    assert metrics["extractor"] == "rules" and metrics["cases"] == 2
    saved = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert saved["micro"] == metrics["micro"]


class _Recorder:
    def __init__(self) -> None:
        self.seen: list[list[Message]] = []

    def extract(self, turns: list[Message]) -> Extraction:
        self.seen.append(turns)
        return Extraction(source="llm")


def test_harness_replays_turns_in_order(tmp_path: Path) -> None:
    data = tmp_path / "cases.jsonl"
    _write_cases(data)
    recorder = _Recorder()
    run_intake_eval(data, tmp_path / "out", recorder)
    assert [t.content for t in recorder.seen[0]][1] == "Lagos"
    assert [t.role for t in recorder.seen[1]] == ["user"]


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(InputError, match=r"nope\.jsonl"):
        load_cases(missing)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "line 2 is not valid JSON"),
        ('{"turns": []}', "line 2: each case needs a string 'id'"),
        ('{"id": "x", "turns": [{"role": "robot", "content": "hi"}]}', "line 2: 'turns'"),
        ('{"id": "x", "turns": [], "gold": {"height": 180}}', "line 2: 'gold'"),
    ],
)
def test_malformed_line_is_an_input_error_naming_file_and_line(
    tmp_path: Path, line: str, message: str
) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text('{"id": "ok", "turns": []}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.jsonl") as error:
        run_intake_eval(data, tmp_path / "out", RulesExtractor())
    assert message in str(error.value)


def test_per_style_scores_and_the_style_gap_over_pairs() -> None:
    from evals.intake import by_style

    gold: dict[str, object] = {"career_stage": "phd", "skills_have": ["code"]}
    right: dict[str, object] = {"career_stage": "phd", "skills_have": ["code"]}
    half: dict[str, object] = {"career_stage": "phd", "skills_have": []}
    cases = [
        {"style": "fluent", "pair": "p1"},
        {"style": "pidgin", "pair": "p1"},
        {"style": "pidgin"},  # unpaired: in its style's score, not in the gap
    ]
    out = by_style(cases, [(right, gold), (half, gold), (right, gold)])
    assert out["per_style"]["fluent"] == 1.0
    assert out["per_style"]["pidgin"] == pytest.approx(f1_of(tp=3, fp=0, fn=1))
    assert out["style_gap"]["gap"] == pytest.approx(1.0 - f1_of(tp=1, fp=0, fn=1))
    assert by_style([{}], [(right, gold)]) == {}


def f1_of(tp: int, fp: int, fn: int) -> float:
    p, r = tp / (tp + fp), tp / (tp + fn)
    return 2 * p * r / (p + r)
