"""BM25 over short texts: the only module that imports bm25s."""

from __future__ import annotations

from collections.abc import Sequence

import bm25s


class BM25Index:
    """An immutable BM25 index of ``texts`` keyed by ``ids``; rebuild it when texts change."""

    def __init__(self, ids: Sequence[str], texts: Sequence[str]) -> None:
        self.ids = list(ids)
        self._retriever = bm25s.BM25()
        if self.ids:
            tokens = bm25s.tokenize(list(texts), stopwords="en", show_progress=False)
            self._retriever.index(tokens, show_progress=False)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Ids with a positive BM25 score for ``query``, best first (ties by id order)."""
        if not self.ids or not query.strip():
            return []
        tokens = bm25s.tokenize([query], stopwords="en", show_progress=False, return_ids=False)
        if not tokens[0]:
            return []
        docs, scores = self._retriever.retrieve(tokens, k=min(k, len(self.ids)), show_progress=False)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
