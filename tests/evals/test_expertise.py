"""The expertise benchmark: metric arithmetic by hand, loader and run on a tiny synthetic dataset."""

from __future__ import annotations

import io
import json
import math
import tarfile
from pathlib import Path

import numpy as np
import pytest

from evals.expertise import ARCHIVE_FILE, SAMPLES, format_report, load_benchmark, run_expertise
from evals.expertise_metric import (
    DEFAULT,
    GRID,
    PairCounts,
    PaperSims,
    Setting,
    best_setting,
    expertise_metrics,
    folds_of,
    participant_counts,
    participant_scores,
    pooled,
    top_k_mean,
    zscores,
)
from retrieval.embedder import HashingEmbedder
from store.errors import InputError

REAL_DATA = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "goldstandard"  # beside the repo

# ------------------------------------------------------------------------------- the metric


def test_loss_weights_discordant_pairs_by_rating_gap() -> None:
    # ratings a=5, b=3, c=1; scores put b above a, c last.
    # pairs: (a,b) w=2 discordant -> 2; (a,c) w=4 concordant -> 0; (b,c) w=2 concordant -> 0
    metrics = expertise_metrics({"p": {"a": 5.0, "b": 3.0, "c": 1.0}}, {"p": {"a": 0.5, "b": 0.9, "c": 0.1}})
    assert metrics.loss == pytest.approx(2 / (2 + 4 + 2))
    assert metrics.pairs == 3
    # easy pairs: only (a,c) (5 >= 4, 1 <= 2), ordered right; no hard pairs
    assert (metrics.easy_pairs, metrics.easy_accuracy) == (1, 1.0)
    assert (metrics.hard_pairs, math.isnan(metrics.hard_accuracy)) == (0, True)


def test_predicted_tie_costs_half_and_equal_ratings_are_skipped() -> None:
    # ratings a=4.5, b=4, c=4; scores tie a and b.
    # (a,b) w=0.5 tie -> 0.25; (a,c) w=0.5 concordant -> 0; (b,c) equal ratings -> not a pair
    metrics = expertise_metrics({"p": {"a": 4.5, "b": 4.0, "c": 4.0}}, {"p": {"a": 0.7, "b": 0.7, "c": 0.2}})
    assert metrics.loss == pytest.approx(0.5 * 0.5 / (0.5 + 0.5))
    # both pairs are hard (both >= 4, different): one right, one tie counted as half
    assert metrics.hard_pairs == 2
    assert metrics.hard_accuracy == pytest.approx((1 + 0.5) / 2)


def test_loss_pools_pairs_over_participants() -> None:
    # p: (x,y) w=4, wrong -> 4.   q: (u,v) w=1, right -> 0;  loss = 4 / (4 + 1), not mean(1, 0)
    ratings = {"p": {"x": 5.0, "y": 1.0}, "q": {"u": 3.0, "v": 2.0}}
    scores = {"p": {"x": 0.0, "y": 1.0}, "q": {"u": 1.0, "v": 0.0}}
    metrics = expertise_metrics(ratings, scores)
    assert metrics.loss == pytest.approx(4 / 5)
    assert metrics.easy_accuracy == 0.0  # (x,y) is the only easy pair, and it is wrong


def test_constant_scorer_gets_one_half() -> None:
    ratings = {"p": {"a": 5.0, "b": 4.25, "c": 2.0, "d": 1.0}}
    metrics = expertise_metrics(ratings, {"p": dict.fromkeys(ratings["p"], 0.3)})
    assert (metrics.loss, metrics.easy_accuracy, metrics.hard_accuracy) == (0.5, 0.5, 0.5)


def test_missing_score_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no score for rated paper"):
        participant_counts({"a": 5.0, "b": 1.0}, {"a": 1.0})


# ------------------------------------------------------------------------------- scoring math


def test_top_k_mean_and_zscores() -> None:
    sims = np.array([[0.1, 0.9, 0.5], [0.3, 0.2, 0.4]])
    assert top_k_mean(sims, 2) == pytest.approx([(0.9 + 0.5) / 2, (0.4 + 0.3) / 2])
    assert top_k_mean(sims, 10) == pytest.approx([0.5, 0.3])  # k larger than the row: plain mean
    assert top_k_mean(np.zeros((2, 0)), 3) == pytest.approx([0.0, 0.0])
    assert zscores({"a": 1.0, "b": 3.0}) == {"a": -1.0, "b": 1.0}  # mean 2, std 1
    assert zscores({"a": 0.3, "b": 0.3, "c": 0.3}) == {"a": 0.0, "b": 0.0, "c": 0.0}  # a tie stays a tie


