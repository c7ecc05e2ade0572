from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text

from store.db import (
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    require_current,
    table_names,
    upgrade,
)
from store.domain import DialogueState, Phase, Profile
from store.errors import StoreUnavailable
from store.repositories import Store
from store.tables import CHAINLIT_TABLES, Base


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (type_ == "table" and name in CHAINLIT_TABLES)


EXPECTED = {
    "profiles",
    "rfps",
    "transcripts",
    "messages",
    "intro_requests",
    "feedback",
    "llm_calls",
    "exposures",
    "accounts",
    *CHAINLIT_TABLES,
}


def test_upgrade_head_on_an_empty_database_creates_every_table(database_url: str) -> None:
    engine = make_engine(database_url)
    assert current_revision(engine) is None
    with pytest.raises(StoreUnavailable, match="run `mingle db upgrade`"):
        require_current(engine)
    assert upgrade(engine) == head_revision()
    assert table_names(engine) >= EXPECTED
    assert upgrade(engine) == head_revision()  # running it again is harmless
    require_current(engine)
    engine.dispose()


def test_migrations_match_the_tables_in_code(database_url: str) -> None:
    """Autogenerate finds nothing to add: the migrations and store/tables.py agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(database_url)
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_to_base_and_back(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    assert downgrade(engine, "base") == "base"
    assert table_names(engine) & EXPECTED == set()
    upgrade(engine)
    assert table_names(engine) >= EXPECTED


# Two chats as Mingle stored them before revision 0004: words only, no state. The wording is
# the old one, frozen here as in the migration.
OLD_CHAT = [
    ("assistant", "**Welcome to Mingle** ... To begin: **what do you work on, or want to work on?**"),
    ("user", "I work on diffusion models for CT scans"),
    (
        "assistant",
        (
            "Where are you in your journey: undergrad, master's, PhD, postdoc, engineer, researcher, "
            "faculty, or something else?"
        ),
    ),
    ("user", "I'd rather not say"),
    (
        "assistant",
        (
            "No problem. Research asks for six things: reading papers, coding, forming ideas, writing, "
            "speaking and networking. Which come most easily to you?"
        ),
    ),
    ("user", "/help"),
    ("assistant", "Here is what I can do:\n- **/profile**: show your profile card"),
    ("user", "I write well"),
    (
        "assistant",
        (
            "(The language model isn't answering, so my offline rules read that; nothing is lost.) "
            "A few practical bits so people can actually meet: where you are (a city or time zone) and "
            "which languages you speak?"
        ),
    ),
    ("user", "done"),
    (
        "assistant",
        "Does this look right? Say **yes** to save it, or tell me what to change.",
    ),
]
OLD_RETURNING = [
    (
        "assistant",
        "Welcome back, Amara. Type /matches for suggestions, /profile to see or change it, or /help.",
    ),
    ("user", "/matches"),
    ("assistant", "Here is what I found for you:"),
]


def _old_transcript(
    store: Store, engine: Engine, owner: str, messages: list[tuple[str, str]], profile_id: str | None
) -> str:
    """A transcript written the old way: its messages inserted with SQL as revision 0003 had them."""
    transcript = store.transcripts.create(owner, profile_id)
    with engine.begin() as connection:
        for seq, (role, content) in enumerate(messages):
            connection.execute(
                text(
                    "INSERT INTO messages (transcript_id, seq, role, content, created_at) "
                    "VALUES (:transcript, :seq, :role, :content, :at)"
                ),
                {
                    "transcript": transcript.id,
                    "seq": seq,
                    "role": role,
                    "content": content,
                    "at": datetime.now(UTC),
                },
            )
    return transcript.id


def test_0004_gives_stored_chats_their_dialogue_state_from_the_old_wording(database_url: str) -> None:
    engine = make_engine(database_url)
    assert upgrade(engine, "0003") == "0003"
    store = Store(engine)
    store.profiles.upsert(Profile(id="amara", display_name="Amara"))
    chat = _old_transcript(store, engine, "session-old", OLD_CHAT, None)
    returning = _old_transcript(store, engine, "user:amara", OLD_RETURNING, "amara")
    upgrade(engine)

    states = [m.state for m in store.transcripts.get(chat).messages]
    assert states[1::2] == [None] * 5  # the person's messages carry no state
    topics = {"topics"}
    asked = {"topics", "career_stage", "skills_have"}
    assert states[0::2] == [
        DialogueState(pending="topics", asked=topics),
        DialogueState(pending="career_stage", asked={"topics", "career_stage"}),
        DialogueState(pending="skills_have", asked=asked, declined={"career_stage"}),
        DialogueState(pending="skills_have", asked=asked, declined={"career_stage"}),  # /help keeps it open
        DialogueState(
            pending="practical", asked=asked | {"practical"}, declined={"career_stage"}, told_offline=True
        ),
        DialogueState(
            phase=Phase.confirm,
            pending="practical",
            asked=asked | {"practical"},
            declined={"career_stage"},
            told_offline=True,
        ),
    ]
    assert [m.state for m in store.transcripts.get(returning).messages] == [
        DialogueState(phase=Phase.saved, pending=None, asked=topics),
        None,
        DialogueState(phase=Phase.saved, pending=None, asked=topics),
    ]
    downgrade(engine, "0003")  # and back: the column goes, the words stay
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM messages")).scalar() == len(OLD_CHAT) + 3
    store.dispose()


# A chat as Mingle stored it before revision 0007: events, a command and a search among answers.
OLD_EVENTS_CHAT = [
    (
        "assistant",
        "Welcome back, Kenji. Type /matches for suggestions, /profile to see or change it, or /help.",
    ),
    ("user", "/matches"),
    ("assistant", "Here is what I found for you:"),
    (
        "assistant",
        (
            "I've asked Amara whether they'd like an introduction. Contact details are shared only "
            "if they say yes too."
        ),
    ),
    ("assistant", "Wonderful: you and Amara are introduced. Their contact: amara@example.org."),
    ("assistant", "Understood. Olena won't be told it was a no."),
    ("assistant", "Noted. You won't see that suggestion again, and it stays between us."),
    ("assistant", "People similar to Amara:"),
    ("user", "find someone who codes"),
    ("assistant", "Here is who fits that best:"),
    ("user", "actually I'm in Lagos"),
    ("assistant", "Here is your updated profile. Does this look right?"),
]


def test_0007_sorts_stored_chats_into_kinds_and_quiets_the_call_log(database_url: str) -> None:
    engine = make_engine(database_url)
    assert upgrade(engine, "0006") == "0006"
    store = Store(engine)
    store.profiles.upsert(Profile(id="kenji", display_name="Kenji"))
    chat = _old_transcript(store, engine, "user:kenji", OLD_EVENTS_CHAT, "kenji")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO llm_calls (id, prompt_name, prompt_version, model, latency_ms, error, "
                "created_at) VALUES ('l1', 'extract_profile', 'v1', 'm', 1.0, :error, :at)"
            ),
            {
                "error": 'invalid reply: - topics: Field required (your reply had {"name": "Amara"})\n'
                "- career_stage.value: Input should be 'phd' (your reply had \"PhD candid",
                "at": datetime.now(UTC),
            },
        )
        connection.execute(
            text("INSERT INTO exposures (profile_id, viewer, shown_at) VALUES ('kenji', 'user:amara', :at)"),
            {"at": datetime.now(UTC)},
        )
    upgrade(engine)

    kinds = [m.kind for m in store.transcripts.get(chat).messages]
    assert kinds == [
        "interview",
        "command",
        "command",
        *["event"] * 5,
        "command",
        "command",
        "interview",
        "interview",
    ]
    [call] = store.llm_calls.recent()
    assert call.error == (
        "invalid reply: - topics: Field required\n- career_stage.value: Input should be 'phd'"
    )
    assert store.exposures.counts_since(datetime(2000, 1, 1, tzinfo=UTC)) == {"kenji": 1}  # suggested
    assert store.exposures.shown("user:amara", "kenji")
    downgrade(engine, "0006")
    store.dispose()


def test_0008_gives_the_local_demos_page_loads_to_one_owner(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0007")
    store = Store(engine)
    store.profiles.upsert(Profile(id="me", display_name="Me"))
    saved = store.transcripts.create("session:first-load", "me")
    later = store.transcripts.create("session:second-load")
    other = store.transcripts.create("user:amara")
    store.exposures.record("session:first-load", ["me"])
    upgrade(engine)
    from assistant.conversation.privacy import LOCAL_OWNER  # the app's owner is the migration's

    assert store.transcripts.for_owner(LOCAL_OWNER) == [saved.id, later.id]
    assert store.transcripts.for_owner("user:amara") == [other.id]
    assert store.exposures.shown(LOCAL_OWNER, "me")
    store.dispose()
