"""The offline answer-set eval: newcomers' questions → the right answer, or an honest "I don't know".

    run_questions_eval(data_file, book) -> metrics

``data_file`` is JSON Lines, ``{"id", "question", "expected": <answer id> | null, "style"?}``
(``evals/data/questions_dev.jsonl`` to tune on, ``questions_test.jsonl`` held out, see the data
README). Metrics: ``answered_right`` (of the answerable, the share given the right entry),
``wrong_answers`` (answerable questions given another entry), ``false_answers`` (of the
unanswerable, the share that got an answer anyway), and per style.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from assistant.conversation.answers import AnswerBook
from store.errors import InputError


def load_questions(data_file: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(data_file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{data_file}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("question"), str) or "expected" not in row:
            raise InputError(f"{data_file}:{number}: needs 'question' (text) and 'expected' (id or null)")
        rows.append(row)
    return rows


def run_questions_eval(data_file: Path, book: AnswerBook) -> dict[str, Any]:
    rows = load_questions(data_file)
    known = {e.id for e in book.entries}
    unknown_ids = {r["expected"] for r in rows if r["expected"] is not None} - known
    if unknown_ids:
        raise InputError(f"{data_file}: expected ids not in the answer set: {sorted(unknown_ids)}")
    right = wrong = false = answerable = unanswerable = 0
    styles: dict[str, list[bool]] = defaultdict(list)
    misses: list[dict[str, Any]] = []
    for row in rows:
        found = book.find(row["question"])
        got = found.entry.id if found is not None else None
        ok = got == row["expected"]
        styles[str(row.get("style", "-"))].append(ok)
        if row["expected"] is None:
            unanswerable += 1
            false += got is not None
        else:
            answerable += 1
            right += ok
            wrong += got is not None and not ok
        if not ok:
            misses.append({"id": row.get("id"), "expected": row["expected"], "got": got})
    return {
        "data": str(data_file),
        "questions": len(rows),
        "answered_right": right / answerable if answerable else 0.0,
        "wrong_answers": wrong,
        "false_answers": false / unanswerable if unanswerable else 0.0,
        "accuracy": sum(ok for oks in styles.values() for ok in oks) / len(rows) if rows else 0.0,
        "per_style": {s: sum(oks) / len(oks) for s, oks in sorted(styles.items())},
        "misses": misses,
    }
