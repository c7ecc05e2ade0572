"""The intake extraction eval: replay transcripts through an extractor, score against gold.

    run_intake_eval(data_file, out_dir, extractor) -> metrics

``data_file`` is JSON Lines as in PRODUCT.md (``{"id", "turns", "gold"}``; see
``evals/data/README.md``). Every case is replayed through ``extractor.extract(turns)``; the
run writes ``out_dir/predictions.jsonl`` (``{"id", "profile": {ten contract fields}}``, sets
as sorted lists) and ``out_dir/metrics.json`` (the formulas are in ``evals.intake_metrics``),
with the extractor's source, the data file, the case count and the mean extraction time.
A missing file or a malformed line raises ``InputError`` naming the file and the line.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistant.extraction.port import Extractor
from evals.intake_metrics import score
from store.domain import CONTRACT_FIELDS, Message
from store.errors import InputError


def load_cases(data_file: Path) -> list[dict[str, Any]]:
    """Read and check every case: an id, a list of turns (role + content), an optional gold."""
    try:
        lines = data_file.read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, IsADirectoryError, PermissionError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read the intake data file {data_file}: {error}") from error
    cases: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{data_file}, line {number}"
        try:
            case = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"{where} is not valid JSON: {error.msg}") from error
        if not isinstance(case, dict) or not isinstance(case.get("id"), str):
            raise InputError(f"{where}: each case needs a string 'id'")
        try:
            turns = case.get("turns") or []
            case["messages"] = [Message(role=t["role"], content=t["content"]) for t in turns]
        except (KeyError, TypeError, ValidationError) as error:
            shape = "'turns' must be a list of {'role', 'content'} objects"
            raise InputError(f"{where}: {shape} ({error})") from error
        gold = case.get("gold", {})
        if not isinstance(gold, dict) or set(gold) - set(CONTRACT_FIELDS):
            raise InputError(f"{where}: 'gold' must be an object with contract fields only")
        cases.append(case)
    return cases


def run_intake_eval(data_file: Path, out_dir: Path, extractor: Extractor) -> dict[str, Any]:
    """Replay every case, write predictions.jsonl and metrics.json into ``out_dir``, return metrics."""
    cases = load_cases(data_file)
    out_dir.mkdir(parents=True, exist_ok=True)
    pairs: list[tuple[dict[str, object], dict[str, object]]] = []
    rows: list[str] = []
    source = "unknown"
    elapsed = 0.0
    for case in cases:
        started = time.perf_counter()
        extraction = extractor.extract(case["messages"])
        elapsed += time.perf_counter() - started
        source = extraction.source
        profile = extraction.fields.contract()
        pairs.append((profile, case.get("gold", {})))
        rows.append(json.dumps({"id": case["id"], "profile": profile}, ensure_ascii=False))
    metrics = score(pairs)
    metrics.update(by_style(cases, pairs))
    metrics.update(
        {
            "data_file": str(data_file),
            "extractor": source,
            "mean_extract_ms": 1000 * elapsed / len(cases) if cases else 0.0,
        }
    )
    (out_dir / "predictions.jsonl").write_text("".join(row + "\n" for row in rows), encoding="utf-8")
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    return metrics


def by_style(
    cases: list[dict[str, Any]], pairs: list[tuple[dict[str, object], dict[str, object]]]
) -> dict[str, Any]:
    """Where cases name their ``style``: micro-F1 per style, and the style gap over the cases
    that come in ``pair``s (the same facts written fluently and in an everyday style): the
    fluent micro-F1 minus the everyday one. Nothing when the data has no styles."""
    styles: dict[str, list[tuple[dict[str, object], dict[str, object]]]] = {}
    paired: dict[str, list[tuple[dict[str, object], dict[str, object]]]] = {"fluent": [], "everyday": []}
    for case, pair in zip(cases, pairs, strict=True):
        if not isinstance(style := case.get("style"), str):
            continue
        styles.setdefault(style, []).append(pair)
        if case.get("pair"):
            paired["fluent" if style == "fluent" else "everyday"].append(pair)
    if not styles:
        return {}
    out: dict[str, Any] = {"per_style": {s: score(p)["micro"]["f1"] for s, p in sorted(styles.items())}}
    if paired["fluent"] and paired["everyday"]:
        fluent, everyday = (score(paired[k])["micro"]["f1"] for k in ("fluent", "everyday"))
        out["style_gap"] = {"fluent": fluent, "everyday": everyday, "gap": fluent - everyday}
    return out
