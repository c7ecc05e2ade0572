"""The expertise benchmark's metric: a weighted pairwise ranking loss and two pair accuracies.

Pure functions over plain mappings; no I/O. For one participant with rated papers ``p_i``
(self-rated expertise ``r_i``) and predicted scores ``s_i``, every unordered pair ``(i, j)``
with ``r_i != r_j`` has weight ``w_ij = |r_i - r_j|`` and cost

    c_ij = w_ij        if (s_i - s_j) * (r_i - r_j) < 0    (ordered against the ratings)
    c_ij = w_ij / 2    if s_i == s_j                        (predicted tie)
    c_ij = 0           otherwise

and the loss pools every participant's pairs:

    loss = sum_participants sum_pairs c_ij / sum_participants sum_pairs w_ij

0 is perfect and 0.5 is what a constant scorer gets. Only the order within a participant
matters: scores are never compared across participants.

The two accuracies are unweighted fractions of pairs, pooled over participants:

    easy pairs: max(r_i, r_j) >= 4 and min(r_i, r_j) <= 2
    hard pairs: r_i >= 4 and r_j >= 4 and r_i != r_j
    accuracy  = (#pairs ordered as the ratings + 0.5 * #pairs with s_i == s_j) / #pairs

Counting a predicted tie as half correct is our choice (the published definition does not say);
it mirrors the loss, so a constant scorer gets exactly 0.5 on both accuracies. An accuracy
over no pairs is ``nan``.

The scoring formula, for a rated paper q and one participant's own papers a_j:

    doc(q)   = mean of the k largest cos(e(q), e(a_j))          e(x): embedding of "title. abstract"
    sent(q)  = mean over the units u of q of the mean of the k largest cos(e(u), e(v)),
               units: the title and each abstract sentence; v: every unit of every a_j
    score(q) = z(doc)(q) + w * z(sent)(q)        z: z-score over the participant's rated papers

``Setting`` holds (k, w); ``GRID`` is what cross-validation chooses from, with the pair counts
of every setting, sample and participant tabulated once (``count_table``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from store.errors import InputError

EXPERT = 4.0
NOVICE = 2.0


@dataclass(frozen=True)
class PairCounts:
    """Sums over pairs, additive across participants; the metric is computed from them."""

    weighted_cost: float = 0.0
    total_weight: float = 0.0
    easy_correct: float = 0.0
    easy_pairs: int = 0
    hard_correct: float = 0.0
    hard_pairs: int = 0
    pairs: int = 0

    def __add__(self, other: PairCounts) -> PairCounts:
        return PairCounts(
            self.weighted_cost + other.weighted_cost,
            self.total_weight + other.total_weight,
            self.easy_correct + other.easy_correct,
            self.easy_pairs + other.easy_pairs,
            self.hard_correct + other.hard_correct,
            self.hard_pairs + other.hard_pairs,
            self.pairs + other.pairs,
        )


@dataclass(frozen=True)
class ExpertiseMetrics:
    """Loss (lower is better) and the easy/hard pair accuracies (higher is better)."""

    loss: float
    easy_accuracy: float
    hard_accuracy: float
    pairs: int = 0
    easy_pairs: int = 0
    hard_pairs: int = 0


def pair_correctness(r_i: float, r_j: float, s_i: float, s_j: float) -> float:
    """1 if the scores order the pair as the ratings do, 0.5 for a predicted tie, else 0."""
    if s_i == s_j:
        return 0.5
    return 1.0 if (s_i - s_j) * (r_i - r_j) > 0 else 0.0


def is_easy(r_i: float, r_j: float) -> bool:
    return max(r_i, r_j) >= EXPERT and min(r_i, r_j) <= NOVICE


def is_hard(r_i: float, r_j: float) -> bool:
    return r_i >= EXPERT and r_j >= EXPERT and r_i != r_j


def participant_counts(ratings: Mapping[str, float], scores: Mapping[str, float]) -> PairCounts:
    """Pair sums for one participant; every rated paper must have a score."""
    missing = sorted(set(ratings) - set(scores))
    if missing:
        raise InputError(f"no score for rated paper(s) {', '.join(missing[:3])}")
    cost = weight = easy_correct = hard_correct = 0.0
    easy = hard = pairs = 0
    for a, b in combinations(sorted(ratings), 2):
        r_a, r_b = ratings[a], ratings[b]
        if r_a == r_b:
            continue
        correct = pair_correctness(r_a, r_b, scores[a], scores[b])
        w = abs(r_a - r_b)
        pairs += 1
        weight += w
        cost += w * (1.0 - correct)
        if is_easy(r_a, r_b):
            easy += 1
            easy_correct += correct
        if is_hard(r_a, r_b):
            hard += 1
            hard_correct += correct
    return PairCounts(cost, weight, easy_correct, easy, hard_correct, hard, pairs)


def metrics_from_counts(counts: PairCounts) -> ExpertiseMetrics:
    def ratio(num: float, den: float) -> float:
        return num / den if den else math.nan

    return ExpertiseMetrics(
        loss=ratio(counts.weighted_cost, counts.total_weight),
        easy_accuracy=ratio(counts.easy_correct, counts.easy_pairs),
        hard_accuracy=ratio(counts.hard_correct, counts.hard_pairs),
        pairs=counts.pairs,
        easy_pairs=counts.easy_pairs,
        hard_pairs=counts.hard_pairs,
    )


def expertise_metrics(
    ratings: Mapping[str, Mapping[str, float]], scores: Mapping[str, Mapping[str, float]]
) -> ExpertiseMetrics:
    """The metric over all participants in ``ratings``: {participant: {paper: value}} each."""
    total = PairCounts()
    for participant, rated in ratings.items():
        if participant not in scores:
            raise InputError(f"no scores for participant {participant}")
        total = total + participant_counts(rated, scores[participant])
    return metrics_from_counts(total)


# ---------------------------------------------------------------------- the scoring formula


@dataclass(frozen=True)
class Setting:
    """k: how many of the best matches are averaged; sentence_weight: w of the sentence term."""

    k: int
    sentence_weight: float


GRID = tuple(Setting(k, w) for w in (0.0, 0.5, 1.0, 2.0) for k in (1, 2, 3, 5, 10))
DEFAULT = Setting(k=1, sentence_weight=0.0)


@dataclass(frozen=True)
class PaperSims:
    """Cosines of one rated paper against one participant's papers."""

    doc: np.ndarray  # (archive papers,): whole text against whole text
    units: np.ndarray  # (units of the paper, units of all archive papers)


