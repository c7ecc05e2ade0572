"""The vector index port, and an exact in-memory implementation (fake and baseline).

Three spaces: ``offer`` and ``seek`` (one vector per person each) and ``rfp``. Scores are
cosine similarities in [-1, 1], higher is closer. Each entry keeps the content hash of the
text it was embedded from, so unchanged content is never embedded again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

SPACES = ("offer", "seek", "rfp")


class VectorIndex(Protocol):
    model_id: str

    def upsert(self, space: str, ids: Sequence[str], vectors: np.ndarray, hashes: Sequence[str]) -> None: ...

    def query(self, space: str, vector: np.ndarray, k: int) -> list[tuple[str, float]]: ...

    def hashes(self, space: str) -> dict[str, str]: ...

    def get(self, space: str, ids: Sequence[str]) -> dict[str, tuple[np.ndarray, str]]:
        """Stored (vector, content hash) of those ids that are in the index."""
        ...

    def delete(self, space: str, ids: Sequence[str]) -> None: ...

    def reset(self) -> None: ...


class MemoryIndex:
    """Exact cosine top-k with numpy. Fine up to tens of thousands of rows."""

    def __init__(self, model_id: str, dim: int) -> None:
        self.model_id = model_id
        self.dim = dim
        self.reset()

    def reset(self) -> None:
        self._rows: dict[str, dict[str, tuple[np.ndarray, str]]] = {space: {} for space in SPACES}
        self._matrix: dict[str, tuple[list[str], np.ndarray] | None] = dict.fromkeys(SPACES)

    def upsert(self, space: str, ids: Sequence[str], vectors: np.ndarray, hashes: Sequence[str]) -> None:
        for entry_id, vector, content in zip(ids, vectors, hashes, strict=True):
            self._rows[space][entry_id] = (np.asarray(vector, dtype=np.float32), content)
        self._matrix[space] = None

    def _stacked(self, space: str) -> tuple[list[str], np.ndarray]:
        cached = self._matrix[space]
        if cached is None:
            ids = list(self._rows[space])
            matrix = (
                np.stack([self._rows[space][i][0] for i in ids])
                if ids
                else np.zeros((0, self.dim), np.float32)
            )
            cached = self._matrix[space] = (ids, matrix)
        return cached

    def query(self, space: str, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        ids, matrix = self._stacked(space)
        if not ids:
            return []
        scores = matrix @ np.asarray(vector, dtype=np.float32)
        k = min(k, len(ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(ids[i], float(scores[i])) for i in top]

    def hashes(self, space: str) -> dict[str, str]:
        return {entry_id: content for entry_id, (_, content) in self._rows[space].items()}

    def get(self, space: str, ids: Sequence[str]) -> dict[str, tuple[np.ndarray, str]]:
        return {i: self._rows[space][i] for i in ids if i in self._rows[space]}

    def delete(self, space: str, ids: Sequence[str]) -> None:
        for entry_id in ids:
            self._rows[space].pop(entry_id, None)
        self._matrix[space] = None


def exact_top_k(matrix: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    """Row indices of the k most similar rows of ``matrix`` for each query (exact baseline)."""
    scores = queries @ matrix.T
    k = min(k, matrix.shape[0])
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.take_along_axis(scores, top, axis=1).argsort(axis=1)[:, ::-1]
    return np.take_along_axis(top, order, axis=1)