def test_participant_scores_fuse_document_and_sentence_terms() -> None:
    sims = {
        "a": PaperSims(doc=np.array([0.8, 0.2]), units=np.array([[0.1, 0.2]])),
        "b": PaperSims(doc=np.array([0.4, 0.4]), units=np.array([[0.9, 0.7]])),
    }
    # k=1: doc = {a: 0.8, b: 0.4} -> z = {a: 1, b: -1}; sent = {a: 0.2, b: 0.9} -> z = {a: -1, b: 1}
    assert participant_scores(sims, Setting(1, 0.0)) == pytest.approx({"a": 1.0, "b": -1.0})
    assert participant_scores(sims, Setting(1, 2.0)) == pytest.approx({"a": 1 - 2, "b": -1 + 2})
    # k=2: doc = {a: 0.5, b: 0.4} -> z = {a: 1, b: -1}; sent = {a: 0.15, b: 0.8} -> {a: -1, b: 1}
    assert participant_scores(sims, Setting(2, 0.5)) == pytest.approx({"a": 1 - 0.5, "b": -1 + 0.5})


def test_cross_validation_picks_the_setting_best_on_the_training_participants() -> None:
    assert folds_of(["d", "a", "c", "b", "e"], 2) == [["a", "c", "e"], ["b", "d"]]
    good, bad = Setting(3, 1.0), Setting(1, 0.0)
    # every setting costs 1 of weight 2 for both participants (loss 0.5), but `good` costs
    # 0 for "x" and 2 of 2 for "y": on training participant x alone it wins (0 < 0.5)
    table = {s: {"d_20_1": {"x": PairCounts(1.0, 2.0), "y": PairCounts(1.0, 2.0)}} for s in GRID}
    table[good] = {"d_20_1": {"x": PairCounts(0.0, 2.0), "y": PairCounts(2.0, 2.0)}}
    assert best_setting(table, ["x"]) == good
    assert best_setting(table, ["y"]) == GRID[0] == bad  # a tie at 0.5: the simplest setting
    # held-out x scored with good (0 of 2), y with bad (1 of 2): loss (0 + 1) / (2 + 2)
    assert pooled(table, "d_20_1", {"x": good, "y": bad}).loss == pytest.approx(1 / 4)


# ------------------------------------------------------------------------------- tiny dataset

TOPICS = {
    "graphs": "Graph neural networks for molecules. We learn message passing on molecular graphs.",
    "bandits": "Regret bounds for bandits. We prove regret bounds for linear contextual bandits.",
    "speech": "Speech recognition with transformers. We train end to end speech recognition models.",
}


def paper(pid: str, topic: str, abstract: bool = True) -> dict[str, object]:
    title, text = TOPICS[topic].split(". ", 1)
    return {"id": pid, "content": {"title": title, "abstract": text if abstract else None}}


def write_tiny(root: Path) -> None:
    """Two participants, three rated papers each (one ``no_ss``, one empty cell), ten samples."""
    header = ["ParticipantID", *[f"Paper{n}" for n in range(1, 11)], *[f"Expertise{n}" for n in range(1, 11)]]
    rows = [
        ["11", "g1", "b1", "s1", "no_ss", *[""] * 6, "5.0", "2.5", "1.0", "4.0", *[""] * 6],
        ["22", "b1", "s1", "g1", "", *[""] * 6, "4.75", "1.25", "2.0", "3.0", *[""] * 6],
    ]
    (root / "evaluations.csv").write_text("\n".join("\t".join(r) for r in [header, *rows]) + "\n")
    submissions = {
        "g1": paper("g1", "graphs"),
        "b1": paper("b1", "bandits"),
        "s1": paper("s1", "speech", abstract=False),
    }
    for name in SAMPLES:
        folder = root / "evaluation_datasets" / name
        (folder / "archives").mkdir(parents=True)
        (folder / "submissions.json").write_text(json.dumps(submissions))
        for participant, topic in (("11", "graphs"), ("22", "bandits")):
            lines = [json.dumps(paper(f"{participant}-{n}", topic)) for n in range(2)]
            (folder / "archives" / f"~{participant}.jsonl").write_text("\n".join(lines) + "\n")


def pack(unpacked: Path, target: Path) -> None:
    """The same layout as upstream: evaluations.csv beside the tar.xz of evaluation_datasets/."""
    target.mkdir()
    (target / "evaluations.csv").write_bytes((unpacked / "evaluations.csv").read_bytes())
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:xz") as tar:
        tar.add(unpacked / "evaluation_datasets", arcname="evaluation_datasets")
    (target / ARCHIVE_FILE).write_bytes(buffer.getvalue())


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    root = tmp_path / "tiny"
    root.mkdir()
    write_tiny(root)
    return root


