"""Rules for the six axes (have vs want), help (seeking vs offering) and project mode.

A clause is read on its own, minus any relative clause ("a collaborator who's strong at
engineering" says nothing about the speaker's engineering). Cues decide the polarity:
- skills: neutral cues ("I'm okay at X") record nothing; want cues (improve, learn, struggle,
  weak, "hard for me", "could be better", "can't") → want; a have cue after a negator ("not a
  strong writer", "less good at") → want; have cues (good at, strong, "people say I write
  well", "I can code") → have. A clause without a cue inherits the previous cue of its sentence,
  else the polarity of the question just asked ("What are your strengths?" → have).
- help: "to mentor"/"mentees"/"I run a reading group" always offer; then offer cues (happy to,
  I can, spare) beat seek cues (looking for, need, I'd like); a clause without a cue inherits,
  else the question decides. Skills inside a help clause count only when linked ("feedback on
  my writing" → want write; "mentor students on coding" → have code).
- project mode: own idea / pitch / "people to implement it" → pitch_idea; someone else's idea →
  implement_idea; "either/both/flexible" answering the mode question → either. Latest wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from assistant.extraction.rules_text import Clause, Finding, alternation, fold, lexicon, words_pattern
from store.domain import Help, ProjectMode, Skill

LINKED_HELPS = (Help.mentorship, Help.feedback)
PITCH = re.compile(
    r"\bmy own (?:idea|ideas|project)\b|\bown ideas?\b|\bpitch(?:ing)?\b|\bi have an idea\b"
    r"|\bpreliminary results\b"
    r"|\b(?:people|someone|others|students|somebody) to (?:help )?implement\b|\bhelp implement it\b"
    r"|\bpost (?:project )?ideas\b|\bmi propia idea\b|\bminha própria ideia\b|\bma propre idée\b"
    r"|\b(?:people|someone|others|students|somebody) (?:can|could|will) (?:help )?implement\b"
    r"|\b(?:propose|suggest|give) (?:project |research )?ideas\b|\bapn[ae] (?:khud ka )?idea\b"
    r"|\bide (?:saya |aku |ku )?sendiri\b|\bsariling idea\b"
)
IMPLEMENT = re.compile(
    r"\bimplement (?:someone|somebody|other people|others|an idea|their|your)\b|\bsomeone else'?s\b"
    r"|\bsomebody else'?s\b|\bother people'?s ideas?\b|\bpick up (?:an? |someone)|\bbuild someone"
    r"|\bla idea de otr|\ba ideia de outr"
    r"|\bidea of (?:someone|somebody|another|other|others)\b"
    r"|\b(?:other|another) (?:people|person|persons)'?s? idea"
    r"|\bperson idea\b|\bl'idée de quelqu'un|\bl'idée d'un autre|\bmtu mwingine\b"
    r"|\bide orang lain\b|\bidea ng iba\b|\b(?:kisi aur|dusr[eo]n?) ka idea\b"
)
EITHER = re.compile(
    r"\beither\b|\bboth\b|\bflexible\b|\bdon'?t mind\b|\bdoesn'?t matter\b|\bany is fine\b|\bno preference\b"
    r"|\bany one\b(?! else)|\banyone (?:is fine|is ok|works)\b|\bwhichever\b|\bany of (?:the|them)\b"
    r"|\bno wahala\b|\bn'importe\b|\banything (?:is )?(?:fine|ok|okay|works)\b|\bwhatever\b"
    r"|\bcualquiera\b|\bambos\b|\bles deux\b"
)


@dataclass
class Carry:
    """The cue in force within the current sentence (a clause without a cue inherits it)."""

    sentence: tuple[int, int] = (-1, -1)
    skill: str | None = None
    help: str | None = None


@cache
def _patterns() -> dict[str, Any]:
    sk, hp = lexicon("skills"), lexicon("helps")

    def cue(phrases: list[str]) -> re.Pattern[str]:
        return re.compile(rf"(?<![\w'])(?:{alternation(phrases)})(?![\w'])")

    skill_words = {Skill(k): v for k, v in sk["skills"].items()}
    languages = alternation(list(lexicon("languages")["languages"]))
    return {
        "skills": {s: words_pattern(v) for s, v in skill_words.items()},
        "neural": re.compile(r"(?:neural|graph|bayesian|social|deep|belief|sensor|road)\s+$"),
        "have": cue(sk["have_cues"]),
        "want": cue(sk["want_cues"]),
        "neutral": cue(sk["neutral_cues"]),
        "negator": re.compile(rf"(?:{alternation(sk['negators'])})\b(?:\s+\w+){{0,3}}\s*$"),
        "helps": {Help(k): words_pattern(v) for k, v in hp["helps"].items()},
        "all_helps": words_pattern([p for v in hp["helps"].values() for p in v]),
        "offer_always": cue(hp["offer_always"]),
        "offer": cue(hp["offer_cues"]),
        "seek": cue(hp["seek_cues"]),
        "speaker": re.compile(rf"(?<![\w-])(?:{languages}|native)\s+speakers?(?![\w-])"),
        # "I can speak English and Chinese" names languages, not the speaking skill ("speak
        # English" in a list of things to grow still is the skill)
        "speak_language": re.compile(
            rf"(?<![\w-])(?:i|can|sabi|we|fluently) (?:speak|speaks)\s+(?:{languages})(?![\w-])"
        ),
    }


def _skill_mentions(text: str) -> list[tuple[Skill, int]]:
    p = _patterns()
    found: list[tuple[Skill, int]] = []
    for skill, pattern in p["skills"].items():
        for m in pattern.finditer(text):
            if skill is Skill.network and p["neural"].search(text[: m.start()]):
                continue
            if skill is Skill.write and WRITE_CODE.match(text, m.end()):
                continue
            found.append((skill, m.start()))
    return found


def _skill_cue(text: str) -> str | None:
    """'want', 'have', 'neutral' or None for one clause (neutral and want are checked first)."""
    p = _patterns()
    if p["neutral"].search(text):
        return "neutral"
    if p["want"].search(text):
        return "want"
    for m in p["have"].finditer(text):
        return "want" if p["negator"].search(text[: m.start()]) else "have"
    return None


def _bare(text: str) -> bool:
    """Only skill names and joining words ("so reading papers", "coding and"): a subject whose
    verb comes in a later clause of the sentence."""
    p = _patterns()
    for pattern in p["skills"].values():
        text = pattern.sub(" ", text)
    return all(w in FILLERS for w in re.findall(r"[\w']+", text))


def _cue_ahead(clause: Clause) -> str | None:
    """The cue of the rest of the sentence, when only more skill names come before it: "reading
    papers and forming ideas come naturally", "reading and writing are hard for me"."""
    p = _patterns()
    source = clause.source
    if source is None or clause.sentence >= len(source.sentences):
        return None
    end = source.sentences[clause.sentence][1]
    rest = fold(source.text[clause.start + len(clause.text) : end])
    hits = [m for key in ("neutral", "want", "have") if (m := p[key].search(rest))]
    if not hits:
        return None
    first = min(hits, key=lambda m: m.start())
    if not _bare(rest[: first.start()]):
        return None
    if not _skill_mentions(rest[: first.start()]) and _skill_mentions(rest[first.end() :]):
        return None  # "X and Y are hard for me", "X, I want to improve it"; not "ideas, bad at writing"
    cue = _skill_cue(rest[: first.end()])
    return None if cue == "neutral" else cue