def top_k_mean(sims: np.ndarray, k: int) -> np.ndarray:
    """Mean of the k largest values along the last axis (all of them if fewer); 0 when empty."""
    if sims.shape[-1] == 0:
        return np.zeros(sims.shape[:-1])
    k = min(k, sims.shape[-1])
    return np.mean(-np.partition(-sims, k - 1, axis=-1)[..., :k], axis=-1)


def zscores(values: Mapping[str, float]) -> dict[str, float]:
    """(v - mean) / std over the given values; all 0 when they are constant (to rounding)."""
    array = np.array(list(values.values()), dtype=np.float64)
    mean = float(array.mean()) if array.size else 0.0
    std = float(array.std()) if array.size else 0.0
    if std <= 1e-12 * max(1.0, abs(mean)):
        return dict.fromkeys(values, 0.0)
    return {key: (value - mean) / std for key, value in values.items()}


def participant_scores(sims: Mapping[str, PaperSims], setting: Setting) -> dict[str, float]:
    """score(q) = z(doc)(q) + w * z(sent)(q) over one participant's rated papers q."""
    doc = zscores({paper: float(top_k_mean(s.doc, setting.k)) for paper, s in sims.items()})
    if setting.sentence_weight == 0:
        return doc
    sent = zscores({paper: float(np.mean(top_k_mean(s.units, setting.k))) for paper, s in sims.items()})
    return {paper: doc[paper] + setting.sentence_weight * sent[paper] for paper in sims}


# ---------------------------------------------------------------------- choosing (k, w)

SimTable = dict[str, dict[str, dict[str, PaperSims]]]  # sample -> participant -> rated paper
CountTable = dict[Setting, dict[str, dict[str, PairCounts]]]  # setting -> sample -> participant


def count_table(ratings: Mapping[str, Mapping[str, float]], sims: SimTable) -> CountTable:
    return {
        setting: {
            sample: {p: participant_counts(ratings[p], participant_scores(by_p[p], setting)) for p in ratings}
            for sample, by_p in sims.items()
        }
        for setting in GRID
    }


def mean_loss(table: CountTable, setting: Setting, participants: Sequence[str]) -> float:
    losses = []
    for by_participant in table[setting].values():
        total = sum((by_participant[p] for p in participants), PairCounts())
        losses.append(metrics_from_counts(total).loss)
    return float(np.mean(losses))


def best_setting(table: CountTable, participants: Sequence[str]) -> Setting:
    """Lowest mean loss over the samples; ties go to the earlier (simpler) setting in GRID."""
    return min(GRID, key=lambda s: (mean_loss(table, s, participants), GRID.index(s)))


def folds_of(participants: Iterable[str], folds: int) -> list[list[str]]:
    ordered = sorted(participants)
    return [ordered[i::folds] for i in range(folds)]


def pooled(table: CountTable, sample: str, settings: Mapping[str, Setting]) -> ExpertiseMetrics:
    """The metric of one sample, each participant scored with its own setting."""
    return metrics_from_counts(sum((table[s][sample][p] for p, s in settings.items()), PairCounts()))
