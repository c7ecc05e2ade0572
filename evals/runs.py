"""Eval runs as files, compared run against run, and drawn for people who'd rather look.

    save_run(kind, metrics, settings, out_root) -> out_root/<UTC timestamp>-<kind>/   (holds run.json)
    default_root(data_dir) -> data_dir/eval-runs   (where `mingle eval …` keeps runs unless told)
    compare_runs(a, b) -> {"a": header, "b": header, "metrics": {key: {"a", "b", "delta"}}, "changed": ...}
    format_compare(comparison) -> str
    write_html_report(run_dir) -> run_dir/report.html

run.json: ``kind``, ``created_at`` (UTC, ISO 8601), ``git_sha`` (``git rev-parse HEAD`` of the code's
checkout, "unknown" outside a git checkout) and ``git_dirty`` (uncommitted changes: the sha alone
does not reproduce the run), ``settings`` (secrets redacted: URL passwords and keys named like
key/secret/password/token), ``model_ids`` (given, or the settings whose name mentions "model"),
``prompt_versions`` (every prompt in ``prompts``: its newest version, the one ``render`` uses by
default, and all versions on disk) and ``metrics``.

Comparison flattens nested metrics to dotted keys ("fields.topics.f1", "turns.mean") and keeps
the numbers (booleans and lists are left out): delta = b − a; a key present in only one run
has ``None`` on the other side and no delta.

report.html is self-contained: plotly.js is inlined (``include_plotlyjs=True``), no CDN, so it
opens offline. It draws what the metrics hold: per-field P/R/F1 bars (intake eval, or the
``field_scores`` of an interview simulation), slot coverage bars and a turns histogram
(interview simulation), and otherwise every top-level number.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import prompts
from store.errors import InputError

RUN_FILE = "run.json"
SECRET_KEY = re.compile(r"key|secret|password|token", re.IGNORECASE)
URL_PASSWORD = re.compile(r"(://[^:/@]+:)[^@]*@")
CODE_ROOT = Path(__file__).resolve().parent.parent


def default_root(data_dir: Path) -> Path:
    """Where runs are kept unless a command is told otherwise: in the data dir, not the checkout."""
    return data_dir.expanduser().resolve() / "eval-runs"


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=CODE_ROOT, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def git_state() -> tuple[str, bool | None]:
    """(HEAD sha or "unknown", whether tracked files have uncommitted changes or None)."""
    sha = _git("rev-parse", "HEAD")
    if not sha:
        return "unknown", None
    status = _git("status", "--porcelain", "--untracked-files=no")
    return sha, None if status is None else bool(status)


def prompt_versions() -> dict[str, dict[str, Any]]:
    """{name: {"newest": "vN", "all": [...]}} for every prompt in the package."""
    out: dict[str, dict[str, Any]] = {}
    for name in prompts.names():
        found = prompts.versions(name)
        out[name] = {"newest": found[-1] if found else None, "all": found}
    return out


def redact_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings safe to write down: URL passwords hidden, secret-looking keys replaced."""
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if SECRET_KEY.search(key) and value not in (None, ""):
            out[key] = "***"
        elif isinstance(value, str):
            out[key] = URL_PASSWORD.sub(r"\1***@", value)
        elif isinstance(value, Path):
            out[key] = str(value)
        else:
            out[key] = value
    return out


def save_run(
    kind: str,
    metrics: Mapping[str, Any],
    settings: Mapping[str, Any],
    out_root: Path,
    model_ids: Mapping[str, Any] | None = None,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Path:
    """Write ``out_root/<UTC timestamp>-<kind>/run.json`` and return that run directory.

    Two runs stamped in the same second get ``-2``, ``-3``… suffixes; the directory is made
    with ``exist_ok=False`` so two processes never share one.
    """
    if not re.fullmatch(r"[a-z][a-z0-9_-]*", kind):
        raise InputError(f"run kind {kind!r} must be lowercase letters, digits, '-' or '_'")
    now = clock()
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    out_root.mkdir(parents=True, exist_ok=True)
    run_dir = out_root / f"{stamp}-{kind}"
    n = 2
    while True:
        try:
            run_dir.mkdir()
            break
        except FileExistsError:  # two runs in the same second
            run_dir = out_root / f"{stamp}-{kind}-{n}"
            n += 1
    clean = redact_settings(settings)
    sha, dirty = git_state()
    record = {
        "kind": kind,
        "created_at": now.isoformat(timespec="seconds"),
        "git_sha": sha,
        "git_dirty": dirty,
        "settings": clean,
        "model_ids": dict(model_ids)
        if model_ids is not None
        else {k: v for k, v in clean.items() if "model" in k},
        "prompt_versions": prompt_versions(),
        "metrics": dict(metrics),
    }
    text = json.dumps(record, indent=2, ensure_ascii=False, default=str)
    (run_dir / RUN_FILE).write_text(text + "\n", encoding="utf-8")
    return run_dir


def load_run(path: Path) -> dict[str, Any]:
    """A run from its directory or its run.json."""
    file = path / RUN_FILE if path.is_dir() else path
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as error:
        raise InputError(f"{path} holds no saved run ({RUN_FILE} not found)") from error
    except json.JSONDecodeError as error:
        raise InputError(f"{file} is not valid JSON: {error.msg}") from error
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise InputError(f"{file} is not a saved run: it has no 'metrics' object")
    return data


def flatten(metrics: Mapping[str, Any], prefix: str = "") -> dict[str, float]:
    """Nested dicts → {"a.b.c": number}; booleans, strings and lists are left out."""
    out: dict[str, float] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, name + "."))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[name] = value
    return out


def _header(path: Path, run: Mapping[str, Any]) -> dict[str, Any]:
    return {k: run.get(k) for k in ("kind", "created_at", "git_sha", "git_dirty")} | {"path": str(path)}


