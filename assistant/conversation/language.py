"""Which language a message is written in, offline (lingua's statistical models, shipped in its
wheel; nothing is downloaded).

    written_in(text) -> "fr", "vi", ... when a message is confidently not English, else None

Only languages people here are likely to write are considered (fewer candidates, fewer
mistakes on short, informal text: with all 75, "phd student" reads as Czech); English mixed
with other words ("i dey work on malaria", "myself priya doing masters") stays English. The
detector is built once with its models loaded up front (~0.4 s, ~50 MB, at warm-up), then costs
about a millisecond a message; the text it reads is capped, so a long message costs no more
than a short one.
"""

from __future__ import annotations

import threading
from functools import cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from assistant.extraction.questions import words
from assistant.extraction.rules_text import lexicon

CONFIDENT = 0.9
MIN_WORDS = 4  # words left once names of places and languages, numbers and units are set aside
READ = 600  # characters: enough to tell a language
# Words only English uses this often: two of them and a message is English ("I work on
# diffusion models for CT scans" reads as French to the low-accuracy models).
ENGLISH = frozenset(
    ["i", "i'm", "im", "the", "and", "to", "of", "for", "is", "my", "with", "am", "this", "that",
     "have", "work", "want", "what", "are", "you", "would", "like", "can", "need", "how"]
)  # fmt: skip
CANDIDATES = (
    Language.ENGLISH, Language.FRENCH, Language.SPANISH, Language.PORTUGUESE, Language.GERMAN,
    Language.ITALIAN, Language.VIETNAMESE, Language.CHINESE, Language.JAPANESE, Language.KOREAN,
    Language.HINDI, Language.BENGALI, Language.TAMIL, Language.URDU, Language.ARABIC,
    Language.PERSIAN, Language.TURKISH, Language.RUSSIAN, Language.UKRAINIAN, Language.POLISH,
    Language.DUTCH, Language.INDONESIAN, Language.MALAY, Language.THAI, Language.SWAHILI,
    Language.YORUBA,
)  # fmt: skip
_lock = threading.Lock()


@cache
def _built() -> LanguageDetector:
    builder = LanguageDetectorBuilder.from_languages(*CANDIDATES).with_low_accuracy_mode()
    return builder.with_preloaded_language_models().build()  # loaded at warm-up, not on a first message


def detector() -> LanguageDetector:
    with _lock:  # two first messages at once build it once
        return _built()


@cache
def _names() -> frozenset[str]:
    """Words that say nothing of the language they are written in: places, language names, units."""
    places, languages = lexicon("places"), lexicon("languages")
    units = ("hr", "hrs", "hour", "hours", "h", "per", "week", "weekly", "wk", "a", "utc", "gmt")
    return frozenset([*places["countries"], *places["cities"], *languages["languages"], *units])


def written_in(text: str) -> str | None:
    """The ISO 639-1 code of a message confidently written in another language than English
    ("lagos, 5 hrs, english yoruba" is a list of names: English, or rather no language at all)."""
    names = _names()
    said = words(text[:READ])
    if len(ENGLISH.intersection(said)) >= 2:  # the detector's low-accuracy mode can call that French
        return None
    kept = [w for w in said if w not in names and not w.isdigit()]
    if len(kept) < MIN_WORDS:
        return None
    values = detector().compute_language_confidence_values(" ".join(kept))
    if not values:
        return None
    top = values[0]
    if top.language == Language.ENGLISH or top.value < CONFIDENT:
        return None
    return top.language.iso_code_639_1.name.lower()
