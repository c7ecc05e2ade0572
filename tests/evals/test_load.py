"""The load program: its bookkeeping on tiny hand-made data, then real runs against `mingle serve`."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from assistant.settings import load_settings
from evals.load import Newcomer, compare_with_store, run_load, user_step
from store.errors import InputError
from tests.assistant.ui.test_serve import INTAKE, running_app


def test_a_sent_message_missing_from_the_store_is_lost() -> None:
    who = Newcomer(sent=["hi", "yes", "yes"], received=["Welcome to Mingle. What do you work on?"])
    stored = [("assistant", "Welcome to Mingle. What do you work on?"), ("user", "hi"), ("user", "yes")]
    # sent {hi: 1, yes: 2} − stored {hi: 1, yes: 1} = one "yes" lost; the one reply was delivered
    assert compare_with_store(who, stored) == (1, 0)


def test_a_stored_reply_counts_as_delivered_when_the_rendered_one_starts_with_it() -> None:
    who = Newcomer(sent=["done"], received=["Does this look right?\n\n| field | value |"])
    stored = [("user", "done"), ("assistant", "Does this look right?"), ("assistant", "Saved.")]
    # the card's markdown follows the stored text; "Saved." never reached the client
    assert compare_with_store(who, stored) == (0, 1)


def test_the_user_step_is_the_one_the_browser_sends() -> None:
    step = user_step("hello", "http://127.0.0.1:8000")
    assert uuid.UUID(step["id"]).version == 4  # Chainlit asserts this
    assert (step["type"], step["output"], step["threadId"]) == ("user_message", "hello", "")
    assert step["createdAt"].endswith("Z")


def test_only_loopback_is_loaded() -> None:
    with pytest.raises(InputError, match="only talks to this machine"):
        asyncio.run(run_load("http://example.org:8000", 1, INTAKE))


def _load(data: Path, newcomers: int, **settings: str) -> dict[str, object]:
    with running_app(data, **settings) as url:
        store = load_settings(data_dir=data / "data", **settings)
        result = asyncio.run(run_load(url, newcomers, INTAKE, timeout=60, settings=store))
    print(f"\n{result}")
    return result


def _assert_clean(result: dict[str, object], newcomers: int) -> None:
    assert result["errors"] == 0, result["error_kinds"]
    assert result["completed"] == newcomers
    assert result["lost_messages"] == 0
    assert result["undelivered_replies"] == 0
    assert result["messages_sent"] == newcomers * (len(INTAKE) + 1)  # eight answers and the "yes"


@pytest.mark.slow
def test_five_newcomers_at_once_on_sqlite(tmp_path: Path) -> None:
    _assert_clean(_load(tmp_path, 5), 5)


@pytest.mark.slow
@pytest.mark.postgres
def test_five_newcomers_at_once_on_postgres(tmp_path: Path, postgres_url: str) -> None:
    _assert_clean(_load(tmp_path, 5, database_url=postgres_url), 5)
