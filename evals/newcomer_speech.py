"""How a simulated newcomer says things: the same facts rendered in several styles. Pure.

    render_slot(slot, values, style, rng) -> "I'm good at coding and writing."   (fluent)
                                          -> "im good at coding and writting"    (casual)
    phrase(kind, style, rng, x=...)        -> a skip, "nothing yet", a correction, an "also, ..."
    question(index, style)                 -> (answer-set entry id, the question as written)

Styles: ``fluent``; ``casual`` (lower case, no apostrophes, a few common misspellings, no
final full stop); ``pidgin`` (Nigerian Pidgin-influenced, lower case); ``indian`` and ``french``
(Indian- and French-influenced English). Every kind of phrase has exactly two wordings in every
style, and the wording is picked by the same draw of ``rng`` whatever the style, so one seed gives
the same facts, in the same order, in each style: the difference in what Mingle understands is
the style's alone. Topic phrases are the person's own words: never misspelt, only lower-cased.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from evals.interview_sim import LANGUAGE_NAMES, _join, _utc

STYLES = ("fluent", "casual", "pidgin", "indian", "french")
LOWER = frozenset({"casual", "pidgin"})
TYPOS = {
    "writing": "writting",
    "research": "reserch",
    "languages": "langauges",
    "collaborators": "colaborators",
    "really": "realy",
    "because": "becuase",
    "interested": "intrested",
    "definitely": "definately",
}
_TYPO = re.compile(r"\b(" + "|".join(TYPOS) + r")\b")

Two = tuple[str, str]
# kind → style → two wordings; {x} is what is said (already in the style).
PHRASES: dict[str, dict[str, Two]] = {
    "topics": {
        "fluent": ("I work on {x}.", "My research is on {x}."),
        "pidgin": ("na {x} i dey work on", "i dey do {x}"),
        "indian": ("I am working on {x}.", "My area of work is {x}."),
        "french": ("I work on {x}.", "My subject is {x}."),
    },
    "career_stage": {
        "fluent": ("I'm {x}.", "Right now I'm {x}."),
        "pidgin": ("i be {x}", "for now i be {x}"),
        "indian": ("I am {x}.", "Currently I am {x}."),
        "french": ("I am {x}.", "For the moment I am {x}."),
    },
    "skills_have": {
        "fluent": ("I'm good at {x}.", "I'm fairly strong at {x}."),
        "pidgin": ("i sabi {x} well", "i dey good for {x}"),
        "indian": ("I am good in {x}.", "I am having good skills in {x}."),
        "french": ("I am good in {x}.", "I am at ease with {x}."),
    },
    "skills_want": {
        "fluent": ("I'd like to get better at {x}.", "I want to improve my {x}."),
        "pidgin": ("i wan improve my {x}", "i wan get better for {x}"),
        "indian": ("I want to improve my {x}.", "I need to develop my {x}."),
        "french": ("I would like to improve my {x}.", "I want to progress in {x}."),
    },
    "seeking": {
        "fluent": ("I'm looking for {x}.", "What would help most is {x}."),
        "pidgin": ("i dey find {x}", "wetin go help me na {x}"),
        "indian": ("I am looking for {x}.", "I am in need of {x}."),
        "french": ("I search {x}.", "I am looking for {x}."),
    },
    "offering": {
        "fluent": ("I can offer {x}.", "I could help with {x}."),
        "pidgin": ("i fit offer {x}", "i fit help with {x}"),
        "indian": ("I can provide {x}.", "I can offer {x}."),
        "french": ("I can propose {x}.", "I can offer {x}."),
    },
    "utc_offset": {
        "fluent": ("I'm in {x}", "my time zone is {x}"),
        "pidgin": ("i dey for {x}", "my time zone na {x}"),
        "indian": ("I am in {x}", "my timezone is {x}"),
        "french": ("I am in {x}", "my time zone is {x}"),
    },
    "hours_per_week": {
        "fluent": ("about {x} hours a week", "{x} hours per week"),
        "pidgin": ("i fit give {x} hours every week", "{x} hours for one week"),
        "indian": ("{x} hours per week", "around {x} hours weekly"),
        "french": ("{x} hours by week", "around {x} hours per week"),
    },
    "languages": {
        "fluent": ("I speak {x}", "my languages are {x}"),
        "pidgin": ("i dey speak {x}", "i sabi speak {x}"),
        "indian": ("I know {x}", "I can speak {x}"),
        "french": ("I speak {x}", "I talk {x}"),
    },
    "skip": {
        "fluent": ("I'd rather not say.", "Skip this one, please."),
        "pidgin": ("abeg skip this one", "i no wan talk that one"),
        "indian": ("Kindly skip this one.", "I prefer not to say."),
        "french": ("I prefer not to say.", "Pass, please."),
    },
    "nothing": {  # a set the gold knows is empty
        "fluent": ("Nothing yet, sorry.", "Not really, no."),
        "pidgin": ("nothing for now", "i no get anything yet"),
        "indian": ("Nothing as of now.", "Not at this moment."),
        "french": ("Nothing for the moment.", "Not really, no."),
    },
    "unknown": {  # a value the gold does not know
        "fluent": ("Not sure yet.", "I haven't decided."),
        "pidgin": ("i never decide", "i no sure"),
        "indian": ("Not decided yet.", "Not sure as of now."),
        "french": ("I don't know yet.", "Not decided for the moment."),
    },
    "correct": {
        "fluent": ("Sorry, I meant {x}.", "Oh sorry, I meant {x}."),
        "pidgin": ("sorry i meant {x}", "abeg sorry, i meant {x}"),
        "indian": ("Sorry, I meant {x}.", "Sorry sir, I meant {x}."),
        "french": ("Pardon, I meant {x}.", "Sorry, I meant {x}."),
    },
    "also": {
        "fluent": ("Also, {x}", "Oh, and {x}"),
        "pidgin": ("also, {x}", "and again, {x}"),
        "indian": ("Also {x}", "Additionally, {x}"),
        "french": ("Also, {x}", "And also, {x}"),
    },
}
STAGE: dict[str, Two] = {
    "undergrad": ("an undergrad", "a third-year undergraduate"),
    "masters": ("a master's student", "a master's student in my second year"),
    "phd": ("a PhD student", "a PhD candidate"),
    "postdoc": ("a postdoc", "a postdoctoral researcher"),
    "engineer": ("an ML engineer", "a software engineer"),
    "researcher": ("a research scientist", "an independent researcher"),
    "faculty": ("a lecturer", "an assistant professor"),
    "other": ("a research assistant", "a project research assistant"),
}
STAGE_STYLE: dict[str, dict[str, Two]] = {
    "indian": {"phd": ("a PhD scholar", "a research scholar")},
    "french": {"masters": ("in master 2", "a master student")},
}
STAGE_SHORT = {
    "undergrad": "undergrad",
    "masters": "master's student",
    "phd": "PhD student",
    "postdoc": "postdoc",
    "engineer": "engineer",
    "researcher": "research scientist",
    "faculty": "lecturer",
    "other": "research assistant",
}
MODE: dict[str, dict[str, Two]] = {
    "fluent": {
        "pitch_idea": ("I have my own idea I'd like advice on.", "My own idea, I have early results."),
        "implement_idea": ("I'd rather build someone else's idea.", "Someone else's idea, I like building."),
        "either": ("Either is fine.", "Both work for me."),
    },
    "pidgin": {
        "pitch_idea": ("i get my own idea wey i wan show", "na my own idea, i don start am"),
        "implement_idea": ("i go like build another person idea", "another person idea, i go build am"),
        "either": ("any one dey okay", "both dey fine for me"),
    },
    "indian": {
        "pitch_idea": ("I am having my own idea, I need guidance.", "My own idea only."),
        "implement_idea": (
            "I prefer to implement someone else's idea.",
            "I will work on the idea of others.",
        ),
        "either": ("Either is fine for me.", "Both are okay."),
    },
    "french": {
        "pitch_idea": ("I have my proper idea and I want advices.", "My own idea, I have first results."),
        "implement_idea": (
            "I prefer to realise the idea of someone else.",
            "I would build the idea of another.",
        ),
        "either": ("The two are fine for me.", "Either, it is equal for me."),
    },
}
MODE_SHORT = {"pitch_idea": "my own idea", "implement_idea": "someone else's idea", "either": "either"}
SKILL: dict[str, Two] = {
    "read": ("reading papers", "reading"),
    "code": ("coding", "programming"),
    "idea": ("forming ideas", "coming up with ideas"),
    "write": ("writing", "writing papers"),
    "speak": ("speaking", "presenting"),
    "network": ("networking", "networking"),
}
HELP: dict[str, Two] = {
    "collaboration": ("collaborators", "people to collaborate with"),
    "mentorship": ("a mentor", "mentorship"),
    "compute": ("compute", "GPU time"),
    "feedback": ("feedback", "feedback on my drafts"),
    "study_group": ("a study group", "a reading group"),
}
GIVE: dict[str, Two] = {
    "collaboration": ("collaboration", "collaborating on a project"),
    "mentorship": ("mentoring", "mentoring students"),
    "compute": ("some GPU compute", "spare compute"),
    "feedback": ("feedback on drafts", "reviewing papers"),
    "study_group": ("joining a study group", "running a study group"),
}
# Newcomers' own questions, with the answer-set entry (prompts/answers) that answers each. Three
# name a fact (a stage, a skill, a time zone): a question is never a fact, so nothing of them
# may reach the card.
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("rfp", "What is an RFP?"),
    ("cost", "Is this free for a PhD student?"),
    ("cost", "Do I have to pay anything?"),
    ("six_skills", "What do you mean by forming ideas?"),
    ("privacy", "Who will see that I'm bad at writing?"),
    ("time_zone", "Why do you need my time zone, is UTC+1 okay?"),
    ("help_kinds", "What kinds of help can people get here?"),
    ("bot", "Am I talking to a real person?"),
    ("how_long", "How long will this take?"),
    ("mentor_mentee", "What is the difference between a mentor and a mentee?"),
    ("export_delete", "Can I delete my data later?"),
    ("what_is_mingle", "What is this site about?"),
)
ASKING: dict[str, Two] = {  # how each style frames a question
    "fluent": ("{x}", "Quick question: {x}"),
    "casual": ("{x}", "quick question {x}"),
    "pidgin": ("abeg {x}", "{x}"),
    "indian": ("{x}", "Sir, {x}"),
    "french": ("{x}", "Excuse me, {x}"),
}


def styled(text: str, style: str) -> str:
    """Mingle's-eye view of a style: lower case and no apostrophes (casual, pidgin), common
    misspellings and no final full stop (casual)."""
    if style in LOWER:
        text = text.lower().replace("'", "")
    if style == "casual":
        text = _TYPO.sub(lambda m: TYPOS[m.group(1)], text).rstrip(".")
    return text


def _pick(options: Two, rng: random.Random) -> str:
    return options[rng.randrange(2)]


def phrase(kind: str, style: str, rng: random.Random, x: str = "") -> str:
    """One wording of ``kind`` in ``style``; ``x`` is inserted as given (already styled)."""
    table = PHRASES[kind]
    template = _pick(table.get(style, table["fluent"]), rng)
    return styled(template, style).replace("{x}", x)


def _words(values: Any, table: Mapping[str, Two], style: str, rng: random.Random) -> str:
    return styled(_join([_pick(table[v], rng) for v in sorted(values)]), style)


def short(field: str, value: Any) -> str:
    """A value said briefly, as in "sorry, I meant X"."""
    if field == "career_stage":
        return STAGE_SHORT[value]
    if field == "project_mode":
        return MODE_SHORT[value]
    if field == "utc_offset":
        return _utc(value)
    return f"{value} hours a week"


def render_slot(slot: str, values: Mapping[str, Any], style: str, rng: random.Random) -> str:
    """The facts ``values`` (contract fields of ``slot``, known ones only) said in ``style``."""
    if slot == "practical":
        parts = []
        for field in ("utc_offset", "hours_per_week", "languages"):
            if field not in values:
                continue
            value = values[field]
            if field == "utc_offset":
                x = _utc(value)
            elif field == "hours_per_week":
                x = str(value)
            else:
                x = _join([LANGUAGE_NAMES.get(code, code) for code in sorted(value)])
            parts.append(phrase(field, style, rng, styled(x, style)))
        text = ", ".join(parts)
        return text if style in LOWER else text[0].upper() + text[1:] + "."
    value = values[slot]
    if slot == "topics":
        x = _join(list(value))
        return phrase(slot, style, rng, x.lower() if style in LOWER else x)
    if slot == "career_stage":
        stages = STAGE_STYLE.get(style, {}).get(value, STAGE[value])
        return phrase(slot, style, rng, styled(_pick(stages, rng), style))
    if slot == "project_mode":
        return styled(_pick(MODE.get(style, MODE["fluent"])[value], rng), style)
    table = SKILL if slot in ("skills_have", "skills_want") else HELP if slot == "seeking" else GIVE
    return phrase(slot, style, rng, _words(value, table, style, rng))


def question(index: int, style: str, rng: random.Random) -> tuple[str, str]:
    """(expected answer-set entry id, the newcomer's question ``index`` as written in ``style``)."""
    entry, text = QUESTIONS[index]
    framing = _pick(ASKING[style], rng)
    if framing.startswith(("Quick", "Sir", "Excuse")):
        text = text[0].lower() + text[1:]
    return entry, styled(framing.replace("{x}", text), style)
