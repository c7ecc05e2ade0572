"""The vector index on Chroma: the only module that imports chromadb.

Embedded (``PersistentClient`` in the data dir) or a ``chroma run`` server over HTTP. We always
pass embeddings ourselves (``embedding_function=None``: the default one would download a
model). Each collection records the embedding model id and dimension it was built with; a
different model is refused until `mingle reindex` rebuilds. Filtering happens in Python after
an unfiltered query: metadata-filtered Chroma queries cost 55-90 ms at 100k entries. A server
that cannot be reached, at start or later, is IndexUnavailable.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from retrieval.index import SPACES
from store.errors import ConfigError, IndexUnavailable

HNSW = {"space": "cosine", "ef_construction": 200, "max_neighbors": 32, "ef_search": 128}
PAGE = 5000


def _chroma_settings() -> Any:
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False, allow_reset=True)


class ChromaIndex:
    def __init__(self, client: Any, model_id: str, dim: int, hnsw: dict[str, Any] | None = None) -> None:
        self._client = client
        self.model_id = model_id
        self.dim = dim
        self._hnsw = {**HNSW, **(hnsw or {})}
        self._collections: dict[str, Any] = {}
        self.url: str | None = None  # the server, if any

    @classmethod
    def open(
        cls, *, path: Path | None, url: str | None, model_id: str, dim: int, **kwargs: Any
    ) -> ChromaIndex:
        import chromadb

        if url:
            parsed = urlparse(url)
            if parsed.scheme not in ("http", "https") or not parsed.hostname:
                raise ConfigError(f"MINGLE_CHROMA_URL must look like http://HOST:PORT (got {url!r})")
            try:
                client = chromadb.HttpClient(
                    host=parsed.hostname,
                    port=parsed.port or (443 if parsed.scheme == "https" else 80),
                    ssl=parsed.scheme == "https",
                    settings=_chroma_settings(),
                )
            except (ValueError, ConnectionError) as exc:
                raise IndexUnavailable(f"cannot reach the Chroma server at {url}: {exc}") from None
        else:
            assert path is not None
            try:
                path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise IndexUnavailable(f"cannot create the index folder {path}: {exc.strerror}") from None
            client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
        index = cls(client, model_id, dim, **kwargs)
        index.url = url
        return index

    @contextmanager
    def _reachable(self) -> Iterator[None]:
        """A server that went away after start (connection refused, reset, timed out)."""
        import httpx

        try:
            yield
        except httpx.TransportError as exc:
            raise IndexUnavailable(f"lost the Chroma server at {self.url}: {exc}; is it running?") from None

    def _collection(self, space: str) -> Any:
        if space not in SPACES:
            raise ValueError(f"unknown index space {space!r}")
        if space not in self._collections:
            with self._reachable():
                collection = self._client.get_or_create_collection(
                    name=f"mingle_{space}",
                    embedding_function=None,
                    configuration={"hnsw": self._hnsw},
                    metadata={"model_id": self.model_id, "dim": self.dim},
                )
            built_with = (collection.metadata or {}).get("model_id")
            if built_with != self.model_id:
                raise IndexUnavailable(
                    f"the index was built with {built_with!r}, not {self.model_id!r}: "
                    "run `mingle reindex --rebuild`"
                )
            self._collections[space] = collection
        return self._collections[space]

    def upsert(self, space: str, ids: Sequence[str], vectors: np.ndarray, hashes: Sequence[str]) -> None:
        collection = self._collection(space)
        with self._reachable():
            step = self._client.get_max_batch_size()
            for start in range(0, len(ids), step):
                stop = start + step
                collection.upsert(
                    ids=list(ids[start:stop]),
                    embeddings=np.asarray(vectors[start:stop], dtype=np.float32),
                    metadatas=[{"hash": h} for h in hashes[start:stop]],
                )

    def query(self, space: str, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        collection = self._collection(space)
        with self._reachable():
            result = collection.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=k, include=["distances"]
            )
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]

    def _pages(self, space: str, include: list[str]) -> Iterator[dict[str, Any]]:
        collection = self._collection(space)
        offset = 0
        while True:
            with self._reachable():
                page = collection.get(include=include, limit=PAGE, offset=offset)
            if not page["ids"]:
                return
            yield page
            offset += len(page["ids"])

    def hashes(self, space: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for page in self._pages(space, ["metadatas"]):
            for entry_id, metadata in zip(page["ids"], page["metadatas"], strict=True):
                out[entry_id] = str((metadata or {}).get("hash", ""))
        return out

    def get(self, space: str, ids: Sequence[str]) -> dict[str, tuple[np.ndarray, str]]:
        if not ids:
            return {}
        collection = self._collection(space)
        with self._reachable():
            page = collection.get(ids=list(ids), include=["embeddings", "metadatas"])
        return {
            i: (np.asarray(v, dtype=np.float32), str((m or {}).get("hash", "")))
            for i, v, m in zip(page["ids"], page["embeddings"], page["metadatas"], strict=True)
        }

    def delete(self, space: str, ids: Sequence[str]) -> None:
        if ids:
            collection = self._collection(space)
            with self._reachable():
                collection.delete(ids=list(ids))

    def reset(self) -> None:
        """Drop every Mingle collection (used by `mingle reindex` when the model changed)."""
        with self._reachable():
            for space in SPACES:
                name = f"mingle_{space}"
                if name in {c.name for c in self._client.list_collections()}:
                    self._client.delete_collection(name)
        self._collections.clear()
