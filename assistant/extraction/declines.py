"""Is this answer a decline of the question just asked? One rule, used by the extractor (the
field stays empty and is recorded as declined) and by the interview (the slot is not asked
again, and the next question opens with "No problem.").

    is_decline(text) = the whole answer is a skip ("skip", "not sure", "dunno", "-")
                       or a short answer (≤ 12 words) that opens by declining
                       ("I'd rather not say", "pass", "prefiero no decirlo")

Both phrase lists are data: ``decline`` and ``skip`` in ``lexicons/conversation.json``. Runs of
whitespace are read as one space, and ``skip`` takes each run whole (``\\s*+``), so no answer,
however long, is matched in more than linear time.
"""

from __future__ import annotations

import re
from functools import cache

from assistant.extraction.rules_text import fold, lexicon

SHORT = 12


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    cues = lexicon("conversation")
    return re.compile(cues["decline"]), re.compile(cues["skip"])


def is_decline(text: str) -> bool:
    """A short answer that declines the question ("I'd rather not say", "skip", "not sure")."""
    low = " ".join(fold(text).split())
    opens_declining, whole_skip = _patterns()
    return bool(whole_skip.match(low)) or (len(low.split()) <= SHORT and bool(opens_declining.match(low)))
