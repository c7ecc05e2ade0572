"""The chat never answers from an index that is not in step: right after `mingle serve --prepare`
the app's background sync may not have run when the first newcomer confirms their card."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assistant.conversation.intake import IntakeService
from assistant.conversation.replies import Matches, SearchResults
from assistant.services import build_services
from assistant.settings import load_settings
from retrieval.embedder import HashingEmbedder
from retrieval.index import MemoryIndex
from store.db import make_engine, upgrade
from store.demo import seed
from store.errors import IndexUnavailable
from store.repositories import Store
from tests.assistant.conversation.test_intake import ANSWERS
from tests.assistant.fakes import KeywordExtractor


@pytest.fixture
def unsynced(sqlite_url: str) -> Iterator[IntakeService]:
    """314 people in the store, and an index no sync has filled yet."""
    engine = make_engine(sqlite_url)
    upgrade(engine)
    store = Store(engine)
    seed(store)
    embedder = HashingEmbedder(dim=128)
    index = MemoryIndex(embedder.model_id, embedder.dim)
    yield build_services(
        load_settings(), store=store, embedder=embedder, index=index, extractor=KeywordExtractor()
    ).intake
    store.dispose()


def test_a_newcomer_who_confirms_before_the_background_sync_still_gets_people(
    unsynced: IntakeService,
) -> None:
    conversation = unsynced.start("session-a", "Welcome! What do you work on?")
    for answer in ANSWERS:
        unsynced.handle(conversation, answer)
    saved = unsynced.handle(conversation, "yes")
    assert isinstance(saved, Matches) and saved.text.startswith("Saved. Here are people")
    assert len(saved.matches.people) == 5
    assert unsynced.matching.check().clean
    found = unsynced.handle(conversation, "/search someone who works on speech recognition")
    assert isinstance(found, SearchResults) and found.hits


def test_an_index_that_cannot_be_brought_in_step_is_a_plain_sentence(
    unsynced: IntakeService, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = unsynced.start("session-a", "Welcome! What do you work on?")
    for answer in ANSWERS:
        unsynced.handle(conversation, answer)

    def unreachable(*_: object) -> None:
        raise IndexUnavailable("cannot reach the Chroma server at http://127.0.0.1:1")

    monkeypatch.setattr(unsynced.matching.index, "hashes", unreachable)
    saved = unsynced.handle(conversation, "yes")
    assert (
        saved.text == "Saved. I can't reach the suggestion index right now; try /matches in a little while."
    )
    assert unsynced.store.profiles.find(conversation.profile_id or "") is not None  # nothing lost
    # /matches and /search raise it; the app and the terminal say "I could not do that: <it>"
    for command in ("/matches", "/search someone who works on speech recognition"):
        with pytest.raises(IndexUnavailable, match="cannot reach the Chroma server"):
            unsynced.handle(conversation, command)
