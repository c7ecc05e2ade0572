"""The matching service over a real SQLite store, with the hashing embedder and the exact
in-memory index (the Chroma tiers are in test_chroma.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval.embedder import HashingEmbedder
from retrieval.index import MemoryIndex
from retrieval.scoring import complementary
from retrieval.service import MatchService
from store.demo import Community, demo_community
from store.domain import Feedback, IntroRequest, Profile
from store.errors import IndexUnavailable, InputError


def changed(profile: Profile, **fields: object) -> Profile:
    """A validated copy (model_copy(update=...) would skip validation)."""
    return type(profile).model_validate({**profile.model_dump(), **fields})


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__(dim=128)
        self.calls = 0
        self.texts = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        return super().embed(texts)


@pytest.fixture(scope="module")
def community() -> Community:
    return demo_community()


@pytest.fixture
def service(tmp_path: Path, community: Community) -> Iterator[MatchService]:
    from evals.match_quality import demo_service

    svc = demo_service(CountingEmbedder(), tmp_path, community)
    yield svc
    svc.store.dispose()


def test_reindex_embeds_only_what_changed(service: MatchService) -> None:
    embedder = service.embedder
    assert isinstance(embedder, CountingEmbedder)
    before = embedder.texts
    report = service.reindex()
    assert sum(report.embedded.values()) == 0 and embedder.texts == before
    amara = service.store.profiles.get("demo-amara")
    service.store.profiles.upsert(changed(amara, topics=["speech recognition"]))
    service.store.profiles.upsert(changed(amara, topics=["speech recognition"], bio="new bio"))
    report = service.reindex()
    assert report.embedded == {"offer": 1, "seek": 1, "rfp": 0}  # the bio is never embedded
    assert embedder.texts == before + 2


def test_check_reports_missing_stale_and_orphan_entries(service: MatchService) -> None:
    assert service.check().clean
    amara = service.store.profiles.get("demo-amara")
    service.store.profiles.upsert(changed(amara, skills_want={"speak"}))  # stale
    service.index.delete("offer", ["demo-kenji"])  # missing
    service.index.upsert("rfp", ["ghost"], service.embedder.embed(["x"]), ["h"])  # orphan
    drift = service.check()
    assert not drift.clean
    assert drift.stale["seek"] == ["demo-amara"] and drift.missing["offer"] == ["demo-kenji"]
    assert drift.orphan["rfp"] == ["ghost"]
    service.reindex()
    assert service.check().clean


def test_every_demo_person_gets_ten_feasible_complementary_people(service: MatchService) -> None:
    for person in service.store.profiles.list():
        result = service.match(person, k=10)
        assert len(result.people) == 10, person.id
        assert all(complementary(person, m.profile) for m in result.people)
        assert all(m.explanation for m in result.people)


def test_not_a_fit_and_intros_are_respected_both_ways(service: MatchService) -> None:
    first = service.match("demo-amara").people
    top, second = first[0].profile.id, first[1].profile.id
    service.store.feedback.add(Feedback(from_id=top, about_id="demo-amara", reason="different topics"))
    service.store.intros.add(IntroRequest(requester_id="demo-amara", target_id=second))
    again = [m.profile.id for m in service.match("demo-amara").people]
    assert top not in again and second not in again


def test_viewing_records_exposure_and_spreads_attention(service: MatchService) -> None:
    first = service.match("demo-minh", viewer="session-1").people
    counts = service.store.exposures.counts_since(first[0].profile.created_at.replace(year=2000))
    assert set(counts) == {m.profile.id for m in first}
    for i in range(10):
        service.match("demo-minh", viewer=f"session-{i + 2}")
    later = service.match("demo-minh").people
    assert [m.profile.id for m in later] != [m.profile.id for m in first]


def test_a_draft_profile_can_be_matched_before_it_is_saved(service: MatchService) -> None:
    draft = service.store.profiles.get("demo-amara").model_copy(update={"id": "draft-1"})
    result = service.match(draft, k=5)
    assert len(result.people) == 5 and "demo-amara" in {m.profile.id for m in result.people} | {"demo-amara"}


def test_search_applies_filters_and_explains(service: MatchService) -> None:
    query, hits = service.search("someone strong at writing who wants to learn to code, UTC+1 to +3")
    assert query.skills_have == {"write"} and query.skills_want == {"code"}
    assert hits
    for hit in hits:
        assert "write" in hit.profile.skills_have and "code" in hit.profile.skills_want
        assert hit.profile.utc_offset is not None and 1 <= hit.profile.utc_offset <= 3
        assert "is strong at writing and wants to grow coding" in hit.explanation


def test_search_by_topic_ranks_people_who_work_on_it_first(service: MatchService) -> None:
    _, hits = service.search("speech recognition", k=5)
    assert all(any("speech" in t for t in h.profile.topics) for h in hits[:3])


def test_an_empty_search_is_a_clear_input_error(service: MatchService) -> None:
    with pytest.raises(InputError, match="tell me who you are looking for"):
        service.search("   ")


NAMES = st.sampled_from(["John Wick", "Nguyễn Thị Lan", "Oluwaseun Adebayo-Okonkwo", "Li", "X Æ A-12"])
BIOS = st.sampled_from(
    [
        "I'm a PhD student at MIT. He/him.",
        "Honestly I'm not confident about anything, sorry. She/her, from a tiny village in Peru.",
        "I am the best researcher alive and will win a Turing award. They/them, Stanford.",
        "",
    ]
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_names_schools_countries_pronouns_and_tone_never_change_a_ranking(
    service: MatchService, data: st.DataObject
) -> None:
    who = data.draw(st.sampled_from(["demo-amara", "demo-minh", "demo-priya", "demo-0042"]))
    before = service.match(who, k=20)
    everyone = service.store.profiles.list()
    # the people in the ranking, the newcomer, and a sample of everyone else get new identities
    affected = {m.profile.id for m in before.people} | {who} | {p.id for p in everyone[::15]}
    for person in (p for p in everyone if p.id in affected):
        service.store.profiles.upsert(
            changed(person, display_name=data.draw(NAMES), bio=data.draw(BIOS), contact=None)
        )
    after = service.match(who, k=20)
    assert [m.profile.id for m in after.people] == [m.profile.id for m in before.people]
    assert [m.score for m in after.people] == [m.score for m in before.people]
    assert [m.rfp.id for m in after.rfps] == [m.rfp.id for m in before.rfps]


# --- the index is in step before anyone is answered ------------------------------------------
def _fresh(service: MatchService) -> MatchService:
    """Another process on the same store (say, the app right after `mingle seed`): its index
    never synced, and no background job has run yet."""
    embedder = CountingEmbedder()
    return MatchService(service.store, embedder, MemoryIndex(embedder.model_id, embedder.dim))


def test_a_store_with_people_and_an_empty_index_still_matches_and_searches(service: MatchService) -> None:
    fresh = _fresh(service)
    assert len(fresh.match("demo-amara").people) == 10
    assert fresh.check().clean  # brought in step, not worked around
    _, hits = _fresh(service).search("someone strong at coding who works on speech recognition")
    assert hits


def test_a_stale_index_is_brought_in_step_embedding_only_what_changed(service: MatchService) -> None:
    embedder = service.embedder
    assert isinstance(embedder, CountingEmbedder)
    amara = service.store.profiles.get("demo-amara")
    newcomer = changed(amara, id="newcomer-1", display_name="Newcomer")
    service.store.profiles.add_many([newcomer])  # another writer, which did not index
    service.store.profiles.upsert(changed(amara, topics=["speech recognition"]))
    assert not service.check().clean
    before = embedder.texts
    assert len(service.match("demo-minh").people) == 10
    assert service.check().clean and embedder.texts == before + 4  # two people, two texts each
    assert "newcomer-1" in {i for space in ("offer", "seek") for i in service.index.hashes(space)}


def test_an_index_emptied_behind_the_services_back_is_refilled(service: MatchService) -> None:
    service.index.reset()  # a Chroma server restarted without its volume
    assert len(service.match("demo-amara").people) == 10
    service.index.reset()
    assert service.search("someone strong at coding who works on speech recognition")[1]
    assert service.check().clean


def test_the_check_before_each_match_reads_no_index_when_nothing_changed(
    service: MatchService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In step: one aggregate query, no scan of the index. A save the chat indexed itself keeps it
    so; a write nobody indexed costs one full check, once."""
    scans: list[str] = []
    hashes = service.index.hashes

    def counted(space: str) -> dict[str, str]:
        scans.append(space)
        return hashes(space)

    monkeypatch.setattr(service.index, "hashes", counted)
    for who in ("demo-amara", "demo-minh", "demo-priya"):
        service.match(who)
    service.search("speech recognition")
    assert scans == []
    saved = changed(service.store.profiles.get("demo-amara"), topics=["speech recognition"])
    service.store.profiles.upsert(saved)
    service.index_profile(saved)  # what the chat does on save
    own_sync = ["offer", "seek", "rfp"]  # index_profile's one-person sync reads each space's hashes
    assert scans == own_sync
    service.match("demo-amara")
    assert scans == own_sync  # and the match after it, nothing
    service.store.profiles.upsert(changed(saved, topics=["robotics"]))  # not indexed by its writer
    service.match("demo-amara")
    service.match("demo-minh")
    assert scans == [*own_sync, "offer", "seek", "rfp"]  # one full check, once


