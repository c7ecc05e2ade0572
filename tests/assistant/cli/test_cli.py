"""The `mingle` command: JSON shapes in-process, and bad input through the real executable."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app, main
from retrieval.embedder import HashingEmbedder
from store.domain import CONTRACT_FIELDS

MINGLE = str(Path(sys.executable).parent / "mingle")


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    """In-process commands on a fresh data dir (real SQLite and embedded Chroma), with the hashing
    embedder in place of the model (the real model's tier is tests/retrieval/test_cli_matching.py)."""
    monkeypatch.setenv("MINGLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr("assistant.services.open_embedder", lambda settings: HashingEmbedder(dim=64))
    return CliRunner()


def _ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture
def seeded(runner: CliRunner) -> CliRunner:
    _ok(runner, "db", "upgrade")
    _ok(runner, "seed")
    return runner


def test_stats_json_has_the_promised_shape(seeded: CliRunner) -> None:
    stats = json.loads(_ok(seeded, "stats", "--json"))
    assert set(stats) == {
        "profiles",
        "rfps",
        "skills_have",
        "skills_want",
        "career_stages",
        "utc_offsets",
        "languages",
    }
    assert stats["profiles"] >= 300 and stats["rfps"] >= 60
    assert set(stats["skills_have"]) == {"read", "code", "idea", "write", "speak", "network"}
    assert stats["utc_offsets"] >= 20 and stats["languages"] >= 12


def test_seed_twice_then_if_empty_does_nothing(seeded: CliRunner) -> None:
    before = json.loads(_ok(seeded, "stats", "--json"))
    _ok(seeded, "seed")
    _ok(seeded, "seed", "--if-empty")
    assert json.loads(_ok(seeded, "stats", "--json")) == before


def test_profiles_json_lists_everyone_with_the_contract_fields(seeded: CliRunner) -> None:
    people = json.loads(_ok(seeded, "profiles", "--json"))
    assert len(people) >= 300
    assert all(list(p) == ["id", "display_name", *CONTRACT_FIELDS] for p in people)
    assert all("contact" not in p for p in people)  # private


def test_seed_leaves_the_index_in_step_so_match_and_search_find_people(seeded: CliRunner) -> None:
    """`mingle db upgrade && mingle seed && mingle match demo-0001 --json`: people, never `[]`."""
    assert json.loads(_ok(seeded, "reindex", "--check", "--json"))["clean"] is True
    assert len(json.loads(_ok(seeded, "match", "demo-0001", "--json"))["people"]) == 10
    assert json.loads(_ok(seeded, "search", "someone who works on speech recognition", "--json"))["people"]


def test_serve_prepare_leaves_the_index_in_step_before_the_app_starts(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[bool] = []
    monkeypatch.setattr("assistant.ui.serve.serve", lambda *_, **__: started.append(True))
    result = runner.invoke(app, ["serve", "--prepare"])
    assert result.exit_code == 0, result.output
    assert "seeded 314 people and 60 RFPs" in result.stderr and "index in step: embedded 688" in result.stderr
    assert started == [True]
    assert json.loads(_ok(runner, "reindex", "--check", "--json"))["clean"] is True


def test_an_index_that_cannot_be_brought_in_step_is_one_clear_line(
    seeded: CliRunner, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The index was built for another model (MINGLE_EMBEDDING_MODEL_PATH changed): match and
    search say so and exit 1, instead of answering from nothing."""
    monkeypatch.setattr("assistant.services.open_embedder", lambda settings: HashingEmbedder(dim=32))
    for args in (["match", "demo-0001", "--json"], ["search", "speech recognition"]):
        monkeypatch.setattr(sys, "argv", ["mingle", *args])
        with pytest.raises(SystemExit) as exit_:
            main()
        assert exit_.value.code == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err == (
            "mingle: error: the index was built with 'hashing-64', not 'hashing-32': "
            "run `mingle reindex --rebuild`\n"
        )


def test_tables_render_for_people(seeded: CliRunner) -> None:
    assert "Mingle community" in _ok(seeded, "stats")
    assert "demo-amara" in _ok(seeded, "profiles")


def _mingle(*args: str, env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MINGLE, *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **kwargs,
    )


def _one_clear_line(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mingle: error: ") and expected in lines[0], lines[0]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://root@localhost/x", "MINGLE_DATABASE_URL must start with sqlite"),
        ("postgresql+psycopg://u@h:notaport/db", "is not a database URL"),
        ("postgresql+psycopg://no_such_role@127.0.0.1:5432/test", "cannot reach the database at"),
        ("postgresql+psycopg://nobody@127.0.0.1:1/none", "cannot reach the database at"),
        ("postgresql+nosuchdriver://a@b/c", "driver that is not installed"),
        ("sqlite:////proc/forbidden/mingle.db", "cannot create the data folder"),
    ],
)
def test_bad_database_urls_give_one_line_and_exit_1(url: str, expected: str) -> None:
    _one_clear_line(_mingle("stats", env={"MINGLE_DATABASE_URL": url}), expected)


def test_an_unmigrated_database_says_what_to_run(tmp_path: Path) -> None:
    _one_clear_line(_mingle("stats", env={"MINGLE_DATA_DIR": str(tmp_path)}), "run `mingle db upgrade`")


def test_a_read_only_data_dir_is_one_clear_line(tmp_path: Path) -> None:
    """A truly read-only file system (root ignores permission bits, so chmod proves nothing):
    a read-only tmpfs mounted in a private mount namespace of the command alone."""
    data = tmp_path / "data"
    data.mkdir()
    if os.geteuid() == 0 and shutil.which("unshare"):
        script = f"mount -t tmpfs -o ro tmpfs {data} && exec {MINGLE} db upgrade"
        result = subprocess.run(
            ["unshare", "-m", "sh", "-c", script],
            check=False,
            env={**os.environ, "MINGLE_DATA_DIR": str(data)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        if "mount:" in result.stderr:
            pytest.skip(f"cannot mount a read-only file system here: {result.stderr.strip()}")
    else:
        data.chmod(0o555)
        result = _mingle("db", "upgrade", env={"MINGLE_DATA_DIR": str(data)})
        data.chmod(0o755)
    _one_clear_line(result, "is not writable")


def test_a_missing_model_package_is_one_clear_line(tmp_path: Path) -> None:
    env = {"MINGLE_DATA_DIR": str(tmp_path), "MINGLE_EMBEDDING_MODEL_PATH": str(tmp_path / "no-model")}
    assert _mingle("db", "upgrade", env=env).returncode == 0
    _one_clear_line(_mingle("serve", "--port", "1", env=env), "holds no sentence-transformers model")


HOSTILE_NAME = "Eve [/] [link=http://evil.example/x]click[/link] [bold red]loud\x1b]52;c;cHduZWQ=\x07"


def test_someones_words_are_printed_as_text_never_as_markup(seeded: CliRunner, tmp_path: Path) -> None:
    """A name or title holding rich markup or terminal control sequences is printed as typed:
    no MarkupError, no hyperlink, no clipboard write (OSC 52) reaches the operator's terminal."""
    from assistant.services import open_store
    from assistant.settings import load_settings
    from store.domain import IntroRequest

    store = open_store(load_settings())
    amara = store.profiles.get("demo-amara")
    hostile = {"id": "p_eve", "display_name": HOSTILE_NAME, "topics": ["quokka [/] diffusion"]}
    eve = amara.model_copy(update={**hostile, "contact": None})
    store.profiles.upsert(type(amara).model_validate(eve.model_dump()))
    store.intros.add(IntroRequest(requester_id="p_eve", target_id="demo-amara"))
    store.dispose()
    for command in (["match", "p_eve"], ["search", "quokka diffusion"], ["intros", "demo-amara"]):
        output = _ok(seeded, *command)
        assert "\x1b" not in output and "\x07" not in output, command
        words = " ".join(output.split())  # as read, lines rewrapped
        if command[0] == "intros":  # a table cell wraps the name over lines: its pieces show
            assert all(piece in output for piece in ("Eve [/]", "[link=http", "[bold", "red]loud")), output
        else:
            assert "Eve [/] [link=http://evil.example/x]click[/link] [bold red]loud" in words, command
