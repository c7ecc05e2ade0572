from __future__ import annotations

import pytest

from retrieval.fusion import rrf


def test_rrf_spelled_out() -> None:
    fused = dict(rrf([["a", "b", "c"], ["b", "d"]], k=60))
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["d"] == pytest.approx(1 / 62)
    assert [d for d, _ in rrf([["a", "b", "c"], ["b", "d"]])] == ["b", "a", "d", "c"]


@pytest.mark.slow  # ranx compiles its numba kernels on first use (~15 s)
def test_rrf_agrees_with_ranx() -> None:
    from ranx import Run, fuse

    rankings = [["a", "b", "c", "e"], ["c", "a", "d"], ["d", "e"]]
    runs = [Run({"q": {doc: float(len(r) - i) for i, doc in enumerate(r)}}) for r in rankings]
    theirs = fuse(runs=runs, method="rrf", params={"k": 60}).to_dict()["q"]
    ours = dict(rrf(rankings, k=60))
    assert ours.keys() == theirs.keys()
    for doc in ours:
        assert ours[doc] == pytest.approx(theirs[doc])
