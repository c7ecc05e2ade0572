"""Export and delete: everything out, or gone everywhere (every table, Chainlit's chat history and
the index), and anonymised where another person's record must stay."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import MetaData, insert, select, table
from sqlalchemy import column as col
from sqlalchemy.sql.expression import TableClause

from assistant.conversation.intake import Conversation, IntakeService
from assistant.conversation.privacy import delete_person, export_person
from assistant.conversation.replies import SearchResults
from assistant.settings import load_settings
from store.domain import RFP, Message
from store.repositories import Store
from store.tables import CHAINLIT_TABLES, Base
from tests.assistant.fakes import fake_services

# Amara is the person who leaves; her name carries a character markdown escapes ("_").
AMARA_ANSWERS = [
    "My name is Amara_Okafor. I work on diffusion models for the okapi census",
    "I'm a PhD student",
    "I write well and read a lot",
    "I want to learn to code and grow my network",
    "I need compute and a mentor",
    "I can give feedback",
    "I have my own idea",
    "UTC+1, about 6 hours a week, English",
]
KENJI_ANSWERS = [
    "My name is Kenji. I work on speech and diffusion",
    "I'm a PhD student",
    "I'm good at coding",
    "I'm weak at writing",
    "I need compute",
    "I can collaborate",
    "I have my own idea",
    "UTC+1, about 6 hours a week, English",
]
CONTACT = "amara.okafor@example.org"


def chat_table(name: str, *columns: str) -> TableClause:
    return table(name, *(col(c) for c in columns))


USERS = chat_table("users", "id", "identifier", "metadata", "createdAt")
THREADS = chat_table("threads", "id", "name", "userId", "userIdentifier", "metadata", "createdAt")
STEPS = chat_table("steps", "id", "name", "type", "threadId", "output", "streaming", "metadata")
ELEMENTS = chat_table("elements", "id", "threadId", "forId", "name", "type")
FEEDBACKS = chat_table("feedbacks", "id", "forId", "threadId", "value", "comment")


def steps_of(messages: list[Message]) -> list[tuple[str, str]]:
    return [(f"{m.role}_message", m.content) for m in messages]


def chat_history(store: Store, identifier: str, thread_id: str, steps: list[tuple[str, str]]) -> None:
    """What Chainlit's data layer writes for one signed-in user's thread (users, threads, steps,
    an element and a thumbs-up), written here as the same rows."""
    user_id, now = str(uuid.uuid4()), datetime.now(UTC).isoformat()
    step_ids = [str(uuid.uuid4()) for _ in steps]
    with store.engine.begin() as connection:
        connection.execute(
            insert(USERS).values(id=user_id, identifier=identifier, metadata="{}", createdAt=now)
        )
        connection.execute(
            insert(THREADS).values(
                id=thread_id,
                name=steps[1][1][:40],
                userId=user_id,
                userIdentifier=identifier,
                metadata=json.dumps({"user": identifier}),
                createdAt=now,
            )
        )
        for step_id, (kind, output) in zip(step_ids, steps, strict=True):
            connection.execute(
                insert(STEPS).values(
                    id=step_id,
                    name="Mingle",
                    type=kind,
                    threadId=thread_id,
                    output=output,
                    streaming=False,
                    metadata="{}",
                )
            )
        connection.execute(
            insert(ELEMENTS).values(
                id=str(uuid.uuid4()), threadId=thread_id, forId=step_ids[-1], name="mingle-export.json"
            )
        )
        connection.execute(
            insert(FEEDBACKS).values(
                id=str(uuid.uuid4()), forId=step_ids[-1], threadId=thread_id, value=1, comment=None
            )
        )


def every_row(store: Store) -> str:
    """Every row of every table (Mingle's and Chainlit's), as text."""
    reflected = MetaData()
    reflected.reflect(store.engine)
    assert set(reflected.tables) >= set(Base.metadata.tables) | CHAINLIT_TABLES  # nothing is skipped
    lines = []
    with store.engine.connect() as connection:
        for name, found in sorted(reflected.tables.items()):
            lines += [f"{name}: {tuple(row)}" for row in connection.execute(select(found))]
    return "\n".join(lines)


@pytest.fixture
def intake(store: Store) -> IntakeService:
    return fake_services(load_settings(), store).intake


def signed_up(intake: IntakeService, name: str, answers: list[str]) -> Conversation:
    intake.store.accounts.sign_up(name, "correct horse battery")
    conversation = intake.start(f"user:{name}", "What do you work on?", str(uuid.uuid4()))
    for answer in [*answers, "yes"]:
        intake.handle(conversation, answer)
    assert conversation.profile_id is not None
    return conversation


def test_delete_leaves_nothing_of_the_person_in_any_table_or_the_index(
    intake: IntakeService, store: Store
) -> None:
    kenji = signed_up(intake, "kenji", KENJI_ANSWERS)
    amara = signed_up(intake, "amara", AMARA_ANSWERS)  # Kenji is among her suggestions
    amara_id, kenji_id = amara.profile_id or "", kenji.profile_id or ""
    intake.handle(amara, f"/contact {CONTACT}")
    store.rfps.upsert(RFP(id="r_okapi", owner_id=amara_id, title="Okapi census", description="Count them."))
    intake.matching.reindex()
    intake.request_intro(amara, kenji_id)
    [asked] = intake.intros.for_person(kenji_id)
    accepted = intake.accept_intro(kenji, asked.id)  # Kenji's chat now holds her name and contact
    assert "Amara" in accepted and CONTACT in accepted
    found = intake.handle(kenji, "/search diffusion models")  # he finds her: recorded as shown
    assert isinstance(found, SearchResults) and [h.profile.id for h in found.hits] == [amara_id]
    intake.more_like(kenji, amara_id)  # "People similar to Amara_Okafor:" in Kenji's chat
    intake.not_a_fit(kenji, "r_okapi")
    chat_history(store, "amara", amara.transcript_id, steps_of(amara.messages))
    shown = "**Amara\\_Okafor**: You want to grow coding — Amara\\_Okafor codes well."  # as rendered
    chat_history(
        store, "kenji", kenji.transcript_id, [*steps_of(kenji.messages), ("assistant_message", shown)]
    )
    before = every_row(store).casefold()
    assert "amara" in before and "okapi" in before and amara_id in before

    reply = intake.handle(amara, "/delete")

    assert "gone" in reply.text
    after = every_row(store).casefold()
    for trace in ("amara", "okapi", amara_id, amara.transcript_id, "r_okapi"):
        assert trace.casefold() not in after, f"{trace!r} is still stored"
    for space in ("offer", "seek"):
        assert intake.matching.index.get(space, [amara_id]) == {}
    assert intake.matching.index.get("rfp", ["r_okapi"]) == {}
    assert intake.matching.check().clean
    # Kenji's record stays: that an introduction happened, without her name or contact
    kept = [m.content for m in store.transcripts.get(kenji.transcript_id).messages]
    [event] = [m for m in kept if m.startswith("Wonderful: you and someone who left Mingle are introduced.")]
    assert event.endswith(("(removed)`.", "(removed)."))  # the contact (a code span once escaped)
    assert KENJI_ANSWERS[0] in kept
    assert store.profiles.find(kenji_id) is not None
    assert "kenji" in after  # his Chainlit user, thread and steps are his own


def test_the_command_line_delete_finds_every_conversation_of_the_person(
    intake: IntakeService, store: Store
) -> None:
    amara = signed_up(intake, "amara", AMARA_ANSWERS)
    earlier = intake.start("user:amara", "What do you work on?", str(uuid.uuid4()))  # left unfinished
    intake.handle(earlier, "okapi again")
    delete_person(store, intake.matching, amara.profile_id)  # `mingle delete ID`: only the profile id
    assert "okapi" not in every_row(store).casefold()
    assert store.transcripts.for_owner("user:amara") == []


def test_export_holds_every_conversation_and_what_was_shown(intake: IntakeService, store: Store) -> None:
    signed_up(intake, "kenji", KENJI_ANSWERS)
    amara = signed_up(intake, "amara", AMARA_ANSWERS)
    earlier = intake.start("user:amara", "What do you work on?", str(uuid.uuid4()))
    intake.handle(earlier, "okapi again")
    exported = export_person(store, amara.profile_id)  # as `mingle export ID` asks
    assert {t["id"] for t in exported["transcripts"]} == {amara.transcript_id, earlier.transcript_id}
    assert exported["shown"] and all(s["profile_id"] != amara.profile_id for s in exported["shown"])
    assert export_person(store, amara.profile_id, "user:amara") == exported