def _help_cue(text: str) -> str | None:
    p = _patterns()
    if p["offer_always"].search(text) or p["offer"].search(text):
        return "offer"
    if p["seek"].search(text):
        return "seek"
    return None


FILLERS = frozenset(
    {
        "and",
        "or",
        "n",
        "so",
        "but",
        "also",
        "both",
        "then",
        "my",
        "the",
        "a",
        "an",
        "are",
        "is",
        "i",
        "i'm",
        "im",
    }
)
UNSURE = re.compile(r"\bnot sure\b|\bunsure\b|\bnot certain\b|\bdon'?t know (?:about|if)\b")
# "I write test scripts", "writing code": the coding axis, not writing
WRITE_CODE = re.compile(
    r"\s+(?:\w+\s+)?(?:code|codes|scripts?|programs?|software|tests|queries|sql|functions?)\b"
)
SLOT_SKILL = {"skills_have": "have", "skills_want": "want"}
SLOT_HELP = {"seeking": "seek", "offering": "offer"}


# Taking something back ("remove the compute", "mentor not needed", "I can't give mentorship
# anymore", "sorry, not reading papers"): a finding on "-<field>" that, in ``assemble``, drops
# that value from that field when said after it. Each pattern is alternations of fixed words.
REMOVE = re.compile(
    r"\b(?:remove|delete|drop|forget(?: about)?|take out|erase|withdraw|quita|retira|enlève|supprime"
    r"|comot|commot|hapus|tanggalin|tira)"
    r" (?:the |a |an |my |all |that )?"
)
# the object first, as in Hindi: "compute hata do", "mentor nikal do"
REMOVED_AFTER = re.compile(r" (?:hata do|hatao|hata dijiye|hata dena|nikal do|nikaal do|hapus)\b")
# "not X" leads the clause, after a few fillers or a "sorry, I forgot:" before a colon
NOT_FIRST = re.compile(
    r"^(?:[^:]{0,40}: ?)?"
    r"(?:(?:sorry|oops|actually|wait|no|oh|ah|ok|okay|then|so|i mean|i meant|correction)[\s,.!:;-]{1,3}){0,4}"
    r"(?:not|sio|pas|não|nao|không|nahi|nahin) (?:the |a |an |my |really |so much )?"
)
NO_NEED = re.compile(
    r"\bnot needed\b|\bno need\b|\bdon'?t need\b|\bdo not need\b|\bno longer need\b|\bnot looking for\b"
    r"|\bdon'?t want\b|\bdo not want\b|\bnot necessary\b|\bnot required\b|\bnot anymore\b"
)
CANNOT_GIVE = re.compile(
    r"\b(?:cannot|can'?t|can not|not able to|unable to|can no longer|no longer|won'?t)\s+"
    r"(?:give|offer|provide|do|share|lend|mentor)\b|\bno (?:more )?time (?:for|to)\b"
)
BOTH_SIDES: dict[str, tuple[str, ...]] = {
    "help": ("-seeking", "-offering"),
    "skill": ("-skills_want", "-skills_have"),
}


