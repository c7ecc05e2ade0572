"""A person's data: all of it out (export), or all of it gone (delete): profile, transcripts,
introductions, feedback, RFPs, exposure records and the vector index entries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from assistant.conversation.intros import seen_status
from retrieval.service import MatchService
from store.repositories import Store


def export_person(store: Store, profile_id: str | None, owner: str | None = None) -> dict[str, Any]:
    """Everything held about one person: their own profile with its private fields, their
    conversations, introductions and feedback. Other people appear only by display name."""
    data: dict[str, Any] = {
        "profile": None,
        "transcripts": [],
        "introductions": [],
        "feedback": [],
        "rfps": [],
    }
    transcript_ids: list[str] = list(store.transcripts.for_owner(owner)) if owner else []
    if profile_id:
        profile = store.profiles.get(profile_id)
        data["profile"] = profile.model_dump(mode="json")
        transcript_ids += [t for t in store.transcripts.for_profile(profile_id) if t not in transcript_ids]
        names = {}
        now = datetime.now(UTC)
        for intro in store.intros.involving(profile_id):
            other_id = intro.target_id if intro.requester_id == profile_id else intro.requester_id
            if other_id not in names:
                other = store.profiles.find(other_id)
                names[other_id] = other.display_name if other else "someone who left"
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
    data["transcripts"] = [store.transcripts.get(t).model_dump(mode="json") for t in transcript_ids]
    return data


def delete_person(
    store: Store, matching: MatchService, profile_id: str | None, owner: str | None = None
) -> None:
    """Transcripts first (they would outlive the profile), then the profile (its intros,
    feedback, RFPs and exposures cascade), then the index entries."""
    transcripts = set(store.transcripts.for_owner(owner)) if owner else set()
    rfp_ids: list[str] = []
    if profile_id:
        transcripts |= set(store.transcripts.for_profile(profile_id))
        rfp_ids = [r.id for r in store.rfps.list() if r.owner_id == profile_id]
    for transcript_id in transcripts:
        store.transcripts.delete(transcript_id)
    if profile_id:
        if store.profiles.find(profile_id) is not None:
            store.profiles.delete(profile_id)
        matching.indexer.remove([profile_id], rfp_ids)
