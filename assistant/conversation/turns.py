"""What kind of turn a message is, decided before anything is read from it. Pure, offline.

    classify(text) -> Turn(kind, questions)

The kinds follow the repair patterns of dialogue systems (Rasa CALM's interruption,
clarification, repeat, cancel/start over, chitchat, skip, completed), in this order:

- ``repeat``: the whole message asks to hear the question again or differently ("what?",
  "say again", "i dont understand", "what do you mean?");
- ``restart``: the whole message asks to start over ("start over", "can we restart");
- ``smalltalk``: the whole message is a greeting or thanks ("hi", "thank you!", "ok");
- ``skip`` and ``done``: the interview's own rules (``is_decline``, ``wants_to_finish``);
- ``question``: every sentence is a question to Mingle ("what is an RFP?", "is this free?");
  a request for help phrased as a question ("can i get a mentor?") is an answer, and so is a
  short unsure answer ("coding?");
- ``answer``: anything else, possibly with questions in it (``questions`` holds them).

Questions are never facts: the extractor leaves question sentences out (``is_question``), and
this module is the one rule for what a question is. Everything is linear in the length of the
message: sentence splitting is a scan, phrase tests are set lookups and ``startswith``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from assistant.conversation.interview import wants_to_finish
from assistant.extraction.declines import is_decline
from assistant.extraction.questions import is_question, split_sentences, words


class TurnKind(StrEnum):
    answer = "answer"
    question = "question"
    repeat = "repeat"
    restart = "restart"
    smalltalk = "smalltalk"
    skip = "skip"
    done = "done"


ASIDES = frozenset({TurnKind.question, TurnKind.repeat, TurnKind.restart, TurnKind.smalltalk})


@dataclass(frozen=True)
class Turn:
    kind: TurnKind
    questions: tuple[str, ...] = field(default=())  # the question sentences, as written
    reply: str = ""  # small talk: what to say back


def _phrases(*items: str) -> frozenset[str]:
    return frozenset(" ".join(words(item)) for item in items)


REPEAT = _phrases(
    "what",
    "what?",
    "sorry",
    "sorry?",
    "pardon",
    "pardon me",
    "huh",
    "eh",
    "hmm",
    "come again",
    "say again",
    "say that again",
    "say it again",
    "again",
    "again please",
    "repeat",
    "repeat please",
    "please repeat",
    "can you repeat",
    "could you repeat",
    "can you repeat that",
    "repeat the question",
    "what was the question",
    "what is the question",
    "whats the question",
    "what do you mean",
    "what you mean",
    "wdym",
    "i dont understand",
    "i don't understand",
    "dont understand",
    "don't understand",
    "i didnt understand",
    "i didn't understand",
    "i did not understand",
    "i dont get it",
    "i don't get it",
    "not clear",
    "unclear",
    "i dont understand the question",
    "i don't understand the question",
    "what does that mean",
    "what does this mean",
    "can you explain",
    "could you explain",
    "explain please",
    "please explain",
    "can you rephrase",
    "rephrase",
    "rephrase please",
    "no entiendo",
    "je ne comprends pas",
    "não entendi",
    "nao entendi",
    "comment",
    "quoi",
    "como",
    "cómo",
)
RESTART = _phrases(
    "start over",
    "start again",
    "restart",
    "reset",
    "begin again",
    "start from scratch",
    "from the beginning",
    "start from the beginning",
    "can we start over",
    "can we start again",
    "can i start over",
    "can i start again",
    "let's start over",
    "lets start over",
    "let me start over",
    "let me start again",
    "i want to start over",
    "i want to start again",
    "clear everything",
    "erase everything and start again",
    "empezar de nuevo",
    "recommencer",
)
SMALLTALK = _phrases(
    "hi",
    "hello",
    "hey",
    "hiya",
    "yo",
    "hola",
    "salut",
    "bonjour",
    "namaste",
    "hi there",
    "hello there",
    "hello mingle",
    "hi mingle",
    "hey mingle",
    "good morning",
    "good afternoon",
    "good evening",
    "gm",
    "thanks",
    "thank you",
    "thank you so much",
    "thanks a lot",
    "thx",
    "ty",
    "merci",
    "gracias",
    "obrigado",
    "obrigada",
    "ok",
    "okay",
    "k",
    "kk",
    "ok thanks",
    "okay thanks",
    "cool",
    "nice",
    "great",
    "awesome",
    "lol",
    "haha",
    "how are you",
    "how are you doing",
    "how r u",
    "hru",
    "whats up",
    "what's up",
    "sup",
    "nice to meet you",
    "pleased to meet you",
    "good",
    "fine",
    "alright",
    "all right",
)


THANKS = ("thank", "thanks", "thx", "ty", "merci", "gracias", "obrigad")
GREETINGS = ("hi", "hello", "hey", "hiya", "yo", "hola", "salut", "bonjour", "namaste", "good", "gm")


def _small_reply(whole: str) -> str:
    if whole.startswith(THANKS) or whole.endswith("thanks"):
        return "You're welcome!"
    if "how are" in whole or whole in ("how r u", "hru", "whats up", "what's up", "sup"):
        return "I'm well, thank you for asking!"
    if whole.startswith(GREETINGS) and whole not in ("good", "fine"):
        return "Hello, nice to meet you!"
    return ""


UNSURE = (
    ("dont", "know"), ("don't", "know"), ("do", "not", "know"), ("not", "sure"), ("no", "idea"),
    ("new", "to"), ("beginner",), ("idk",), ("no", "clue"), ("never", "done"),
)  # fmt: skip


def sounds_unsure(text: str) -> bool:
    """The person says they don't know or are new ("i dont know what to say", "i am beginner")."""
    ws = words(text[:400])
    return any(tuple(ws[i : i + len(p)]) == p for i in range(len(ws)) for p in UNSURE)


def _whole(text: str) -> str:
    return " ".join(words(text))


def classify(text: str) -> Turn:
    """The kind of one interview message (commands and searches are told apart before)."""
    whole = _whole(text)
    if whole in REPEAT:
        return Turn(TurnKind.repeat)
    if whole in RESTART:
        return Turn(TurnKind.restart)
    if whole in SMALLTALK:
        return Turn(TurnKind.smalltalk, reply=_small_reply(whole))
    if is_decline(text):
        return Turn(TurnKind.skip)
    if wants_to_finish(text):
        return Turn(TurnKind.done)
    sentences = split_sentences(text)
    questions = tuple(s for s in sentences if is_question(s))
    if questions and len(questions) == len(sentences):
        return Turn(TurnKind.question, questions)
    return Turn(TurnKind.answer, questions)