def retractions(clause: Clause, low: str) -> list[Finding] | None:
    """The values this clause takes back, or None when it takes nothing back."""
    found = [(h, m) for h, pattern in _patterns()["helps"].items() for m in pattern.finditer(low)]
    helps = [(h, m.start()) for h, m in found]
    skills = _skill_mentions(low)
    if not helps and not skills:
        return None
    starts = {at for _, at in [*helps, *skills]}
    lead = NOT_FIRST.match(low)
    fields: dict[str, tuple[str, ...]]
    removed = any(REMOVED_AFTER.match(low, m.end()) for _, m in found)
    if removed or (lead and lead.end() in starts) or any(m.end() in starts for m in REMOVE.finditer(low)):
        fields = BOTH_SIDES
    elif NO_NEED.search(low):
        fields = {"help": ("-seeking",), "skill": ("-skills_want",)}
    elif CANNOT_GIVE.search(low):
        fields = {"help": ("-offering",), "skill": ("-skills_have",)}
    else:
        return None
    out = [clause.finding(f, h, at) for h, at in helps for f in fields["help"]]
    return out + [clause.finding(f, s, at) for s, at in skills for f in fields["skill"]]


def skills_and_help(clause: Clause, slot: str | None, carry: Carry) -> list[Finding]:
    """Skills and help of one clause; updates ``carry`` with the cue in force."""
    p = _patterns()
    if carry.sentence != (clause.turn, clause.sentence):
        carry.sentence, carry.skill, carry.help = (clause.turn, clause.sentence), None, None
    low = p["speaker"].sub(lambda m: " " * len(m.group(0)), clause.main())
    low = p["speak_language"].sub(lambda m: " " * len(m.group(0)), low)
    if (taken_back := retractions(clause, low)) is not None:
        return taken_back
    helps = [(h, m) for h, pattern in p["helps"].items() for m in pattern.finditer(low)]
    out: list[Finding] = []
    if helps and UNSURE.search(low):
        return out  # "mentoring I'm not sure about": neither sought nor offered
    if not helps and (said := _help_cue(low)) is not None:
        carry.help = said  # "I can offer reviewing papers and joining a study group": offer carries
    if helps:
        cue = _help_cue(low) or carry.help or SLOT_HELP.get(slot or "")
        carry.help = cue or carry.help
        if cue is None:
            return out
        field = "offering" if cue == "offer" else "seeking"
        if any(h is Help.mentorship for h, _ in helps) and p["offer_always"].search(low):
            field = "offering"
        for h, m in helps:
            out.append(clause.finding(field, h, m.start()))
            if h in LINKED_HELPS:
                tail = low[m.end() : m.end() + 60]
                for skill, at in _skill_mentions(tail):
                    if re.search(r"\b(?:on|for|with|about)\s+(?:my|the|our|their)?\s*$", tail[:at]):
                        side = "skills_have" if field == "offering" else "skills_want"
                        out.append(clause.finding(side, skill, m.end() + at))
        return out
    cue = _skill_cue(low)
    mentions = _skill_mentions(low)
    if PITCH.search(low) or IMPLEMENT.search(low):  # "my own idea", "someone else's idea": a project
        mentions = [(s, at) for s, at in mentions if s is not Skill.idea or not _a_project(low, at)]
    if cue is not None:
        carry.skill = None if cue == "neutral" else cue
    if not mentions:
        return out
    ahead = _cue_ahead(clause) if cue is None and carry.skill is None and _bare(low) else None
    polarity = cue if cue is not None else carry.skill or ahead or SLOT_SKILL.get(slot or "")
    if polarity in (None, "neutral"):
        return out
    field = "skills_have" if polarity == "have" else "skills_want"
    for skill, at in mentions:
        out.append(clause.finding(field, skill, at))
    return out


