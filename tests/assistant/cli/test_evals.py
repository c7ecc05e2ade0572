"""`mingle eval …` keeps its runs in the data dir (or under --runs), never in the working directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app

DEV = Path(__file__).resolve().parents[3] / "evals" / "data" / "intake_dev.jsonl"


@pytest.fixture
def one_case(tmp_path: Path) -> Path:
    path = tmp_path / "one.jsonl"
    path.write_text(DEV.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    return path


def _runs(root: Path) -> list[Path]:
    return sorted(root.glob("*-intake/run.json"))


def test_an_eval_run_is_kept_in_the_data_dir(
    one_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINGLE_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(
        app, ["eval", "intake", "--data", str(one_case), "--out", str(tmp_path / "out"), "--json"]
    )
    assert result.exit_code == 0, result.output
    [run] = _runs(tmp_path / "data" / "eval-runs")
    assert json.loads(run.read_text(encoding="utf-8"))["kind"] == "intake"
    assert (run.parent / "report.html").exists()
    assert not Path("evals").exists()  # the working directory (conftest: tmp_path) gets nothing


def test_runs_says_where_else_to_keep_it(
    one_case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINGLE_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "intake",
            "--data",
            str(one_case),
            "--out",
            str(tmp_path / "out"),
            "--runs",
            str(tmp_path / "r"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(_runs(tmp_path / "r")) == 1
    assert _runs(tmp_path / "data" / "eval-runs") == []
