"""Double opt-in: contacts only after both say yes, declines never revealed, capacity and pauses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.conversation.intros import WAIT, IntroSeen, IntroService
from store.domain import Profile
from store.errors import InputError, NotFound
from store.repositories import Store


def person(store: Store, pid: str, **fields: object) -> Profile:
    return store.profiles.upsert(
        Profile(id=pid, display_name=pid.title(), contact=f"{pid}@example.org", **fields)
    )


@pytest.fixture
def people(store: Store) -> dict[str, Profile]:
    return {
        "amara": person(store, "amara", intro_capacity=2),
        "kenji": person(store, "kenji", intro_capacity=1),
        "olena": person(store, "olena"),
        "paused": person(store, "paused", paused=True),
        "hidden": person(store, "hidden", visibility="hidden"),
    }


def test_contacts_flow_only_after_both_say_yes(store: Store, people: dict[str, Profile]) -> None:
    intros = IntroService(store)
    intro = intros.request(people["amara"], "kenji", note="I'd love to learn interpretability")
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
    intro = IntroService(store).request(people["amara"], "olena")
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
    intros.decline(intros.request(people["amara"], "olena").id, "olena")
    [exported] = export_person(store, "amara")["introductions"]
    assert exported["status"] == intros.for_person("amara")[0].status == IntroSeen.waiting
    assert export_person(store, "olena")["introductions"][0]["status"] == IntroSeen.declined


def test_only_the_person_asked_answers_and_only_once(store: Store, people: dict[str, Profile]) -> None:
    intros = IntroService(store)
    intro = intros.request(people["amara"], "kenji")
    with pytest.raises(InputError, match="only the person you asked"):
        intros.accept(intro.id, "amara")
    with pytest.raises(NotFound):
        intros.accept(intro.id, "olena")  # someone else's intro does not exist for her
    intros.decline(intro.id, "kenji")
    with pytest.raises(InputError, match="already answered"):
        intros.accept(intro.id, "kenji")


def test_capacity_pause_hide_self_and_duplicates(store: Store, people: dict[str, Profile]) -> None:
    intros = IntroService(store)
    intros.request(people["olena"], "kenji")  # kenji's one slot is now taken
    with pytest.raises(InputError, match="no room"):
        intros.request(people["amara"], "kenji")
    for target in ("paused", "hidden"):
        with pytest.raises(InputError, match="isn't taking introductions"):
            intros.request(people["amara"], target)
    with pytest.raises(InputError, match="yourself"):
        intros.request(people["amara"], "amara")
    intros.request(people["amara"], "olena")
    with pytest.raises(InputError, match="already have an introduction"):
        intros.request(people["amara"], "olena")
    person(store, "extra1")
    person(store, "extra2")
    intros.request(people["amara"], "extra1")  # amara's second and last slot
    with pytest.raises(InputError, match="your limit"):
        intros.request(people["amara"], "extra2")