PROJECT_IDEA = ("own ", "else's ", "elses ", "an ", "proper ", "person ", "people ", "others ")


def _a_project(low: str, at: int) -> bool:
    """The "idea" at ``at`` is a project ("my own idea", "someone else's idea"), not the skill
    ("coming up with my own ideas" is the skill: a project is one idea)."""
    singular = low.startswith("idea", at) and not low.startswith("ideas", at)
    return singular and low[max(0, at - 10) : at].endswith(PROJECT_IDEA)


def project_mode(sentence: Clause, slot: str | None) -> list[Finding]:
    """Pitch own idea, implement someone else's, or either (latest cue in the sentence wins)."""
    low = sentence.main() if not IMPLEMENT.search(sentence.low) else sentence.low
    hits: list[tuple[int, ProjectMode]] = []
    hits += [(m.start(), ProjectMode.pitch_idea) for m in PITCH.finditer(low)]
    hits += [(m.start(), ProjectMode.implement_idea) for m in IMPLEMENT.finditer(low)]
    if slot == "project_mode" or re.search(r"\b(?:idea|pitch|implement)", low):
        hits += [(m.start(), ProjectMode.either) for m in EITHER.finditer(low)]
    if not hits:
        return []
    at, mode = max(hits, key=lambda h: h[0])
    return [sentence.finding("project_mode", mode, at)]
