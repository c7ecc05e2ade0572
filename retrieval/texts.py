"""What gets embedded: texts built only from contract fields, never from names, places or tone.

A person has two texts, one for what they offer and one for what they seek, so matching can
ask both "who offers what I seek" and "who seeks what I offer". Bios are never embedded: they
carry names, schools, countries and confidence of tone, which must not move a ranking.
"""

from __future__ import annotations

import hashlib

from store.domain import RFP, Help, ProfileFields, Skill

SKILL_NOUN = {
    Skill.read: "reading papers",
    Skill.code: "coding",
    Skill.idea: "forming research ideas",
    Skill.write: "writing",
    Skill.speak: "speaking and presenting",
    Skill.network: "networking",
}
HELP_NOUN = {
    "collaboration": "collaboration",
    "mentorship": "mentorship",
    "compute": "compute (GPUs)",
    "feedback": "feedback on drafts",
    "study_group": "a study group",
}


def _skills(skills: set[Skill]) -> str:
    return ", ".join(SKILL_NOUN[s] for s in sorted(skills, key=list(Skill).index))


def _helps(helps: set[Help]) -> str:
    return ", ".join(HELP_NOUN[str(h)] for h in sorted(map(str, helps)))


def _topics(topics: list[str]) -> str:
    return "; ".join(topics)


def offer_text(profile: ProfileFields) -> str:
    """What this person brings: strengths, help offered, topics."""
    parts = []
    if profile.skills_have:
        parts.append(f"Strong at {_skills(profile.skills_have)}.")
    if profile.offering:
        parts.append(f"Offers {_helps(profile.offering)}.")
    if profile.topics:
        parts.append(f"Works on {_topics(profile.topics)}.")
    return " ".join(parts) or "No details yet."


def seek_text(profile: ProfileFields) -> str:
    """What this person is looking for: axes to grow, help sought, topics."""
    parts = []
    if profile.skills_want:
        parts.append(f"Wants to grow {_skills(profile.skills_want)}.")
    if profile.seeking:
        parts.append(f"Looking for {_helps(profile.seeking)}.")
    if profile.topics:
        parts.append(f"Works on {_topics(profile.topics)}.")
    return " ".join(parts) or "No details yet."


def rfp_text(rfp: RFP) -> str:
    parts = [rfp.title + ".", rfp.description]
    if rfp.topics:
        parts.append(f"Topics: {_topics(rfp.topics)}.")
    if rfp.skills_needed:
        parts.append(f"Needs {_skills(rfp.skills_needed)}.")
    if rfp.skills_developed:
        parts.append(f"Develops {_skills(rfp.skills_developed)}.")
    return " ".join(parts)


def content_hash(model_id: str, text: str) -> str:
    """Same model and same text, same hash: the index never embeds unchanged content twice."""
    return hashlib.sha256(f"{model_id}\n{text}".encode()).hexdigest()[:24]
