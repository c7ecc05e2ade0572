from __future__ import annotations

from datetime import UTC, datetime

import pytest

from store.domain import (
    RFP,
    DialogueState,
    Feedback,
    IntroRequest,
    IntroStatus,
    LLMCall,
    Message,
    Phase,
    Profile,
)
from store.errors import NotFound, StoreError
from store.repositories import Store


def _person(pid: str, **fields: object) -> Profile:
    return Profile(id=pid, display_name=pid.title(), contact=f"{pid}@example.org", **fields)


def test_a_profile_round_trips_with_sets_evidence_and_aware_timestamps(store: Store) -> None:
    amara = _person(
        "amara",
        career_stage="phd",
        skills_have={"write", "read"},
        skills_want={"code"},
        languages={"en", "ig"},
        utc_offset=1,
        topics=["diffusion models"],
        evidence={"skills_have": ["I write well"]},
    )
    store.profiles.upsert(amara)
    back = store.profiles.get("amara")
    assert back == amara
    assert back.created_at.tzinfo is not None


def test_upsert_updates_in_place(store: Store) -> None:
    store.profiles.upsert(_person("kenji", hours_per_week=3))
    store.profiles.upsert(_person("kenji", hours_per_week=5))
    assert store.profiles.count() == 1
    assert store.profiles.get("kenji").hours_per_week == 5


def test_missing_profile_is_a_clear_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="no profile with id 'ghost'"):
        store.profiles.get("ghost")
    assert store.profiles.find("ghost") is None


def test_deleting_a_profile_removes_what_hangs_off_it(store: Store) -> None:
    store.profiles.add_many([_person("a"), _person("b")])
    store.rfps.upsert(RFP(id="r1", owner_id="a", title="An idea", description="Build it."))
    store.intros.add(IntroRequest(id="i1", requester_id="b", target_id="a"))
    store.feedback.add(Feedback(from_id="a", about_id="b", reason="different topics"))
    transcript = store.transcripts.create("session-1", profile_id="a")
    store.profiles.delete("a")
    assert store.rfps.ids() == set()
    assert store.intros.involving("b") == []
    assert store.feedback.by("a") == []
    assert store.transcripts.get(transcript.id).profile_id is None
    assert store.transcripts.delete_for_profile("a") == 0


def test_messages_are_kept_in_order(store: Store) -> None:
    transcript = store.transcripts.create("session-1")
    for i, role in enumerate(["assistant", "user", "assistant"]):
        assert store.transcripts.append(transcript.id, Message(role=role, content=f"m{i}")) == i
    back = store.transcripts.get(transcript.id)
    assert [m.content for m in back.messages] == ["m0", "m1", "m2"]
    assert store.transcripts.for_owner("session-1") == [transcript.id]


def test_an_assistant_message_keeps_its_dialogue_state(store: Store) -> None:
    transcript = store.transcripts.create("session-1")
    state = DialogueState(
        phase=Phase.confirm, pending="practical", asked={"topics", "practical"}, declined={"career_stage"}
    )
    store.transcripts.append(transcript.id, Message(role="assistant", content="Does it?", state=state))
    store.transcripts.append(transcript.id, Message(role="user", content="yes"))
    said, answered = store.transcripts.get(transcript.id).messages
    assert said.state == state and answered.state is None


def test_append_to_an_unknown_transcript_stores_nothing(store: Store) -> None:
    with pytest.raises(NotFound):
        store.transcripts.append("t_missing", Message(role="user", content="hello"))


def test_intro_requests_move_through_double_opt_in_states(store: Store) -> None:
    store.profiles.add_many([_person("a"), _person("b")])
    store.intros.add(IntroRequest(id="i1", requester_id="a", target_id="b"))
    assert [i.status for i in store.intros.involving("b", status=IntroStatus.pending)] == ["pending"]
    accepted = store.intros.set_status("i1", IntroStatus.accepted)
    assert accepted.status == "accepted" and accepted.decided_at is not None
    assert store.intros.involving("a", status=IntroStatus.pending) == []


def test_not_a_fit_is_remembered_both_ways(store: Store) -> None:
    store.profiles.add_many([_person("a"), _person("b")])
    store.feedback.add(Feedback(from_id="a", about_id="b"))
    assert store.feedback.not_a_fit_pairs() == {("a", "b"), ("b", "a")}


def test_llm_calls_are_logged_newest_first(store: Store) -> None:
    for i in range(3):
        store.llm_calls.add(
            LLMCall(
                prompt_name="extract",
                prompt_version="1",
                model="fake",
                latency_ms=10.0 * i,
                created_at=datetime(2026, 1, 1, i, tzinfo=UTC),
            )
        )
    assert [c.latency_ms for c in store.llm_calls.recent(2)] == [20.0, 10.0]


def test_a_failed_write_leaves_nothing_behind(store: Store) -> None:
    store.profiles.add_many([_person("a")])
    with pytest.raises(StoreError, match="refused"):
        store.profiles.add_many([_person("b"), _person("a")])  # "a" collides
    assert store.profiles.ids() == {"a"}


def test_rfp_dangling_owner_is_refused(store: Store) -> None:
    with pytest.raises(StoreError):
        store.rfps.upsert(RFP(owner_id="nobody", title="An idea", description="Build it."))


def test_a_pending_request_holds_slots_only_while_it_waits(store: Store) -> None:
    from datetime import timedelta

    from store.domain import INTRO_WAIT

    store.profiles.add_many([_person("a"), _person("b"), _person("c")])
    old = datetime.now(UTC) - INTRO_WAIT - timedelta(minutes=1)
    store.intros.add(IntroRequest(requester_id="a", target_id="b", created_at=old))
    store.intros.add(
        IntroRequest(requester_id="c", target_id="b", created_at=old, status=IntroStatus.accepted)
    )
    store.intros.add(IntroRequest(requester_id="a", target_id="c"))
    assert store.intros.open_counts(["a", "b", "c"]) == {"a": 1, "b": 1, "c": 2}
    assert store.intros.requested_since("a", old) == 2
    assert store.intros.requested_since("a", datetime.now(UTC) - timedelta(days=1)) == 1


def test_search_exposures_let_a_viewer_ask_but_rest_nobody(store: Store) -> None:
    store.profiles.add_many([_person("a"), _person("b")])
    store.exposures.record("user:x", ["a"])
    store.exposures.record("user:y", ["a", "b"], kind="search")
    assert store.exposures.counts_since(datetime(2000, 1, 1, tzinfo=UTC)) == {"a": 1}
    assert store.exposures.shown("user:y", "b") and not store.exposures.shown("user:x", "b")
    assert store.exposures.viewers_of("a") == {"user:x", "user:y"}
    assert [s["kind"] for s in store.exposures.shown_to(["user:y"])] == ["search", "search"]
    store.exposures.delete_viewers(["user:y"])
    assert store.exposures.viewers_of("a") == {"user:x"}


def test_message_kinds_are_kept_and_only_commands_and_events_are_scrubbed(store: Store) -> None:
    import re

    transcript = store.transcripts.create("user:k")
    for kind in ("interview", "command", "event"):
        store.transcripts.append(transcript.id, Message(role="assistant", content=f"Amara {kind}", kind=kind))
    assert store.transcripts.scrub([transcript.id], [(re.compile("Amara"), "someone")]) == 2
    assert [(m.content, m.kind) for m in store.transcripts.get(transcript.id).messages] == [
        ("Amara interview", "interview"),
        ("someone command", "command"),
        ("someone event", "event"),
    ]
