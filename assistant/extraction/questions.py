"""Which sentences are questions or hypotheticals: never facts about the person.

    words(text)            -> lower-case word tokens (apostrophes kept)
    split_sentences(text)  -> the sentences as written, each with its end marks
    is_question(sentence)  -> it opens as a question to Mingle ("what is an rfp", "is it free?",
                              "what do you mean by forming ideas?", "i dont understand what rfp means")
    is_hypothetical(sentence) -> "if i had a gpu ...", "imagine ...", "suppose ..."

A question is decided by how the sentence *opens*, so an answer that ends in a question mark
stays an answer: "coding?" (unsure), "I work on NLP, is that ok?" (a tag). A request for help
phrased as a question ("can i get a mentor?", "could someone help me with writing?") is an
answer too: it says what the person wants. An auxiliary opener counts only before a pronoun
("do you ...", "is it ..."; "do NLP research" is an answer), and a wh-word without a question
mark only before an auxiliary ("what is an rfp", "how does matching work"; "what i'm good at
is ideas" and "how to read papers properly" are answers).

Linear in the length of the text: one ``finditer`` of two disjoint character classes, and
set lookups on the first few words.
"""

from __future__ import annotations

import re


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"[\w']+")
_SENTENCE = re.compile(r"[^.!?\n。？！]+[.!?。？！]*")

WH = _set(
    "what whats what's wat wht whats' how hows how's who whos who's whom whose why where wheres "
    "where's when whens which wetin kilode kya kaise kyun qué que quoi pourquoi comment cómo como"
)
WH_IS = _set("whats what's hows how's whos who's wheres where's whens")  # "what is" in one word
AUX = _set(
    "is isnt isn't are arent aren't am can cant can't could do does doesnt doesn't did will "
    "wont won't would should shall may might must"
)
COPULA = _set("is are was were")
PRONOUN = _set("i you u it this that there we they he she mingle my your these those someone")
LEADERS = _set(
    "and so but also ok okay sorry hi hello hey btw then wait um umm hmm oh pls plz please kindly "
    "abeg sir madam ma excuse me mingle question"
)
ASKING = (
    ("i", "dont", "understand"),
    ("i", "don't", "understand"),
    ("i", "do", "not", "understand"),
    ("i", "didnt", "understand"),
    ("i", "didn't", "understand"),
    ("dont", "understand"),
    ("i", "wonder"),
    ("i", "want", "to", "know"),
    ("i", "would", "like", "to", "know"),
    ("id", "like", "to", "know"),
    ("i'd", "like", "to", "know"),
    ("tell", "me", "what"),
    ("tell", "me", "how"),
    ("tell", "me", "about"),
    ("explain",),
    ("please", "explain"),
    ("meaning", "of"),
)
LEAD_INS = [["quick", "question"], ["a", "question"], ["one", "question"], ["small", "question"]]
# "i dont know what X means" asks; "i dont know what i can offer" is an unsure answer
UNSURE_WHAT = (
    ("not", "sure", "what"),
    ("i", "dont", "know", "what"),
    ("i", "don't", "know", "what"),
    ("i", "do", "not", "know", "what"),
    ("idk", "what"),
    ("no", "idea", "what"),
    ("im", "not", "sure", "what"),
    ("i'm", "not", "sure", "what"),
)
MEANING = _set("mean means meant meaning is are stand stands")
# what a request for help names: then "can i get ...?" says what the person wants
HELP_NOUNS = _set(
    "mentor mentors mentorship mentoring collaborator collaborators collaboration collaborate "
    "partner partners compute gpu gpus feedback advisor adviser supervisor teammate teammates "
    "someone somebody anyone anybody people group"
)
HYPOTHETICAL = (
    ("if", "i", "had"),
    ("if", "i", "were"),
    ("if", "i", "was"),
    ("if", "i", "could", "have"),
    ("imagine",),
    ("suppose",),
    ("hypothetically",),
)


def words(text: str) -> list[str]:
    return [w.strip("'") for w in _WORD.findall(text.lower().replace("’", "'")) if w.strip("'")]


def split_sentences(text: str) -> list[str]:
    return [s for m in _SENTENCE.finditer(text) if (s := m.group(0).strip())]


def _opens(ws: list[str], phrases: tuple[tuple[str, ...], ...]) -> bool:
    return any(tuple(ws[: len(p)]) == p for p in phrases)


def is_question(sentence: str) -> bool:
    """The sentence opens as a question to Mingle (see the module docstring)."""
    ws = words(sentence)[:14]
    while ws and len(ws) > 1 and (ws[0] in LEADERS or ws[:2] in LEAD_INS):
        ws = ws[2:] if ws[:2] in LEAD_INS else ws[1:]
    if not ws:
        return False
    if _opens(ws, ASKING):
        return True
    if _opens(ws, UNSURE_WHAT):
        return bool(MEANING.intersection(ws[3:]))
    marked = sentence.rstrip().endswith(("?", "？"))
    head, second = ws[0], ws[1] if len(ws) > 1 else ""
    if head in WH:  # unmarked, only "what is ...", "how does ...": not "what i'm good at is", "how to"
        if marked:
            return True
        opens = head in WH_IS or second in AUX or second in ("was", "were", "s")
        return opens and not COPULA.intersection(ws[2:])  # "what would help most is compute"
    if head in AUX and second in PRONOUN:
        # a request names help: "can i get a mentor?", "could someone give me feedback?"
        return not (second in ("i", "someone", "there") and HELP_NOUNS.intersection(ws[2:]))
    return False


def is_hypothetical(sentence: str) -> bool:
    return _opens(words(sentence)[:4], HYPOTHETICAL)
