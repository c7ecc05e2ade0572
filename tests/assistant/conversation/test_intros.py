"""Double opt-in: contacts only after both say yes, declines never revealed, capacity and pauses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.conversation.intros import (
    REQUESTS_PER_DAY,
    UNKNOWN_PERSON,
    WAIT,
    IntroSeen,
    IntroService,
)
from store.domain import IntroRequest, Profile
from store.errors import InputError, NotFound
from store.repositories import Store


def person(store: Store, pid: str, **fields: object) -> Profile:
    return store.profiles.upsert(
        Profile(id=pid, display_name=pid.title(), contact=f"{pid}@example.org", **fields)
    )


def shown(store: Store, viewer: str, *ids: str) -> None:
    """``ids`` appeared in ``viewer``'s suggestions (only people shown can be asked)."""
    store.exposures.record(viewer, ids)


@pytest.fixture
def people(store: Store) -> dict[str, Profile]:
    found = {
        "amara": person(store, "amara", intro_capacity=2),
        "kenji": person(store, "kenji", intro_capacity=1),
        "olena": person(store, "olena"),
        "paused": person(store, "paused", paused=True),
        "hidden": person(store, "hidden", visibility="hidden"),
    }
    for viewer in found:
        shown(store, viewer, *found)
    return found


def test_contacts_flow_only_after_both_say_yes(store: Store, people: dict[str, Profile]) -> None:
    intros = IntroService(store)
    note = "I'd love to learn interpretability"
    intro = intros.request(people["amara"], "kenji", note=note, viewer="amara")
    [asked] = intros.for_person("kenji")
    assert (asked.direction, asked.status, asked.contact, asked.note) == (
        "incoming",
        "pending",
        None,
        intro.note,
    )
    assert intros.for_person("amara")[0].status == "waiting" and intros.for_person("amara")[0].contact is None
    intros.accept(intro.id, "kenji")
    assert intros.for_person("amara")[0].contact == "kenji@example.org"
    assert intros.for_person("kenji")[0].contact == "amara@example.org"


def test_a_decline_is_never_revealed_as_such(store: Store, people: dict[str, Profile]) -> None:
    now = datetime.now(UTC)
    intro = IntroService(store).request(people["amara"], "olena", viewer="amara")
    IntroService(store).decline(intro.id, "olena")
    assert IntroService(store).for_person("amara")[0].status == "waiting"  # not "declined"
    later = IntroService(store, clock=lambda: now + WAIT + timedelta(days=1))
    assert later.for_person("amara")[0].status == "closed"  # as for a request nobody answered
    assert later.for_person("olena")[0].status == "declined"  # the person who said no knows
    assert later.for_person("amara")[0].contact is None


def test_the_data_export_shows_an_intro_as_the_intro_list_does(
    store: Store, people: dict[str, Profile]
) -> None:
    from assistant.conversation.privacy import export_person

    intros = IntroService(store)
    intros.decline(intros.request(people["amara"], "olena", viewer="amara").id, "olena")
    [exported] = export_person(store, "amara")["introductions"]
    assert exported["status"] == intros.for_person("amara")[0].status == IntroSeen.waiting
    assert export_person(store, "olena")["introductions"][0]["status"] == IntroSeen.declined


def test_only_the_person_asked_answers_and_only_once(store: Store, people: dict[str, Profile]) -> None:
    intros = IntroService(store)
    intro = intros.request(people["amara"], "kenji", viewer="amara")
    with pytest.raises(InputError, match="only the person you asked"):
        intros.accept(intro.id, "amara")
    with pytest.raises(NotFound):
        intros.accept(intro.id, "olena")  # someone else's intro does not exist for her
    intros.decline(intro.id, "kenji")
    with pytest.raises(InputError, match="already answered"):
        intros.accept(intro.id, "kenji")