def test_loader_reads_ratings_samples_and_texts(tiny: Path, tmp_path: Path) -> None:
    benchmark = load_benchmark(tiny, tmp_path / "cache")
    assert benchmark.ratings == {
        "11": {"g1": 5.0, "b1": 2.5, "s1": 1.0},
        "22": {"b1": 4.75, "s1": 1.25, "g1": 2.0},
    }
    assert [s.name for s in benchmark.samples] == list(SAMPLES)
    sample = benchmark.samples[0]
    assert len(sample.archives["11"]) == 2
    assert sample.submissions["g1"].text == TOPICS["graphs"]  # title + ". " + abstract
    assert sample.submissions["s1"].text == "Speech recognition with transformers"  # no abstract: title
    assert sample.submissions["g1"].units == (
        "Graph neural networks for molecules",
        "We learn message passing on molecular graphs.",
    )


def test_loader_unpacks_the_archive_once(tiny: Path, tmp_path: Path) -> None:
    packed = tmp_path / "packed"
    pack(tiny, packed)
    cache = tmp_path / "cache"
    assert load_benchmark(packed, cache).ratings["11"]["g1"] == 5.0
    assert (cache / "evaluation_datasets" / "d_20_10" / "submissions.json").is_file()
    (packed / ARCHIVE_FILE).unlink()  # a second load uses the unpacked copy
    assert len(load_benchmark(packed, cache).samples) == 10


def test_run_writes_score_files_and_a_report(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    report = run_expertise(tiny, out, HashingEmbedder(64), folds=2)
    for name in SAMPLES:
        scores = json.loads((out / f"scores_{name}.json").read_text())
        assert set(scores) == {"11", "22"}
        assert set(scores["11"]) == {"g1", "b1", "s1"}
        assert all(isinstance(v, float) for v in scores["22"].values())
    # the hashing embedder shares words: each participant's own topic ranks first
    scores = json.loads((out / "scores_d_20_1.json").read_text())
    assert max(scores["11"], key=scores["11"].get) == "g1"
    assert max(scores["22"], key=scores["22"].get) == "b1"
    assert len(report.samples) == 10 and len(report.fold_settings) == 2
    # the files hold the held-out scores: evaluating them gives the cross-validated figure
    ratings = load_benchmark(tiny, out / ".data").ratings
    assert expertise_metrics(ratings, scores).loss == report.samples[0].cross_validated.loss
    assert report.mean("cross_validated").loss < 0.5
    assert report.mean("default").loss == pytest.approx(report.samples[0].default.loss)
    record = json.loads((out / "expertise_report.json").read_text())
    assert record["default"] == {"k": DEFAULT.k, "sentence_weight": DEFAULT.sentence_weight}
    table = format_report(report)
    assert "SPECTER + MFR" in table and "2-fold CV" in table and "hashing-64" in table


def test_missing_data_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        run_expertise(tmp_path / "nowhere", tmp_path / "out", HashingEmbedder(8))


def test_missing_files_are_input_errors(tiny: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match=r"evaluations\.csv"):
        load_benchmark(empty, tmp_path / "c1")
    (empty / "evaluations.csv").write_bytes((tiny / "evaluations.csv").read_bytes())
    with pytest.raises(InputError, match="neither evaluation_datasets/ nor"):
        load_benchmark(empty, tmp_path / "c2")
    (tiny / "evaluation_datasets" / "d_20_3" / "archives" / "~22.jsonl").unlink()
    with pytest.raises(InputError, match=r"~22\.jsonl is missing"):
        load_benchmark(tiny, tmp_path / "c3")


# ------------------------------------------------------------------------------- real data


@pytest.mark.slow
def test_real_benchmark_beats_specter_mfr(tmp_path: Path) -> None:
    if not (REAL_DATA / "evaluations.csv").is_file():
        pytest.skip(f"the benchmark data is not at {REAL_DATA}")
    from assistant.services import embedding_model_path
    from assistant.settings import load_settings
    from retrieval.embedder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder(embedding_model_path(load_settings()))
    report = run_expertise(REAL_DATA, tmp_path / "out", embedder)
    assert sum(len(v) for v in load_benchmark(REAL_DATA, tmp_path / "out" / ".data").ratings.values()) == 476
    assert report.mean("default").loss < 0.27
    assert report.mean("cross_validated").loss <= 0.24
