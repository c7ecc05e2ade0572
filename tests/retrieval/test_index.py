"""One contract for every VectorIndex: exact in-memory, embedded Chroma, and a `chroma run`
server on loopback (the server tier is marked slow)."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

from retrieval.chroma_index import ChromaIndex
from retrieval.embedder import HashingEmbedder
from retrieval.index import MemoryIndex, VectorIndex
from store.errors import ConfigError, IndexUnavailable

EMBED = HashingEmbedder(dim=64)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _running_server(folder: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real `chroma run` server (it ships in the chromadb wheel) on a free loopback port."""
    port = _free_port()
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "chroma"),
            "run",
            "--path",
            str(folder / "data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((folder / "server.log").read_text()) from None
                time.sleep(0.2)
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _running_server(tmp_path_factory.mktemp("chroma-server")) as (url, _):
        yield url


@pytest.fixture(params=["memory", "chroma", pytest.param("chroma-server", marks=pytest.mark.slow)])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> VectorIndex:
    if request.param == "memory":
        return MemoryIndex(EMBED.model_id, EMBED.dim)
    if request.param == "chroma":
        return ChromaIndex.open(path=tmp_path / "chroma", url=None, model_id=EMBED.model_id, dim=EMBED.dim)
    url = request.getfixturevalue("chroma_server")
    built = ChromaIndex.open(path=None, url=url, model_id=EMBED.model_id, dim=EMBED.dim)
    built.reset()  # the server is shared by the module's tests
    return built


TEXTS = {
    "amara": "writing diffusion models medical imaging",
    "minh": "coding efficient transformers quantisation",
    "kenji": "interpretability of small language models",
}


def _fill(index: VectorIndex) -> None:
    ids = list(TEXTS)
    index.upsert("offer", ids, EMBED.embed([TEXTS[i] for i in ids]), [f"h-{i}" for i in ids])


def test_nearest_first_with_cosine_scores(index: VectorIndex) -> None:
    _fill(index)
    [(best, score), *rest] = index.query("offer", EMBED.embed(["diffusion models for imaging"])[0], 3)
    assert best == "amara" and 0 < score <= 1.0001
    assert len(rest) == 2 and all(s <= score for _, s in rest)


def test_hashes_get_delete(index: VectorIndex) -> None:
    _fill(index)
    assert index.hashes("offer") == {"amara": "h-amara", "minh": "h-minh", "kenji": "h-kenji"}
    vector, digest = index.get("offer", ["minh", "nobody"])["minh"]
    assert digest == "h-minh" and np.allclose(vector, EMBED.embed([TEXTS["minh"]])[0], atol=1e-6)
    index.upsert("offer", ["minh"], EMBED.embed(["new text"]), ["h2"])
    assert index.hashes("offer")["minh"] == "h2"
    index.delete("offer", ["minh"])
    assert set(index.hashes("offer")) == {"amara", "kenji"}
    assert index.hashes("seek") == {}
    index.reset()
    assert index.hashes("offer") == {}


def test_an_index_built_for_another_model_is_refused(tmp_path: Path) -> None:
    ChromaIndex.open(path=tmp_path, url=None, model_id="model-a", dim=64).hashes("offer")
    other = ChromaIndex.open(path=tmp_path, url=None, model_id="model-b", dim=64)
    with pytest.raises(IndexUnavailable, match=r"built with .model-a.*run `mingle reindex --rebuild`"):
        other.hashes("offer")
    other.reset()  # what `mingle reindex --rebuild` does
    assert other.hashes("offer") == {}


def test_a_malformed_chroma_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="MINGLE_CHROMA_URL must look like"):
        ChromaIndex.open(path=None, url="chroma:8000", model_id="m", dim=4)


@pytest.mark.slow
def test_an_unreachable_chroma_server_is_one_clear_error() -> None:
    with pytest.raises(IndexUnavailable, match="cannot reach the Chroma server"):
        ChromaIndex.open(path=None, url=f"http://127.0.0.1:{_free_port()}", model_id="m", dim=4).hashes(
            "offer"
        )


@pytest.mark.slow
def test_a_chroma_server_that_goes_away_later_is_one_clear_error(tmp_path: Path) -> None:
    with _running_server(tmp_path) as (url, process):
        index = ChromaIndex.open(path=None, url=url, model_id=EMBED.model_id, dim=EMBED.dim)
        _fill(index)
        process.terminate()
        process.wait(timeout=20)
        vector = EMBED.embed(["diffusion"])[0]
        for call in (
            lambda: index.query("offer", vector, 3),
            lambda: index.hashes("offer"),
            lambda: _fill(index),
        ):
            with pytest.raises(IndexUnavailable, match=re.escape(f"lost the Chroma server at {url}")):
                call()
