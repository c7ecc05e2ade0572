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
    for command in (["db", "upgrade"], ["seed"]):  # seed leaves the index in step: no reindex needed
        subprocess.run([MINGLE, *command], env=environment, check=True, capture_output=True, timeout=600)
    return environment


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MINGLE, *args], env=env, capture_output=True, text=True, timeout=300, check=False)


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


def test_intros_export_and_delete_leave_no_trace(env: dict[str, str]) -> None:
    from store.db import make_engine
    from store.domain import IntroRequest
    from store.repositories import Store

    store = Store(make_engine(f"sqlite:///{env['MINGLE_DATA_DIR']}/mingle.db"))
    intro = store.intros.add(IntroRequest(requester_id="demo-amara", target_id="demo-kenji"))
    listed = json.loads(run(env, "intros", "demo-kenji", "--json").stdout)
    assert listed[0]["status"] == "pending" and listed[0]["contact"] is None
    accepted = json.loads(run(env, "intros", "demo-kenji", "--accept", intro.id, "--json").stdout)
    assert accepted[0]["contact"] == "amara.nwosu@example.org"
    exported = json.loads(run(env, "export", "demo-amara").stdout)
    assert exported["profile"]["contact"] == "amara.nwosu@example.org"
    assert exported["introductions"][0]["with"] == "Kenji Watanabe"
    assert "kenji.w@example.org" not in json.dumps(exported)  # nobody else's private fields
    gone = run(env, "delete", "demo-amara", "--yes")
    assert gone.returncode == 0, gone.stderr
    assert store.profiles.find("demo-amara") is None and store.intros.involving("demo-kenji") == []
    check = run(env, "reindex", "--check", "--json")
    assert check.returncode == 0 and json.loads(check.stdout)["clean"] is True  # no orphan vectors
    store.dispose()