def test_capacity_pause_hide_self_and_duplicates(store: Store, people: dict[str, Profile]) -> None:
    intros = IntroService(store)
    intros.request(people["olena"], "kenji", viewer="olena")  # kenji's one slot is now taken
    with pytest.raises(InputError, match="no room"):
        intros.request(people["amara"], "kenji", viewer="amara")
    for target in ("paused", "hidden", "nobody"):  # the same plain answer, never a name
        with pytest.raises(NotFound, match=f"^{UNKNOWN_PERSON}$"):
            intros.request(people["amara"], target, viewer="amara")
    with pytest.raises(InputError, match="yourself"):
        intros.request(people["amara"], "amara", viewer="amara")
    intros.request(people["amara"], "olena", viewer="amara")
    with pytest.raises(InputError, match="already have an introduction"):
        intros.request(people["amara"], "olena", viewer="amara")
    person(store, "extra1")
    person(store, "extra2")
    shown(store, "amara", "extra1", "extra2")
    intros.request(people["amara"], "extra1", viewer="amara")  # amara's second and last slot
    with pytest.raises(InputError, match="your limit"):
        intros.request(people["amara"], "extra2", viewer="amara")


def test_only_people_who_were_shown_can_be_asked(store: Store, people: dict[str, Profile]) -> None:
    person(store, "stranger")  # public, but never in amara's suggestions or search results
    with pytest.raises(NotFound, match=f"^{UNKNOWN_PERSON}$"):
        IntroService(store).request(people["amara"], "stranger", viewer="amara")
    shown(store, "amara", "stranger")
    assert IntroService(store).request(people["amara"], "stranger", viewer="amara").target_id == "stranger"


def test_pending_requests_stop_holding_a_slot_after_the_wait(
    store: Store, people: dict[str, Profile]
) -> None:
    old = datetime.now(UTC) - WAIT - timedelta(days=1)
    stale = store.intros.add(IntroRequest(requester_id="olena", target_id="kenji", created_at=old))
    assert store.intros.open_counts(["kenji", "olena"]) == {}  # kenji's one slot is free again
    intros = IntroService(store)
    [view] = intros.for_person("kenji")
    assert view.status == IntroSeen.closed and not view.awaits_my_answer
    with pytest.raises(InputError, match="expired"):
        intros.accept(stale.id, "kenji")
    assert intros.request(people["amara"], "kenji", viewer="amara").status == "pending"


def test_throwaway_requests_hide_nobody_from_suggestions(store: Store) -> None:
    from assistant.settings import load_settings
    from tests.assistant.fakes import fake_services

    fields: dict[str, object] = {
        "languages": {"en"},
        "utc_offset": 0,
        "hours_per_week": 5,
        "topics": ["speech"],
    }
    victim = person(store, "victim", skills_have={"code"}, intro_capacity=3, **fields)
    me = person(store, "me", skills_want={"code"}, **fields)
    old = datetime.now(UTC) - WAIT - timedelta(days=1)
    for n in range(3):  # three throwaway accounts filled every slot, weeks ago
        person(store, f"throwaway{n}")
        store.intros.add(IntroRequest(requester_id=f"throwaway{n}", target_id=victim.id, created_at=old))
    matching = fake_services(load_settings(), store).matching
    assert [m.profile.id for m in matching.match(me, k=5).people] == [victim.id]


def test_requests_a_day_are_limited(store: Store, people: dict[str, Profile]) -> None:
    many = person(store, "many", intro_capacity=20)
    targets = [person(store, f"target{n}").id for n in range(REQUESTS_PER_DAY + 1)]
    shown(store, "many", *targets)
    intros = IntroService(store)
    for target in targets[:REQUESTS_PER_DAY]:
        intros.withdraw(intros.request(many, target, viewer="many").id, "many")  # withdrawn still counts
    with pytest.raises(InputError, match=f"{REQUESTS_PER_DAY} introductions today"):
        intros.request(many, targets[-1], viewer="many")
    tomorrow = IntroService(store, clock=lambda: datetime.now(UTC) + timedelta(days=1, minutes=1))
    assert tomorrow.request(many, targets[-1], viewer="many").target_id == targets[-1]
