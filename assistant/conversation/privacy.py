"""A person's data: all of it out (export), or all of it gone (delete).

Who a person is: their profile, and every owner of a conversation linked to it (with the owner
asking, when they ask from a chat). An owner is ``user:{identifier}`` for someone signed in
(``identifier`` names their account and their Chainlit user) or LOCAL_OWNER in the single-user
local demo.

delete:
  1. what others hold about them is anonymised, since those records are the others' own: in
     the chats of the people they had introductions with or were shown to, Mingle's events
     and Chainlit's copy of the chat keep that something happened, with LEFT_MINGLE for their
     name and REMOVED for their contact; others' "not a fit" about them or their RFPs goes
  2. their own: every transcript of every owner, Chainlit's users, threads, steps, elements and
     feedbacks of those owners and chats, what they were shown (exposures by viewer) and the
     account
  3. the profile (their intros, feedback, RFPs and exposures cascade), then the index entries
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

from assistant.conversation.intros import LEFT_MINGLE, seen_status
from retrieval.service import MatchService
from store.domain import Profile
from store.repositories import Store

LOCAL_OWNER = "local"  # MINGLE_AUTH=none: one person, the same across page loads
REMOVED = "(removed)"
_SIGNED_IN = "user:"


def account_of(owner: str) -> str | None:
    """The account (and Chainlit user) identifier of a signed-in owner; None otherwise."""
    return owner.removeprefix(_SIGNED_IN) if owner.startswith(_SIGNED_IN) else None


def owners_of(store: Store, profile_id: str | None, owner: str | None = None) -> set[str]:
    owners = {owner} if owner else set()
    if profile_id:
        owners |= store.transcripts.owners(store.transcripts.for_profile(profile_id))
    return owners


def traces(words: str) -> re.Pattern[str]:
    """``words`` wherever Mingle wrote them: as typed, or made inert for markdown (punctuation
    after a backslash or as an HTML entity, perhaps after a word joiner; whitespace collapsed;
    control characters dropped: see ``markup``). One bounded group per character, so a search
    is linear in the length of the text."""
    kept = "".join(ch for ch in " ".join(words.split()) if unicodedata.category(ch) not in ("Cc", "Cf"))
    parts = []
    for ch in kept:
        if ch == " ":
            parts.append(r"\s+")
        elif ch.isalnum():
            parts.append(re.escape(ch))
        else:
            parts.append(rf"\u2060?(?:\\?{re.escape(ch)}|&\#?\w{{1,8}};)")
    start = r"(?<!\w)" if re.match(r"\w", kept) else ""
    end = r"(?!\w)" if re.search(r"\w$", kept) else ""
    return re.compile(start + "".join(parts) + end)


def _transcripts(store: Store, owners: set[str], profile_id: str | None) -> set[str]:
    found = {t for owner in owners for t in store.transcripts.for_owner(owner)}
    return found | (set(store.transcripts.for_profile(profile_id)) if profile_id else set())


def export_person(store: Store, profile_id: str | None, owner: str | None = None) -> dict[str, Any]:
    """Everything held about one person: their own profile with its private fields, their
    conversations, introductions, feedback, RFPs and who they were shown. Other people appear
    only by display name (or profile id, for who they were shown)."""
    owners = owners_of(store, profile_id, owner)
    data: dict[str, Any] = {
        "profile": None,
        "transcripts": [],
        "introductions": [],
        "feedback": [],
        "rfps": [],
        "shown": store.exposures.shown_to(owners),
    }
    if profile_id:
        profile = store.profiles.get(profile_id)
        data["profile"] = profile.model_dump(mode="json")
        names = {}
        now = datetime.now(UTC)
        for intro in store.intros.involving(profile_id):
            other_id = intro.target_id if intro.requester_id == profile_id else intro.requester_id
            if other_id not in names:
                other = store.profiles.find(other_id)
                names[other_id] = other.display_name if other else LEFT_MINGLE
            mine = intro.requester_id == profile_id
            data["introductions"].append(
                {
                    "direction": "outgoing" if mine else "incoming",
                    "with": names[other_id],
                    # what the other side decided is theirs: a decline is not disclosed to the asker
                    "status": seen_status(intro, profile_id, now).value,
                    "note": intro.note,
                    "created_at": intro.created_at.isoformat(),
                }
            )
        data["feedback"] = [f.model_dump(mode="json") for f in store.feedback.by(profile_id)]
        data["rfps"] = [r.model_dump(mode="json") for r in store.rfps.list() if r.owner_id == profile_id]
    transcripts = [store.transcripts.get(t) for t in _transcripts(store, owners, profile_id)]
    transcripts.sort(key=lambda t: (t.created_at, t.id))
    data["transcripts"] = [t.model_dump(mode="json") for t in transcripts]
    return data


def _anonymise(store: Store, profile: Profile, owners: set[str], rfp_ids: list[str]) -> None:
    """Their name and contact out of the chats of people they met or were shown to."""
    partners = {
        i.target_id if i.requester_id == profile.id else i.requester_id
        for i in store.intros.involving(profile.id)
    }
    chats = {t for partner in partners for t in store.transcripts.for_profile(partner)}
    others = (store.transcripts.owners(chats) | store.exposures.viewers_of(profile.id)) - owners
    chats = (chats | {t for other in others for t in store.transcripts.for_owner(other)}) - _transcripts(
        store, owners, profile.id
    )
    replacements = [(traces(profile.contact), REMOVED)] if profile.contact else []  # it may hold the name
    replacements.append((traces(profile.display_name), LEFT_MINGLE))
    store.transcripts.scrub(chats, replacements)
    accounts = {a for other in others if (a := account_of(other))}
    store.transcripts.scrub_chat_history(accounts, chats, replacements)
    store.feedback.delete_about([profile.id, *rfp_ids])


def delete_person(
    store: Store, matching: MatchService, profile_id: str | None, owner: str | None = None
) -> None:
    """Gone everywhere: see the module docstring for the order."""
    owners = owners_of(store, profile_id, owner)
    profile = store.profiles.find(profile_id) if profile_id else None
    rfp_ids = [r.id for r in store.rfps.list() if r.owner_id == profile_id] if profile_id else []
    if profile is not None:
        _anonymise(store, profile, owners, rfp_ids)
    transcripts = _transcripts(store, owners, profile_id)
    accounts = {a for o in owners if (a := account_of(o))}
    store.transcripts.delete_chat_history(accounts, transcripts)
    for transcript_id in transcripts:
        store.transcripts.delete(transcript_id)
    store.exposures.delete_viewers(owners)
    for identifier in accounts:
        store.accounts.delete(identifier)
    if profile is not None:
        store.profiles.delete(profile.id)
    if profile_id:
        matching.indexer.remove([profile_id], rfp_ids)
