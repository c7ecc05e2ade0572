"""`mingle accounts add NAME`: the sign-up page's rules, for operators."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.services import open_store
from assistant.settings import load_settings
from store.errors import InputError


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CliRunner:
    monkeypatch.setenv("MINGLE_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return runner


def test_an_operator_adds_a_password_account(runner: CliRunner) -> None:
    result = runner.invoke(app, ["accounts", "add", "amara"], input="correct horse battery\n" * 2)
    assert result.exit_code == 0, result.output
    assert "correct horse battery" not in result.output  # never echoed
    assert "account 'amara' created" in result.output
    store = open_store(load_settings())
    assert store.accounts.sign_in("amara", "correct horse battery")
    store.dispose()


@pytest.mark.parametrize(
    ("name", "password", "expected"),
    [
        ("github:victim", "any long password", "cannot contain ':'"),
        ("amara", "short", "at least 8 characters"),
    ],
)
def test_the_same_rules_as_the_sign_up_page(
    runner: CliRunner, name: str, password: str, expected: str
) -> None:
    result = runner.invoke(app, ["accounts", "add", name], input=f"{password}\n" * 2)
    assert isinstance(result.exception, InputError)  # main() prints it as one `mingle: error:` line
    assert expected in str(result.exception)
    store = open_store(load_settings())
    assert store.accounts.provider(name) is None
    store.dispose()
