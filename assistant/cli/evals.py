"""`mingle eval …` and `mingle bench …`: evaluation and benchmark programs (not tests)."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.common import ExtractorKind, JsonFlag, err, extractor, out, print_json
from assistant.settings import load_settings

eval_app = typer.Typer(
    help="Offline evaluations: programs that write runs and print reports.", no_args_is_help=True
)

RunsDir = Annotated[
    Path | None,
    typer.Option("--runs", help="Where the run is kept (default: DATA_DIR/eval-runs, see MINGLE_DATA_DIR)."),
]


@eval_app.command("expertise")
def eval_expertise(
    data: Annotated[
        Path, typer.Option(help="The goldstandard benchmark folder (evaluations.csv and the tar.xz).")
    ],
    out: Annotated[Path, typer.Option(help="Where to write scores_d_20_<x>.json and the report.")],
    folds: Annotated[int, typer.Option(min=2, help="Cross-validation folds over participants.")] = 5,
) -> None:
    """Score the public researcher ↔ paper expertise benchmark and compare with published results."""
    from rich.progress import Progress

    from assistant.services import open_embedder
    from evals.expertise import format_report, run_expertise

    embedder = open_embedder(load_settings())
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("embedding papers", total=None)
        report = run_expertise(
            data,
            out,
            embedder,
            folds=folds,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    sys.stdout.write(format_report(report) + "\n")


@eval_app.command("intake")
def eval_intake(
    data: Annotated[Path, typer.Option(help="A transcript file (JSON Lines with gold profiles).")],
    out: Annotated[Path, typer.Option(help="Where to write predictions.jsonl and metrics.json.")],
    kind: Annotated[
        ExtractorKind, typer.Option("--extractor", help="Which extractor reads the transcripts.")
    ] = ExtractorKind.rules,
    runs: RunsDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Replay every transcript through the real extraction path; per-field precision, recall, F1."""
    from evals.intake import load_cases, run_intake_eval
    from evals.intake_report import load_predictions, write_intake_report

    metrics = run_intake_eval(data, out, extractor(kind))
    write_intake_report(load_cases(data), load_predictions(out / "predictions.jsonl"), metrics, out)
    run_dir = _save_run("intake", metrics, {"data": str(data), "extractor": str(kind)}, runs)
    if as_json:
        print_json(metrics)
        return
    table = Table("field", "precision", "recall", "F1", title=f"intake extraction ({kind})")
    for field, m in metrics["fields"].items():
        table.add_row(field, f"{m['precision']:.3f}", f"{m['recall']:.3f}", f"{m['f1']:.3f}")
    console = Console()
    console.print(table)
    console.print(
        f"micro F1 {metrics['micro']['f1']:.3f} · macro F1 {metrics['macro_f1']:.3f} · "
        f"exact profiles {metrics['exact_profile_rate']:.1%} · written to {out} (report.md) · run {run_dir}"
    )


def _save_run(kind: str, metrics: Mapping[str, Any], extra: Mapping[str, Any], runs: Path | None) -> Path:
    """Every eval run is kept with its settings, git sha and prompt versions: under ``runs``, or
    else in the data dir (never in the code's checkout)."""
    from evals.runs import default_root, save_run, write_html_report

    settings = load_settings()
    config = {**settings.model_dump(mode="json"), **extra}
    run_dir = save_run(kind, metrics, config, runs or default_root(settings.data_dir))
    write_html_report(run_dir)
    return run_dir


