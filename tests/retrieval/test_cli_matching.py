"""`mingle reindex`, `match` and `search` end to end: real model, embedded Chroma, seeded SQLite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

MINGLE = str(Path(sys.executable).parent / "mingle")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("cli-matching")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MINGLE_")}
    environment["MINGLE_DATA_DIR"] = str(data)
    for command in (["db", "upgrade"], ["seed"], ["reindex"]):
        subprocess.run([MINGLE, *command], env=environment, check=True, capture_output=True, timeout=600)
    return environment


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MINGLE, *args], env=env, capture_output=True, text=True, timeout=300)


def test_reindex_check_is_clean_then_reports_drift(env: dict[str, str]) -> None:
    clean = run(env, "reindex", "--check", "--json")
    assert clean.returncode == 0, clean.stderr
    assert json.loads(clean.stdout)["clean"] is True
    again = run(env, "reindex", "--json")
    assert sum(json.loads(again.stdout)["embedded"].values()) == 0  # nothing changed, nothing embedded


def test_match_json_shape_and_quality(env: dict[str, str]) -> None:
    result = run(env, "match", "demo-amara", "--k", "10", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"profile_id", "people", "rfps"} and data["profile_id"] == "demo-amara"
    assert len(data["people"]) == 10
    for person in data["people"]:
        assert set(person) == {"profile_id", "display_name", "score", "reasons", "explanation"}
        assert any(r["kind"] == "grow" or r["kind"] in ("help", "mentor") for r in person["reasons"])
    scores = [p["score"] for p in data["people"]]
    assert scores == sorted(scores, reverse=True)
    assert data["rfps"] and set(data["rfps"][0]) == {"rfp_id", "title", "score", "reasons", "explanation"}


def test_search_json(env: dict[str, str]) -> None:
    result = run(env, "search", "someone strong at coding who works on speech recognition", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["filters"]["skills_have"] == ["code"]
    assert data["people"] and all("is strong at coding" in p["explanation"] for p in data["people"])


def test_unknown_profile_is_one_clear_line(env: dict[str, str]) -> None:
    result = run(env, "match", "nobody")
    assert result.returncode == 1 and result.stderr.strip() == "mingle: error: no profile with id 'nobody'"