def test_an_answer_waits_for_a_sync_already_under_way(service: MatchService) -> None:
    """The app's background warm-up is syncing a fresh index when the first newcomer asks."""
    import threading

    started, release = threading.Event(), threading.Event()

    class Slow(CountingEmbedder):
        def embed(self, texts: Sequence[str]) -> np.ndarray:
            started.set()
            release.wait(10)
            return super().embed(texts)

    embedder = Slow()
    fresh = MatchService(service.store, embedder, MemoryIndex(embedder.model_id, embedder.dim))
    warm_up = threading.Thread(target=fresh.reindex)
    warm_up.start()
    assert started.wait(10)
    answers: list[int] = []
    asking = threading.Thread(target=lambda: answers.append(len(fresh.match("demo-amara").people)))
    asking.start()
    asking.join(0.3)
    assert asking.is_alive()  # waiting for the sync, not answering from a half-built index
    release.set()
    warm_up.join(10)
    asking.join(10)
    assert answers == [10] and fresh.check().clean


def test_an_index_that_cannot_be_brought_in_step_raises_instead_of_answering_empty(
    service: MatchService,
) -> None:
    embedder = CountingEmbedder()
    index = MemoryIndex(embedder.model_id, embedder.dim)

    def unreachable(*_: object) -> None:
        raise IndexUnavailable("cannot reach the Chroma server at http://127.0.0.1:1")

    index.hashes = unreachable  # type: ignore[method-assign,assignment]  # a server gone away
    index.upsert = unreachable  # type: ignore[method-assign,assignment]  # a server gone away
    fresh = MatchService(service.store, embedder, index)
    with pytest.raises(IndexUnavailable, match="cannot reach the Chroma server"):
        fresh.match("demo-amara")
    with pytest.raises(IndexUnavailable, match="cannot reach the Chroma server"):
        fresh.search("speech recognition")