@eval_app.command("questions")
def eval_questions(
    data: Annotated[Path, typer.Option(help="Questions with the expected answer id (JSON Lines).")],
    runs: RunsDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Newcomers' questions through the offline answer set: right answers, wrong and false ones."""
    from assistant.conversation.answers import AnswerBook
    from assistant.services import open_embedder
    from evals.questions import run_questions_eval

    metrics = run_questions_eval(data, AnswerBook(open_embedder(load_settings())))
    run_dir = _save_run("questions", metrics, {"data": str(data)}, runs)
    if as_json:
        print_json(metrics)
        return
    console = Console()
    table = Table("style", "accuracy", title=f"questions ({metrics['questions']})")
    for style, accuracy in metrics["per_style"].items():
        table.add_row(style, f"{accuracy:.2f}")
    console.print(table)
    console.print(
        f"answered right {metrics['answered_right']:.3f} · wrong answers {metrics['wrong_answers']} · "
        f"false answers {metrics['false_answers']:.3f} · run {run_dir}"
    )


@eval_app.command("interview")
def eval_interview(
    data: Annotated[Path, typer.Option(help="Transcripts with gold profiles: the simulated newcomers.")],
    seed: Annotated[int, typer.Option(help="Seed of the simulated newcomers' wording and refusals.")] = 0,
    kind: Annotated[
        ExtractorKind, typer.Option("--extractor", help="Which extractor reads the transcripts.")
    ] = ExtractorKind.rules,
    runs: RunsDir = None,
    as_json: JsonFlag = False,
) -> None:
    """A simulated newcomer answers the real interviewer from gold facts; coverage and turns."""
    from evals.intake import load_cases
    from evals.interview_sim import scratch_intake, simulate

    with scratch_intake(extractor(kind)) as intake:
        result = simulate(intake, load_cases(data), seed=seed)
    run_dir = _save_run("interview", result, {"data": str(data), "seed": seed, "extractor": str(kind)}, runs)
    if as_json:
        print_json(result)
        return
    Console().print_json(json.dumps(result, ensure_ascii=False))
    err.print(f"run saved in {run_dir}")


class QuestionMatch(StrEnum):
    """`--embedder` of `mingle eval conversation`."""

    model = "model"
    hashing = "hashing"


@eval_app.command("conversation")
def eval_conversation(
    data: Annotated[Path, typer.Option(help="Transcripts with gold profiles: the simulated newcomers.")],
    out: Annotated[Path, typer.Option(help="Where to write metrics.json and conversations.jsonl.")],
    seed: Annotated[int, typer.Option(help="Seed of the newcomers' habits and wording.")] = 0,
    kind: Annotated[
        ExtractorKind, typer.Option("--extractor", help="Which extractor reads the answers.")
    ] = ExtractorKind.rules,
    embedder: Annotated[
        QuestionMatch,
        typer.Option(
            help="How questions meet the answer set: the packaged model, as deployed, or words only."
        ),
    ] = QuestionMatch.model,
    runs: RunsDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Seeded newcomers in several styles (questions back, off-slot answers, corrections, skips,
    a pasted bio) talk to the real intake policy: card F1 per style, questions answered, repair."""
    from assistant.services import open_embedder
    from evals.conversation_metrics import summarize
    from evals.conversation_sim import simulate_conversations, write_run
    from evals.intake import load_cases
    from evals.interview_sim import scratch_intake

    chosen = open_embedder(load_settings()) if embedder is QuestionMatch.model else None
    with scratch_intake(extractor(kind), chosen) as intake:
        records, latencies = simulate_conversations(intake, load_cases(data), seed=seed)
    metrics = summarize(records, latencies)
    write_run(out, records, metrics)
    extra = {"data": str(data), "seed": seed, "extractor": str(kind), "embedder": str(embedder)}
    run_dir = _save_run("conversation", metrics, extra, runs)
    if as_json:
        print_json(metrics)
        return
    table = Table("style", "card micro F1", "vs full gold", "exact", title=f"conversations ({kind})")
    for style, m in metrics["card"].items():
        table.add_row(
            style, f"{m['micro_f1']:.3f}", f"{m['micro_f1_vs_gold']:.3f}", f"{m['exact_profile_rate']:.1%}"
        )
    console = Console()
    console.print(table)
    q, r, t, ms = metrics["questions"], metrics["recovery"], metrics["turns"], metrics["latency_ms"]
    console.print(
        f"style gap {metrics['style_gap']:.3f} (worst: {metrics['worst_everyday_style']}) · questions "
        f"answered {q['answered']}/{q['asked']} · recovered after a non-answer {r['recovered']}/"
        f"{r['non_answers']} · grounded in questions {metrics['grounded_in_questions']} · turns median "
        f"{t['median']} p90 {t['p90']} · handle p50 {ms['p50']} ms p95 {ms['p95']} ms · {out} · run {run_dir}"
    )


@eval_app.command("matching")
def eval_matching(
    out: Annotated[Path, typer.Option(help="Where to write metrics.json, the runs and report.txt.")],
    judgments: Annotated[Path, typer.Option(help="Graded newcomer × candidate pairs.")] = Path(
        "evals/data/match_judgments.jsonl"
    ),
    runs: RunsDir = None,
    as_json: JsonFlag = False,
) -> None:
    """nDCG@10, Recall@10 and MRR of Mingle's ranking against random, topic-only and one-sided
    baselines on the judged demo community, with ranx's significance tests."""
    from assistant.services import open_embedder
    from evals.match_quality import format_matching, run_matching_eval

    report = run_matching_eval(judgments, out, open_embedder(load_settings()))
    run_dir = _save_run("matching", report, {"judgments": str(judgments)}, runs)
    if as_json:
        print_json(report)
        return
    sys.stdout.write(format_matching(report) + "\n")
    err.print(f"run saved in {run_dir}")


@eval_app.command("fairness")
def eval_fairness(
    newcomers: Annotated[
        int | None, typer.Option(help="Only the first N newcomers (default: everyone).")
    ] = None,
    runs: RunsDir = None,
    as_json: JsonFlag = False,
) -> None:
    """Counterfactual invariance (names, pronouns, schools, countries, tone) and how attention
    spreads across people, against a pure-similarity ranking."""
    from assistant.services import open_embedder
    from evals.fairness import format_fairness, run_fairness_eval

    report = run_fairness_eval(open_embedder(load_settings()), newcomers=newcomers)
    run_dir = _save_run("fairness", report, {"newcomers": newcomers}, runs)
    if as_json:
        print_json(report)
        return
    sys.stdout.write(format_fairness(report) + "\n")
    err.print(f"run saved in {run_dir}")


@eval_app.command("compare")
def eval_compare(
    run_a: Annotated[Path, typer.Argument(help="A run folder (`mingle eval …` prints where it saved it).")],
    run_b: Annotated[Path, typer.Argument(help="Another run folder.")],
    changed: Annotated[bool, typer.Option("--changed", help="Only what changed.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """The deltas between two saved eval runs."""
    from evals.runs import compare_runs, format_compare

    comparison = compare_runs(run_a, run_b)
    if as_json:
        print_json(comparison)
        return
    sys.stdout.write(format_compare(comparison, only_changed=changed) + "\n")


bench_app = typer.Typer(help="Benchmarks: programs that print measurements, not tests.", no_args_is_help=True)


@bench_app.command("retrieval")
def bench_retrieval(
    profiles: Annotated[int, typer.Option(min=100, help="Synthetic people in the index.")] = 100_000,
    queries: Annotated[int, typer.Option(min=10, help="Newcomers to match.")] = 200,
    ingest_texts: Annotated[
        int, typer.Option(min=0, help="Texts for ingest vs raw encode (0 skips the model).")
    ] = 1000,
    as_json: JsonFlag = False,
) -> None:
    """Index build, match p50/p95, Chroma vs exact numpy, recall@10, memory, ingest vs encode."""
    from assistant.services import apply_offline_env, open_embedder
    from evals.bench_retrieval import BenchConfig, run_bench

    apply_offline_env()
    embedder = open_embedder(load_settings()) if ingest_texts else None
    result = run_bench(BenchConfig(profiles, queries, ingest_texts), embedder, lambda m: err.print(f"· {m}"))
    if as_json:
        print_json(result)
        return
    for key, value in result.items():
        out.print(f"{key:28} {value}", highlight=False)


@bench_app.command("intake")
def bench_intake(
    data: Annotated[Path, typer.Option(help="Transcripts whose user turns are replayed.")] = Path(
        "evals/data/intake_dev.jsonl"
    ),
    as_json: JsonFlag = False,
) -> None:
    """Per-turn latency of the real intake path (offline, after warm-up), p50/p95/max."""
    from assistant.services import build_services
    from evals.bench_intake import run_intake_bench

    result = run_intake_bench(build_services(load_settings()), data)
    if as_json:
        print_json(result)
        return
    for key, value in result.items():
        out.print(f"{key:20} {value}", highlight=False)


@bench_app.command("hostile")
def bench_hostile(
    repeats: Annotated[int, typer.Option(min=1, help="Runs per measurement; the worst is reported.")] = 5,
    case: Annotated[list[str] | None, typer.Option(help="Only this case (repeatable).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Adversarial 20,000-character messages: extraction and whole-turn time against plain text."""
    from evals.bench_hostile import CASES, run_hostile_bench

    unknown = sorted(set(case or ()) - set(CASES))
    if unknown:
        raise typer.BadParameter(f"unknown case {', '.join(unknown)}; cases: {', '.join(CASES)}")
    result = run_hostile_bench(repeats, case, lambda name: err.print(f"· {name}"))
    if as_json:
        print_json(result)
        return
    table = Table("case", "one turn", "20 turns", "handle", "next turn", "× plain", title="hostile (max ms)")
    for name, row in [("plain", {**result["plain"], "ratio_to_plain": 1.0}), *result["cases"].items()]:
        cells = ("one_turn_ms", "twenty_turns_ms", "handle_ms", "next_turn_ms", "ratio_to_plain")
        table.add_row(name, *(f"{row[c]:g}" for c in cells))
    Console().print(table)
    worst, median = result["worst_extraction"], result["worst_median_extraction_ms"]
    verdict = "meets" if result["meets_target"] else "does NOT meet"
    out.print(
        f"target: every extraction ≤ {result['target_ms']:g} ms — {verdict} it "
        f"(worst: {worst['case']}, {worst['ms']:g} ms; worst median {median:g} ms)",
        highlight=False,
    )
