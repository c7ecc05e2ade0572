"""`mingle intros`, `mingle export` and `mingle delete` (assistant/cli/people.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.services import open_store
from assistant.settings import load_settings
from retrieval.embedder import HashingEmbedder
from store.domain import Message, Profile


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("MINGLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr("assistant.services.open_embedder", lambda settings: HashingEmbedder(dim=64))
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return runner


def test_export_and_delete_by_profile_id_reach_every_conversation_of_the_person(runner: CliRunner) -> None:
    store = open_store(load_settings())
    store.profiles.upsert(Profile(id="p_amara", display_name="Amara", contact="amara@example.org"))
    saved = store.transcripts.create("user:amara", "p_amara")
    earlier = store.transcripts.create("user:amara")  # an unfinished chat, linked to no profile
    store.transcripts.append(earlier.id, Message(role="user", content="I study okapis"))
    store.accounts.sign_up("amara", "correct horse battery")
    exported = json.loads(runner.invoke(app, ["export", "p_amara"]).stdout)
    assert {t["id"] for t in exported["transcripts"]} == {saved.id, earlier.id}
    assert exported["profile"]["contact"] == "amara@example.org"
    listed = runner.invoke(app, ["intros", "p_amara", "--json"])
    assert listed.exit_code == 0 and json.loads(listed.stdout) == []
    gone = runner.invoke(app, ["delete", "p_amara", "--yes"])
    assert gone.exit_code == 0 and "deleted Amara (p_amara)" in gone.stderr
    assert store.transcripts.for_owner("user:amara") == [] and store.profiles.find("p_amara") is None
    assert not store.accounts.sign_in("amara", "correct horse battery")
    store.dispose()
