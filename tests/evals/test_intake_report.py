"""report.md: the metrics table, then the worst cases by per-case F1 with field-by-field diffs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.intake_metrics import score
from evals.intake_report import case_f1, field_diff, load_predictions, write_intake_report
from store.domain import ProfileFields


def profile(**values: object) -> dict[str, object]:
    return {**ProfileFields().contract(), **values}


GOLD_A = profile(
    career_stage="phd", skills_have=["code", "read"], topics=["speech recognition for Yoruba"], utc_offset=1
)
PRED_A = profile(
    career_stage="phd", skills_have=["code", "read"], topics=["speech recognition"], utc_offset=1
)
GOLD_B = profile(career_stage="postdoc", skills_want=["write"], languages=["en", "fr"], hours_per_week=5)
PRED_B = profile(career_stage="faculty", skills_want=["speak", "write"], languages=["en"])
CASES = [{"id": "a", "gold": GOLD_A}, {"id": "b", "gold": GOLD_B}]
PREDICTIONS = [{"id": "a", "profile": PRED_A}, {"id": "b", "profile": PRED_B}]


def test_case_f1_pools_the_ten_fields() -> None:
    # b: stage FP+FN, skills_want TP 1 FP 1, languages TP 1 FN 1, hours FN 1 → TP 2, FP 2, FN 3
    p, r = 2 / 4, 2 / 5
    assert case_f1(PRED_B, GOLD_B) == pytest.approx(2 * p * r / (p + r))
    assert case_f1(PRED_A, GOLD_A) == 1.0  # "speech recognition" ⊆ gold topic: a soft match


def test_field_diff_lists_missing_and_extra() -> None:
    assert field_diff("career_stage", PRED_B, GOLD_B) == {
        "gold": ["postdoc"],
        "predicted": ["faculty"],
        "missing": ["postdoc"],
        "extra": ["faculty"],
    }
    wants, languages = field_diff("skills_want", PRED_B, GOLD_B), field_diff("languages", PRED_B, GOLD_B)
    assert wants is not None and wants["extra"] == ["speak"]
    assert languages is not None and languages["missing"] == ["fr"]
    assert field_diff("topics", PRED_A, GOLD_A) is None
    wrong_topic = profile(topics=["speech recognition", "graph neural networks"])
    assert field_diff("topics", wrong_topic, GOLD_A) == {
        "gold": ["speech recognition for Yoruba"],
        "predicted": ["speech recognition", "graph neural networks"],
        "missing": [],
        "extra": ["graph neural networks"],
    }


def test_report_has_the_metrics_table_then_the_worst_case_first(tmp_path: Path) -> None:
    metrics = score([(PRED_A, GOLD_A), (PRED_B, GOLD_B)])
    metrics.update(data_file="tiny.jsonl", extractor="rules")
    path = write_intake_report(CASES, PREDICTIONS, metrics, tmp_path / "out", worst=1)
    text = path.read_text(encoding="utf-8")
    assert path == tmp_path / "out" / "report.md"
    assert "| field | P | R | F1 | TP | FP | FN |" in text
    assert f"| **micro** | {metrics['micro']['precision']:.3f} |" in text
    assert "exact-profile rate: **0.500** over 2 cases" in text
    assert "scored softly" in text
    assert "## Worst 1 of 1 cases with errors, by per-case F1" in text and "### b: F1 0.444" in text
    assert "### a:" not in text
    assert "| career_stage | postdoc | faculty | postdoc | faculty |" in text
    assert "| hours_per_week | 5 | – | 5 | – |" in text
    assert "| languages | en, fr | en | fr | – |" in text


def test_predictions_file_or_mapping_give_the_same_report(tmp_path: Path) -> None:
    file = tmp_path / "predictions.jsonl"
    file.write_text("".join(json.dumps(row) + "\n" for row in PREDICTIONS), encoding="utf-8")
    metrics = score([(PRED_A, GOLD_A), (PRED_B, GOLD_B)])
    one = write_intake_report(CASES, PREDICTIONS, metrics, tmp_path / "one").read_text(encoding="utf-8")
    two = write_intake_report(CASES, load_predictions(file), metrics, tmp_path / "two").read_text(
        encoding="utf-8"
    )
    assert one == two and "### b: F1 0.444" in one and "### a:" not in one  # a is right: not listed
    perfect = write_intake_report(CASES[:1], PREDICTIONS[:1], metrics, tmp_path / "three").read_text(
        encoding="utf-8"
    )
    assert "Every case matches its gold." in perfect
