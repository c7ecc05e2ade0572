"""Double opt-in introductions.

    request(A → B): pending; holds one of A's and one of B's intro slots for at most WAIT
    B accepts: both see each other's contact; B declines: A is never told it was a decline
    (A sees "waiting" until WAIT days have passed, then "closed", as for an unanswered request)
    after WAIT an unanswered request is closed for both: it holds no slot, it can't be answered

A can ask only someone A was shown (in suggestions or search results), at most
REQUESTS_PER_DAY times a day. Nobody can be asked while paused or hidden, twice, by
themselves, or beyond their capacity; a person A cannot ask (never shown, paused, hidden or
not there at all) is UNKNOWN_PERSON, one plain sentence with no name in it. So a few throwaway
accounts can hold someone's slots for WAIT at most, and only after finding them.
What either side is shown of an introduction is decided by ``seen_status`` alone: the intro
list, the chat and the data export all call it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal

from store.domain import INTRO_WAIT, IntroRequest, IntroStatus, Profile
from store.errors import InputError, NotFound
from store.repositories import Store

WAIT = INTRO_WAIT
REQUESTS_PER_DAY = 5
DAY = timedelta(days=1)
UNKNOWN_PERSON = "there is nobody with that id among the people you were shown"
LEFT_MINGLE = "someone who left Mingle"


class IntroSeen(StrEnum):
    """An introduction as one side is shown it. The asker never sees "declined": a request
    declined or unanswered is "waiting", and "closed" once WAIT has passed."""

    pending = "pending"  # asked of me, not answered yet
    waiting = "waiting"  # I asked; no yes yet
    accepted = "accepted"
    declined = "declined"  # only the person who said no sees this
    closed = "closed"
    withdrawn = "withdrawn"


def seen_status(intro: IntroRequest, me: str, now: datetime) -> IntroSeen:
    """What ``me`` is shown of ``intro``: the one rule for what the asker learns of a decline."""
    if intro.requester_id == me and intro.status in (IntroStatus.pending, IntroStatus.declined):
        return IntroSeen.closed if now - intro.created_at > WAIT else IntroSeen.waiting
    if intro.status == IntroStatus.pending and now - intro.created_at > WAIT:
        return IntroSeen.closed  # nobody answered in time: the person asked can't any more
    return IntroSeen(intro.status.value)


@dataclass(frozen=True)
class IntroView:
    """One introduction as one side may see it: never the other side's contact before both
    said yes, never the word "declined" for the person who asked."""

    id: str
    direction: Literal["incoming", "outgoing"]
    other_id: str
    other_name: str
    status: IntroSeen
    note: str
    contact: str | None

    @property
    def awaits_my_answer(self) -> bool:
        return self.direction == "incoming" and self.status == IntroSeen.pending


class IntroService:
    def __init__(self, store: Store, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.clock = clock

    def _open(self, profile_id: str) -> int:
        return self.store.intros.open_counts([profile_id], self.clock()).get(profile_id, 0)

    def visible_to(self, viewer: str, profile_id: str) -> Profile:
        """A person ``viewer`` was shown who can be reached now; else UNKNOWN_PERSON, the same
        for a forged id, a paused or hidden person and nobody at all (no name is ever told)."""
        other = self.store.profiles.find(profile_id)
        if (
            other is None
            or other.paused
            or other.visibility != "public"
            or not self.store.exposures.shown(viewer, other.id)
        ):
            raise NotFound(UNKNOWN_PERSON)
        return other

    def request(self, requester: Profile, target_id: str, note: str = "", *, viewer: str) -> IntroRequest:
        """``viewer``: whose suggestions and searches count as shown (the conversation's owner)."""
        if target_id == requester.id:
            raise InputError("you can't request an introduction to yourself")
        target = self.visible_to(viewer, target_id)
        if any(
            i.target_id == target.id or i.requester_id == target.id
            for i in self.store.intros.involving(requester.id)
        ):
            raise InputError(f"you already have an introduction with {target.display_name}")
        now = self.clock()
        if self.store.intros.requested_since(requester.id, now - DAY) >= REQUESTS_PER_DAY:
            raise InputError(
                f"you've asked for {REQUESTS_PER_DAY} introductions today, the daily limit: "
                "please try again tomorrow"
            )
        if self._open(requester.id) >= requester.intro_capacity:
            raise InputError(
                f"you have {requester.intro_capacity} open introductions, your limit: wait for answers first"
            )
        if self._open(target.id) >= target.intro_capacity:
            raise InputError(f"{target.display_name} has no room for new introductions right now")
        return self.store.intros.add(
            IntroRequest(requester_id=requester.id, target_id=target.id, note=note[:1000], created_at=now)
        )

    def _mine(self, intro_id: str, me: str) -> IntroRequest:
        intro = self.store.intros.get(intro_id)
        if me not in (intro.requester_id, intro.target_id):
            raise NotFound(f"no introduction with id {intro_id!r}")  # others' intros do not exist for you
        return intro

    def accept(self, intro_id: str, me: str) -> IntroView:
        """Yes: both now see each other's contact."""
        return self._answer(intro_id, me, IntroStatus.accepted)

    def decline(self, intro_id: str, me: str) -> IntroView:
        """No: the asker is never told (see ``seen_status``)."""
        return self._answer(intro_id, me, IntroStatus.declined)

    def _answer(self, intro_id: str, me: str, status: IntroStatus) -> IntroView:
        """Only the person asked can answer, once."""
        intro = self._mine(intro_id, me)
        if intro.target_id != me:
            raise InputError("only the person you asked can answer this introduction")
        if intro.status != IntroStatus.pending:
            raise InputError("this introduction was already answered")
        if self.clock() - intro.created_at > WAIT:
            raise InputError(f"this request has expired: nobody answered it within {WAIT.days} days")
        self.store.intros.set_status(intro.id, status)
        return self.view(intro.id, me)

    def withdraw(self, intro_id: str, me: str) -> None:
        intro = self._mine(intro_id, me)
        if intro.requester_id != me or intro.status != IntroStatus.pending:
            raise InputError("only a pending request you made can be withdrawn")
        self.store.intros.set_status(intro.id, IntroStatus.withdrawn)

    def view(self, intro_id: str, me: str) -> IntroView:
        return self._view(self._mine(intro_id, me), me)

    def _view(self, intro: IntroRequest, me: str) -> IntroView:
        outgoing = intro.requester_id == me
        other = self.store.profiles.find(intro.target_id if outgoing else intro.requester_id)
        return IntroView(
            id=intro.id,
            direction="outgoing" if outgoing else "incoming",
            other_id=other.id if other else "",
            other_name=other.display_name if other else LEFT_MINGLE,
            status=seen_status(intro, me, self.clock()),
            note=intro.note,
            contact=other.contact if (other and intro.status == IntroStatus.accepted) else None,
        )

    def for_person(self, me: str) -> list[IntroView]:
        return [
            self._view(i, me) for i in self.store.intros.involving(me) if i.status != IntroStatus.withdrawn
        ]