def compare_runs(a: Path, b: Path) -> dict[str, Any]:
    """Numeric deltas b − a over the flattened metrics, and what else changed between the runs."""
    run_a, run_b = load_run(a), load_run(b)
    flat_a, flat_b = flatten(run_a["metrics"]), flatten(run_b["metrics"])
    rows: dict[str, dict[str, float | None]] = {}
    for key in [*flat_a, *(k for k in flat_b if k not in flat_a)]:
        va, vb = flat_a.get(key), flat_b.get(key)
        rows[key] = {"a": va, "b": vb, "delta": vb - va if va is not None and vb is not None else None}
    changed = {}
    for part in ("settings", "model_ids", "prompt_versions"):
        sa, sb = run_a.get(part) or {}, run_b.get(part) or {}
        diff = {k: {"a": sa.get(k), "b": sb.get(k)} for k in sorted({*sa, *sb}) if sa.get(k) != sb.get(k)}
        if diff:
            changed[part] = diff
    return {"a": _header(a, run_a), "b": _header(b, run_b), "metrics": rows, "changed": changed}


def _num(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:d}" if isinstance(value, int) else f"{value:.4f}"


def _signed(delta: float | None) -> str:
    if delta is None:
        return "–"
    return f"{delta:+d}" if isinstance(delta, int) else f"{delta:+.4f}"


def format_compare(comparison: Mapping[str, Any], only_changed: bool = False) -> str:
    """A plain-text table: metric, A, B, delta (signed); then what else changed."""
    a, b = comparison["a"], comparison["b"]
    lines = [
        f"A: {a['path']}  ({a['kind']}, {a['created_at']}, {str(a['git_sha'])[:10]})",
        f"B: {b['path']}  ({b['kind']}, {b['created_at']}, {str(b['git_sha'])[:10]})",
        "",
    ]
    rows = [
        (key, _num(r["a"]), _num(r["b"]), _signed(r["delta"]))
        for key, r in comparison["metrics"].items()
        if not only_changed or r["delta"] is None or abs(r["delta"]) > 1e-12
    ]
    head = ("metric", "A", "B", "delta")
    widths = [max(len(str(row[i])) for row in [head, *rows]) for i in range(4)]
    for row in [head, *rows]:
        lines.append(f"{row[0]:<{widths[0]}}  " + "  ".join(f"{row[i]:>{widths[i]}}" for i in range(1, 4)))
    for part, diff in comparison.get("changed", {}).items():
        lines += ["", f"{part} changed:"]
        for key, d in diff.items():
            lines.append(f"  {key}: {json.dumps(d['a'], default=str)} → {json.dumps(d['b'], default=str)}")
    return "\n".join(lines) + "\n"


# --- report.html ----------------------------------------------------------------------------


def _figures(metrics: Mapping[str, Any]) -> list[Any]:
    import plotly.graph_objects as go

    figures = []
    fields = metrics.get("fields") or (metrics.get("field_scores") or {}).get("fields")
    if isinstance(fields, Mapping) and fields:
        names = list(fields)
        fig = go.Figure(
            [go.Bar(name=m, x=names, y=[fields[n][m] for n in names]) for m in ("precision", "recall", "f1")]
        )
        fig.update_layout(title="Per-field precision, recall and F1", barmode="group", yaxis_range=[0, 1.05])
        figures.append(fig)
    coverages = (
        ("slot_coverage", "Slot coverage (all known)"),
        ("slot_coverage_answered", "Slot coverage (answered)"),
    )
    for key, title in coverages:
        coverage = metrics.get(key)
        if isinstance(coverage, Mapping) and coverage:
            fig = go.Figure([go.Bar(x=list(coverage), y=list(coverage.values()))])
            fig.update_layout(title=title, yaxis_range=[0, 1.05])
            figures.append(fig)
    turns = metrics.get("turns_per_case")
    if isinstance(turns, list) and turns:
        fig = go.Figure([go.Histogram(x=turns, xbins={"size": 1})])
        fig.update_layout(title="Turns to the card (answers sent)", xaxis_title="turns", yaxis_title="cases")
        figures.append(fig)
    if not figures:
        top = {k: v for k, v in metrics.items() if isinstance(v, int | float) and not isinstance(v, bool)}
        if top:
            fig = go.Figure([go.Bar(x=list(top), y=list(top.values()))])
            fig.update_layout(title="Metrics")
            figures.append(fig)
    return figures


def write_html_report(run_dir: Path) -> Path:
    """``run_dir/report.html``: the run's header, its top-level numbers, and plots (offline)."""
    run = load_run(run_dir)
    folder = run_dir if run_dir.is_dir() else run_dir.parent
    metrics = run["metrics"]
    flat = flatten(metrics)
    summary = {k: v for k, v in flat.items() if k.count(".") <= 1 and not k.startswith("fields.")}
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{html.escape(_num(v))}</td></tr>" for k, v in summary.items()
    )
    plots = [
        fig.to_html(full_html=False, include_plotlyjs=(i == 0)) for i, fig in enumerate(_figures(metrics))
    ]
    title = f"Mingle eval: {run.get('kind')} — {run.get('created_at')}"
    dirty = " (uncommitted changes)" if run.get("git_dirty") else ""
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}}
td{{padding:2px 12px}} tr:nth-child(even){{background:#f4f4f4}} code{{font-size:90%}}</style></head>
<body><h1>{html.escape(title)}</h1>
<p>git <code>{html.escape(str(run.get("git_sha")))}</code>{dirty};
models <code>{html.escape(json.dumps(run.get("model_ids", {}), default=str))}</code></p>
<table>{rows}</table>
{"".join(plots)}
</body></html>
"""
    path = folder / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
