"""Saved runs: run.json contents, run-against-run deltas, and an offline report.html."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evals import runs
from evals.runs import compare_runs, flatten, format_compare, save_run, write_html_report
from store.errors import InputError

METRICS_A = {
    "cases": 2,
    "micro": {"f1": 0.5, "tp": 2},
    "macro_f1": 0.4,
    "fields": {"topics": {"precision": 0.5, "recall": 1.0, "f1": 2 / 3, "tp": 1, "fp": 1, "fn": 0}},
    "extractor": "rules",
}
METRICS_B = {
    "cases": 2,
    "micro": {"f1": 0.75, "tp": 3},
    "macro_f1": 0.4,
    "fields": {"topics": {"precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 1, "fp": 0, "fn": 0}},
    "exact_profile_rate": 0.5,
    "extractor": "hybrid",
}
SETTINGS = {
    "llm_model": None,
    "database_url": "postgresql://mingle:hunter2@db:5432/mingle",
    "api_key": "sk-123",
    "data_dir": Path(".mingle"),
}


def test_save_run_writes_settings_sha_models_prompts_and_metrics(tmp_path: Path) -> None:
    def clock() -> datetime:
        return datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

    run_dir = save_run("intake", METRICS_A, SETTINGS, out_root=tmp_path, clock=clock)
    assert re.fullmatch(r"\d{8}T\d{6}Z-intake", run_dir.name) and run_dir.parent == tmp_path
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert run["kind"] == "intake" and run["metrics"] == METRICS_A
    assert re.fullmatch(r"[0-9a-f]{40}|unknown", run["git_sha"])
    assert run["settings"]["database_url"] == "postgresql://mingle:***@db:5432/mingle"
    assert run["settings"]["api_key"] == "***" and run["settings"]["data_dir"] == ".mingle"
    assert run["model_ids"] == {"llm_model": None}
    assert (
        run["prompt_versions"]["extract_profile"]["newest"]
        == run["prompt_versions"]["extract_profile"]["all"][-1]
    )
    assert run_dir.name == "20260102T030405Z-intake" and run["created_at"] == "2026-01-02T03:04:05+00:00"
    again = save_run("intake", METRICS_A, SETTINGS, out_root=tmp_path, clock=clock)
    third = save_run("intake", METRICS_A, SETTINGS, out_root=tmp_path, clock=clock)
    assert (again.name, third.name) == (f"{run_dir.name}-2", f"{run_dir.name}-3")  # same second


def test_outside_a_git_checkout_the_sha_is_unknown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runs, "CODE_ROOT", tmp_path)
    run = json.loads(
        (save_run("sim", {}, {}, out_root=tmp_path / "r") / "run.json").read_text(encoding="utf-8")
    )
    assert run["git_sha"] == "unknown" and run["git_dirty"] is None


def test_flatten_keeps_numbers_only() -> None:
    assert flatten({"a": 1, "b": {"c": 0.5, "d": True, "e": [1]}, "f": "x"}) == {"a": 1, "b.c": 0.5}


def test_compare_gives_b_minus_a_and_what_changed(tmp_path: Path) -> None:
    a = save_run("intake", METRICS_A, {"llm_model": None}, out_root=tmp_path)
    b = save_run("intake", METRICS_B, {"llm_model": "ollama/qwen"}, out_root=tmp_path)
    comparison = compare_runs(a, b / "run.json")
    rows = comparison["metrics"]
    assert rows["micro.f1"] == {"a": 0.5, "b": 0.75, "delta": pytest.approx(0.75 - 0.5)}
    assert rows["fields.topics.f1"]["delta"] == pytest.approx(1.0 - 2 / 3)
    assert rows["macro_f1"]["delta"] == 0.0
    assert rows["exact_profile_rate"] == {"a": None, "b": 0.5, "delta": None}
    assert "extractor" not in rows
    assert comparison["changed"]["settings"] == {"llm_model": {"a": None, "b": "ollama/qwen"}}
    text = format_compare(comparison)
    assert re.search(r"micro\.f1\s+0\.5000\s+0\.7500\s+\+0\.2500", text)
    assert 'llm_model: null → "ollama/qwen"' in text
    assert "macro_f1" not in format_compare(comparison, only_changed=True)


def test_compare_refuses_a_folder_without_a_run(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no saved run"):
        compare_runs(tmp_path, tmp_path)


def test_report_html_is_self_contained_with_plots(tmp_path: Path) -> None:
    sim = {
        "cases": 3,
        "turns_per_case": [7, 8, 8],
        "turns": {"mean": 23 / 3},
        "slot_coverage": {"topics": 1.0, "practical": 0.5},
        "field_scores": {"fields": METRICS_A["fields"]},
    }
    for kind, metrics in (("intake", METRICS_A), ("interview", sim)):
        path = write_html_report(save_run(kind, metrics, {}, out_root=tmp_path))
        page = path.read_text(encoding="utf-8")
        assert path.name == "report.html" and "plotly" in page.lower()
        assert "Plotly.newPlot" in page
        assert not re.search(r"<script[^>]+src=[\"']?https?:", page, re.IGNORECASE)
    assert "Turns to the card" in page and "Slot coverage" in page
